import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ChatClientEvent as C, Namespace } from '../../src/realtime/events.js';
import { makeGroup } from '../support/chat.js';
import { createTestApp, usingRedis, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser } from '../support/factories.js';
import { scrape, valueOf, waitForValue, type Sample } from '../support/metrics.js';
import { closeAllSockets, connect, emitAck } from '../support/sockets.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { createTestAppBehindDatabaseProxy, describeNeeding } from '../support/services.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

const sent = { namespace: Namespace.Chat, event: C.SendMessage };
const counts = (samples: Sample[]): Record<string, number | undefined> => ({
  received: valueOf(samples, 'messaging_ws_events_received_total', sent),
  ok: valueOf(samples, 'messaging_ws_acks_total', { ...sent, code: 'OK' }),
  forbidden: valueOf(samples, 'messaging_ws_acks_total', { ...sent, code: 'FORBIDDEN' }),
  timed: valueOf(samples, 'messaging_ws_ack_duration_seconds_count', sent),
});

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await t?.close();
  });

  it('serves the Prometheus text format without a token, outside /api', async () => {
    const res = await request(t.url).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE messaging_process_cpu_seconds_total counter');
    expect(res.text).toContain('# TYPE messaging_nodejs_heap_size_used_bytes gauge');
    await request(t.url).get('/api/metrics').expect(404);
  });

  it('counts the sockets connected to each namespace', async () => {
    const user = await makeUser(t);
    await waitForValue(t, 'messaging_sockets_connected', { namespace: Namespace.Chat }, 0);
    const first = await chatSocket(t, user);
    await chatSocket(t, user);
    await connect(t.url, Namespace.Presence, { token: user.token });
    const samples = await scrape(t);
    expect(valueOf(samples, 'messaging_sockets_connected', { namespace: Namespace.Chat })).toBe(2);
    expect(valueOf(samples, 'messaging_sockets_connected', { namespace: Namespace.Presence })).toBe(
      1,
    );
    expect(valueOf(samples, 'messaging_sockets_connected', { namespace: Namespace.Orders })).toBe(
      0,
    );
    first.close();
    await waitForValue(t, 'messaging_sockets_connected', { namespace: Namespace.Chat }, 1);
  });

  it('counts a successful and a refused sendMessage by code, and times both', async () => {
    const [owner, member, outsider] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, owner, [member]);
    const before = counts(await scrape(t));
    const okAck = await emitAck(await chatSocket(t, owner), C.SendMessage, {
      chatId: chat.id,
      text: 'hello',
    });
    expect(okAck.ok).toBe(true);
    const refused = await emitAck(await chatSocket(t, outsider), C.SendMessage, {
      chatId: chat.id,
      text: 'let me in',
    });
    expect(refused.error?.code).toBe('FORBIDDEN');
    const after = counts(await scrape(t));
    const delta = (key: string): number => (after[key] ?? 0) - (before[key] ?? 0);
    expect({
      received: delta('received'),
      ok: delta('ok'),
      forbidden: delta('forbidden'),
      timed: delta('timed'),
    }).toEqual({ received: 2, ok: 1, forbidden: 1, timed: 2 });
  });

  it('puts each ack latency in a bucket between 0.5 ms and 5 s', async () => {
    const user = await makeUser(t);
    await emitAck(await chatSocket(t, user), C.GetMyChats, {});
    const samples = await scrape(t);
    const bucket = (le: string): number | undefined =>
      valueOf(samples, 'messaging_ws_ack_duration_seconds_bucket', {
        namespace: Namespace.Chat,
        event: C.GetMyChats,
        le,
      });
    const bounds = ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25'];
    const counts = [...bounds, '0.5', '1', '2.5', '5'].map(bucket);
    expect(counts.every((c) => typeof c === 'number')).toBe(true);
    // Cumulative: each bucket holds at least what the one below holds.
    expect(counts).toEqual([...(counts as number[])].sort((x, y) => x - y));
    expect(bucket('5')).toBe(
      valueOf(samples, 'messaging_ws_ack_duration_seconds_count', {
        namespace: Namespace.Chat,
        event: C.GetMyChats,
      }),
    );
    expect(bucket('+Inf')).toBe(bucket('5'));
  });

  it('reports the database up and its pool', async () => {
    const samples = await scrape(t);
    expect(valueOf(samples, 'messaging_db_up')).toBe(1);
    expect(valueOf(samples, 'messaging_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'messaging_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'messaging_db_pool_waiting')).toBe(0);
  });

  it(
    usingRedis ? 'reports redis_up 1 with REDIS_URL set' : 'reports no redis_up without REDIS_URL',
    async () => {
      expect(valueOf(await scrape(t), 'messaging_redis_up')).toBe(usingRedis ? 1 : undefined);
    },
  );
});

