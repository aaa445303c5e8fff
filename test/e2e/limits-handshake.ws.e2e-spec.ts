import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventEmitter } from 'node:events';
import type { Server } from 'socket.io';
import WebSocket from 'ws';
import { RealtimeMetrics } from '../../src/metrics/realtime.metrics.js';
import { Namespace as Ns } from '../../src/realtime/events.js';
import { settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { scrape, valueOf } from '../support/metrics.js';
import {
  closeAllSockets,
  connect,
  connectError,
  sharedConnection,
  type ClientSocket,
} from '../support/sockets.js';

type Refusal = Error & {
  data?: { code?: string; retryAfterMs?: number; details?: { retryAfterMs: number } };
};

/** messaging_limit_refusals_total{limit} on this app, 0 before the first. */
const refusals = async (t: TestApp, limit: string): Promise<number> =>
  valueOf(await scrape(t), 'messaging_limit_refusals_total', { limit }) ?? 0;

describe('connections per client address', () => {
  let t: TestApp;
  let user: TestClient;
  const from = (address: string) => ({
    token: user.token,
    headers: { 'x-forwarded-for': address },
  });

  beforeAll(async () => {
    t = await createTestApp({
      env: { LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '3', TRUST_PROXY: 'true' },
    });
    user = await makeUser(t);
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('refuses a connection over the address’s rate with connect_error RATE_LIMITED and retryAfterMs', async () => {
    for (let i = 0; i < 3; i += 1) (await connect(t.url, Ns.Chat, from('203.0.113.1'))).close();
    const before = await refusals(t, 'connection_rate');
    const refused: Refusal = await connectError(t.url, Ns.Chat, from('203.0.113.1'));
    expect(await refusals(t, 'connection_rate')).toBe(before + 1);
    expect(refused.message).toBe('too many connections');
    expect(refused.data).toEqual({
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
      details: { retryAfterMs: refused.data?.retryAfterMs },
    });
    expect(refused.data?.retryAfterMs).toBeGreaterThan(0);
  });

  it('cannot be escaped by changing the X-Forwarded-For entries before the proxy’s', async () => {
    const spoofed = (first: string) => ({
      token: user.token,
      headers: { 'x-forwarded-for': `${first}, 203.0.113.5` },
    });
    for (let i = 0; i < 3; i += 1) (await connect(t.url, Ns.Chat, spoofed(`192.0.2.${i}`))).close();
    const refused: Refusal = await connectError(t.url, Ns.Chat, spoofed('192.0.2.99'));
    expect(refused.data?.code).toBe('RATE_LIMITED');
  });

  it('closes a refused connection that never asks for a namespace', async () => {
    for (let i = 0; i < 3; i += 1) (await connect(t.url, Ns.Chat, from('203.0.113.6'))).close();
    const idle = new WebSocket(
      `${t.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`,
      {
        headers: { 'x-forwarded-for': '203.0.113.6' },
      },
    );
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    await new Promise((resolve) => idle.once('open', resolve));
    await closed;
    expect(idle.readyState).toBe(WebSocket.CLOSED);
  });

  it('leaves other addresses connecting', async () => {
    for (let i = 0; i < 3; i += 1) (await connect(t.url, Ns.Chat, from('203.0.113.2'))).close();
    await connectError(t.url, Ns.Chat, from('203.0.113.2'));
    await expect(connect(t.url, Ns.Chat, from('203.0.113.3'))).resolves.toBeDefined();
  });

  it('counts one connection once, whatever namespaces it carries', async () => {
    const shared = sharedConnection(t.url, { 'x-forwarded-for': '203.0.113.4' });
    for (const ns of [Ns.Chat, Ns.Orders, Ns.Disputes, Ns.Notifications, Ns.Presence]) {
      await expect(shared.open(ns, user.token)).resolves.toBeDefined();
    }
  });

  it('lets one connection carry all five namespaces without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): number => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const shared = sharedConnection(t.url, { 'x-forwarded-for': '203.0.113.9' });
      for (const ns of [Ns.Chat, Ns.Orders, Ns.Disputes, Ns.Notifications, Ns.Presence]) {
        await shared.open(ns, user.token);
      }
      await settle(50);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    // The server's side of each client connection (RealtimeMetrics holds the Socket.IO server).
    const { server } = t.app.get<{ server: Server }>(RealtimeMetrics);
    const { clients } = server.engine as unknown as { clients: Record<string, EventEmitter> };
    const connections = Object.values(clients);
    expect(connections.length).toBeGreaterThan(0);
    for (const conn of connections) {
      // Node warns once a count passes this limit. Five namespaces hold 8 close listeners, under
      // Node's default of 10 by little: the limit is raised with room for as many again.
      expect(conn.getMaxListeners()).toBeGreaterThanOrEqual(2 * conn.listenerCount('close'));
    }
  });
});

describe('connections per client address, without a trusted proxy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('counts the peer address and ignores X-Forwarded-For', async () => {
    const user = await makeUser(t);
    const via = (address: string) => ({
      token: user.token,
      headers: { 'x-forwarded-for': address },
    });
    for (let i = 0; i < 3; i += 1) (await connect(t.url, Ns.Chat, via(`198.51.100.${i}`))).close();
    const refused: Refusal = await connectError(t.url, Ns.Chat, via('198.51.100.99'));
    expect(refused.data?.code).toBe('RATE_LIMITED');
  });
});

