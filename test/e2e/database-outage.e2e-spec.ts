import { afterAll, beforeAll, expect, it } from '@jest/globals';
import request from 'supertest';
import { ClientEvent, Namespace } from '../../src/realtime/events.js';
import type { TestApp } from '../support/create-test-app.js';
import { createTestAppBehindDatabaseProxy, describeNeeding } from '../support/services.js';
import {
  closeAllSockets,
  connect,
  connectError,
  emitAck,
  type ClientSocket,
} from '../support/sockets.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

// PGlite runs inside the process and cannot go away on its own: this suite needs PostgreSQL.
const describePostgres = describeNeeding('database-outage', ['PostgreSQL']);

describePostgres('PostgreSQL going away mid-run', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let close: () => Promise<void>;
  let socket: ClientSocket;
  const user = { id: uniqueId(), role: 'CLIENT' };
  const auth = (): string => `Bearer ${tokenFor(user)}`;
  /** REST and sockets answer from the database again, and the node says it is ready. */
  const servesEverything = async (): Promise<void> => {
    await request(t.url).get('/api/users/me').set('Authorization', auth()).expect(200);
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({
      ok: true,
      data: { id: user.id },
    });
    await request(t.url).get('/health/ready').expect(200);
  };

  beforeAll(async () => {
    // The app's own database is created directly; the app then reaches it only through the proxy.
    ({ t, proxy, close } = await createTestAppBehindDatabaseProxy());
    socket = await connect(t.url, Namespace.Chat, { token: tokenFor(user) });
  });
  afterAll(async () => {
    closeAllSockets();
    await close?.();
  });

  it('serves normally while the database is up', async () => {
    await request(t.url).get('/api/users/me').set('Authorization', auth()).expect(200);
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ ok: true });
  });

  it('answers UNAVAILABLE on sockets and REST while it is down, without crashing', async () => {
    await proxy.stop();
    const started = Date.now();
    const ack = await emitAck(socket, ClientEvent.WhoAmI, {});
    expect(ack).toEqual({
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'service unavailable, try again' },
    });
    const res = await request(t.url).get('/api/users/me').set('Authorization', auth()).expect(503);
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'UNAVAILABLE',
      message: 'service unavailable, try again',
    });
    expect(Date.now() - started).toBeLessThan(8000);
    // A handshake of a user never seen needs the database too: refused as unavailable, not hung.
    const refused = await connectError(t.url, Namespace.Chat, {
      token: tokenFor({ id: uniqueId(), role: 'CLIENT' }),
    });
    expect(refused.data).toEqual({ code: 'UNAVAILABLE' });
    // Over REST the same, not UNAUTHORIZED (which a client reads as "log in again").
    const unseen = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${tokenFor({ id: uniqueId(), role: 'CLIENT' })}`)
      .expect(503);
    expect(unseen.body.code).toBe('UNAVAILABLE');
    // A refreshed token of a user this node wrote, with the same claims, still connects.
    const refreshed = tokenFor(user, { expiresIn: 7200 });
    await expect(connect(t.url, Namespace.Chat, { token: refreshed })).resolves.toBeDefined();
    const ready = await request(t.url).get('/health/ready').expect(503);
    expect(ready.body.details.database).toEqual({ status: 'down' });
    // The driver's message (the server's address) stays in the log.
    expect(JSON.stringify(ready.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|timeout/);
    await request(t.url).get('/health').expect(200);
  });

  it('recovers by itself when the database returns', async () => {
    await proxy.start();
    await servesEverything();
  });

  it('answers UNAVAILABLE when the database hangs, and recovers when it answers again', async () => {
    // Connected, but nothing comes back: only the app's own read timeout can end the wait
    // (DB_STATEMENT_TIMEOUT_MS 2000 in tests, so 3 s). The request just before leaves an idle
    // connection in the pool for the next one to take.
    await request(t.url).get('/api/users/me').set('Authorization', auth()).expect(200);
    proxy.stall();
    try {
      const started = Date.now();
      const res = await request(t.url)
        .get('/api/users/me')
        .set('Authorization', auth())
        .expect(503);
      expect(res.body).toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      proxy.resume();
    }
    // The connection that hung was ended and discarded; the pool serves from the others.
    await servesEverything();
  });
});
