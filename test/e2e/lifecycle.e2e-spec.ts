import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClientEvent, Namespace } from '../../src/realtime/events.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../migrations/index.js';
import {
  createDatabase,
  createTestApp,
  dropDatabase,
  usingPostgres,
  type TestApp,
} from '../support/create-test-app.js';
import { io } from 'socket.io-client';
import { closeAllSockets, connect, emitAck, nextEvent } from '../support/sockets.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

describe('restart and shutdown', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    closeAllSockets();
    for (const t of apps) await t.close().catch(() => undefined);
  });

  it('keeps users, migrations and the development secret across a restart on the same storage', async () => {
    // No JWT_SECRET: the secret is generated in DATA_DIR, as on a developer's machine.
    const first = await createTestApp({ env: { JWT_SECRET: '' } });
    const { body } = await request(first.url)
      .post('/api/auth/dev-token')
      .send({ userId: uniqueId(), name: 'Kept', role: 'CLIENT' })
      .expect(200);
    await request(first.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${body.token}`)
      .expect(200);
    const before = await first.app
      .get(DataSource)
      .query('SELECT id, created_at FROM users ORDER BY id');
    await first.close({ keepData: true });

    const second = await createTestApp({ env: { JWT_SECRET: '' }, reuse: first });
    apps.push(second);
    const after = await second.app
      .get(DataSource)
      .query('SELECT id, created_at FROM users ORDER BY id');
    expect(after).toEqual(before);
    expect(after).toHaveLength(1);
    const me = await request(second.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${body.token}`)
      .expect(200);
    expect(me.body.name).toBe('Kept');
    const migrations = await second.app.get(DataSource).query('SELECT name FROM migrations');
    expect(migrations.length).toBeGreaterThan(0);
  });

  it('disconnects sockets and closes the database on shutdown', async () => {
    const t = await createTestApp();
    const socket = await connect(t.url, Namespace.Chat, {
      token: tokenFor({ id: uniqueId(), role: 'CLIENT' }),
    });
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ ok: true });
    const dataSource = t.app.get(DataSource);
    const disconnected = nextEvent<string>(socket, 'disconnect');
    await t.close();
    // Not `io server disconnect`, after which a client would not reconnect (to another node).
    await expect(disconnected).resolves.toBe('transport close');
    expect(dataSource.isInitialized).toBe(false);
  });

  it('closes sockets for a rolling restart so that clients reconnect by themselves, and takes no new ones', async () => {
    const t = await createTestApp();
    apps.push(t);
    const socket = io(`${t.url}${Namespace.Chat}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 50,
      auth: { token: tokenFor({ id: uniqueId(), role: 'CLIENT' }) },
    });
    try {
      await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
      const disconnected = nextEvent<string>(socket, 'disconnect');
      const retried = new Promise((resolve) => socket.io.once('reconnect_error', resolve));
      t.closeConnections();
      await expect(disconnected).resolves.toBe('transport close');
      // The client tries again on its own; this node refuses, so it can only land elsewhere.
      await expect(retried).resolves.toBeInstanceOf(Error);
      expect(socket.connected).toBe(false);
    } finally {
      socket.close();
    }
  });

  (usingPostgres ? it : it.skip)(
    'starts two nodes at once on a database that still needs its migrations',
    async () => {
      const databaseUrl = await createDatabase(process.env.DATABASE_URL!);
      const storage = () => ({ dataDir: mkdtempSync(join(tmpdir(), 'msg-test-')), databaseUrl });
      const started = await Promise.allSettled([
        createTestApp({ reuse: storage() }),
        createTestApp({ reuse: storage() }),
      ]);
      const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      try {
        expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'up'))).toEqual([
          'up',
          'up',
        ]);
        const done = await nodes[0].app.get(DataSource).query('SELECT name FROM migrations');
        expect(done).toHaveLength(MIGRATIONS.length);
      } finally {
        for (const node of nodes) await node.close({ keepData: true });
        await dropDatabase(process.env.DATABASE_URL!, databaseUrl);
      }
    },
  );

  (usingPostgres ? it : it.skip)(
    'migrates a fresh database with a pool of one connection',
    async () => {
      const databaseUrl = await createDatabase(process.env.DATABASE_URL!);
      const storage = { dataDir: mkdtempSync(join(tmpdir(), 'msg-test-')), databaseUrl };
      const node = await createTestApp({ reuse: storage, env: { DB_POOL_SIZE: '1' } });
      try {
        const done = await node.app.get(DataSource).query('SELECT name FROM migrations');
        expect(done).toHaveLength(MIGRATIONS.length);
      } finally {
        await node.close({ keepData: true });
        await dropDatabase(process.env.DATABASE_URL!, databaseUrl);
      }
    },
  );

  it(`runs on ${usingPostgres ? 'PostgreSQL' : 'embedded PGlite'} as configured`, async () => {
    const t = await createTestApp();
    apps.push(t);
    const [{ version }] = await t.app.get(DataSource).query('SELECT version() AS version');
    expect(version).toMatch(/PostgreSQL/);
    const driver = t.app.get(DataSource).options as { url?: string };
    expect(Boolean(driver.url)).toBe(usingPostgres);
  });
});
