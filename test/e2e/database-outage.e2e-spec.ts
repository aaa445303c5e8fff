import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ClientEvent, Namespace } from '../../src/realtime/events.js';
import { createTestApp, usingPostgres, type TestApp } from '../support/create-test-app.js';
import {
  closeAllSockets,
  connect,
  connectError,
  emitAck,
  type ClientSocket,
} from '../support/sockets.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

// PGlite runs inside the process and cannot go away on its own: this suite needs PostgreSQL.
const describePostgres = usingPostgres ? describe : describe.skip;
if (!usingPostgres) {
  console.warn(
    'database-outage suite SKIPPED: it needs PostgreSQL (set DATABASE_URL); .ci/run sets it.',
  );
}

describePostgres('PostgreSQL going away mid-run', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let socket: ClientSocket;
  const user = { id: uniqueId(), role: 'CLIENT' };
  const auth = (): string => `Bearer ${tokenFor(user)}`;

  beforeAll(async () => {
    const target = new URL(process.env.DATABASE_URL!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    // The app's own database is created directly; the app then reaches it only through the proxy.
    const direct = await createTestApp();
    await direct.close({ keepData: true });
    const viaProxy = new URL(direct.databaseUrl!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    t = await createTestApp({
      reuse: { dataDir: direct.dataDir, databaseUrl: direct.databaseUrl },
      env: { DATABASE_URL: viaProxy.toString() },
    });
    socket = await connect(t.url, Namespace.Chat, { token: tokenFor(user) });
  });
  afterAll(async () => {
    closeAllSockets();
    await proxy?.start().catch(() => undefined);
    await t?.close();
    await proxy?.stop();
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
    const ready = await request(t.url).get('/health/ready').expect(503);
    expect(ready.body.details.database.status).toBe('down');
    await request(t.url).get('/health').expect(200);
  });

  it('recovers by itself when the database returns', async () => {
    await proxy.start();
    await request(t.url).get('/api/users/me').set('Authorization', auth()).expect(200);
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({
      ok: true,
      data: { id: user.id },
    });
    await request(t.url).get('/health/ready').expect(200);
  });
});