describe('sockets per user', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { LIMIT_SOCKETS_PER_USER: '2' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('refuses a socket beyond the limit with connect_error CONFLICT, counting each namespace', async () => {
    const user = await makeUser(t);
    await connect(t.url, Ns.Chat, { token: user.token });
    await connect(t.url, Ns.Presence, { token: user.token });
    const before = await refusals(t, 'sockets_per_user');
    const refused: Refusal = await connectError(t.url, Ns.Orders, { token: user.token });
    expect(await refusals(t, 'sockets_per_user')).toBe(before + 1);
    expect(refused.message).toBe('too many connections');
    expect(refused.data).toEqual({ code: 'CONFLICT' });
  });

  it('gives the place back when a socket disconnects', async () => {
    const user = await makeUser(t);
    const first = await connect(t.url, Ns.Chat, { token: user.token });
    await connect(t.url, Ns.Chat, { token: user.token });
    await expect(connect(t.url, Ns.Chat, { token: user.token })).rejects.toThrow();
    first.close();
    let third: ClientSocket | undefined;
    for (let tries = 0; !third && tries < 20; tries += 1) {
      third = await connect(t.url, Ns.Chat, { token: user.token }).catch(() => undefined);
      if (!third) await settle(50);
    }
    expect(third?.connected).toBe(true);
  });

  it('keeps nothing for handshakes it refuses, however many one connection asks for', async () => {
    const user = await makeUser(t);
    const shared = sharedConnection(t.url);
    await shared.open(Ns.Chat, user.token);
    await shared.open(Ns.Presence, user.token);
    const { server } = t.app.get<{ server: Server }>(RealtimeMetrics);
    const { clients } = server.engine as unknown as { clients: Record<string, EventEmitter> };
    const conn = clients[shared.id()!];
    const closeListeners = () => conn.listenerCount('close');
    const before = closeListeners();
    for (let i = 0; i < 10; i += 1) {
      const refused: Refusal = await shared.open(Ns.Orders, user.token).then(
        () => ({}) as Refusal,
        (error: Refusal) => error,
      );
      expect(refused.data).toEqual({ code: 'CONFLICT' });
    }
    expect(closeListeners()).toEqual(before);
  });

  it('counts each user apart', async () => {
    const [busy, other] = [await makeUser(t), await makeUser(t)];
    await connect(t.url, Ns.Chat, { token: busy.token });
    await connect(t.url, Ns.Chat, { token: busy.token });
    await expect(connect(t.url, Ns.Chat, { token: busy.token })).rejects.toThrow();
    await expect(connect(t.url, Ns.Chat, { token: other.token })).resolves.toBeDefined();
  });
});