describe('GET /metrics with two apps in one process', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp();
  });
  afterAll(async () => {
    closeAllSockets();
    await a?.close();
    await b?.close();
  });

  it("reports each app's own sockets and events", async () => {
    // Over the socket only: passport's 'jwt' strategy is process-wide, so REST on the first of
    // two concurrent apps checks tokens through the second one's.
    const socket = await connect(a.url, Namespace.Chat, {
      token: tokenFor({ id: uniqueId(), role: 'CLIENT' }),
    });
    await emitAck(socket, C.GetMyChats, {});
    const [onA, onB] = [await scrape(a), await scrape(b)];
    const chat = { namespace: Namespace.Chat };
    expect(valueOf(onA, 'messaging_sockets_connected', chat)).toBe(1);
    expect(valueOf(onB, 'messaging_sockets_connected', chat)).toBe(0);
    const received = { ...chat, event: C.GetMyChats };
    expect(valueOf(onA, 'messaging_ws_events_received_total', received)).toBe(1);
    expect(valueOf(onB, 'messaging_ws_events_received_total', received)).toBeUndefined();
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'scrape-token-0123456789';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a scrape without the token with 401 UNAUTHORIZED', async () => {
    const res = await request(t.url).get('/metrics').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    expect(res.text).not.toContain('messaging_');
  });

  it('refuses a wrong token and a token in another scheme', async () => {
    await request(t.url).get('/metrics').set('Authorization', `Bearer ${token}x`).expect(401);
    await request(t.url).get('/metrics').set('Authorization', `Basic ${token}`).expect(401);
  });

  it('serves the metrics with Authorization: Bearer <METRICS_TOKEN>', async () => {
    expect(valueOf(await scrape(t, token), 'messaging_db_up')).toBe(1);
  });

  it('leaves /health open', async () => {
    await request(t.url).get('/health').expect(200);
  });
});

describe('GET /metrics with Redis configured but unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there, so Redis is "down" on any machine.
    t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports redis_up 0 and the database still up', async () => {
    const samples = await scrape(t);
    expect(valueOf(samples, 'messaging_redis_up')).toBe(0);
    expect(valueOf(samples, 'messaging_db_up')).toBe(1);
  });
});

// PGlite runs inside the process and cannot go away on its own: this needs PostgreSQL.
const describePostgres = describeNeeding('metrics db_up 0', ['PostgreSQL']);

describePostgres('GET /metrics with PostgreSQL gone', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, proxy, close } = await createTestAppBehindDatabaseProxy());
  });
  afterAll(async () => {
    await close?.();
  });

  it('reports db_up 0 while the database does not answer, and 1 once it is back', async () => {
    expect(valueOf(await scrape(t), 'messaging_db_up')).toBe(1);
    await proxy.stop();
    expect(valueOf(await scrape(t), 'messaging_db_up')).toBe(0);
    await proxy.start();
    await waitForValue(t, 'messaging_db_up', {}, 1, 10_000);
  });
});
