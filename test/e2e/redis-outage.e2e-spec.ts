import { afterAll, beforeAll, expect, it } from '@jest/globals';
import request from 'supertest';
import type { ChatView, Page } from '../../src/modules/chat/chat.types.js';
import type { NotificationView } from '../../src/modules/notifications/notification.types.js';
import type { RedisClusterLink } from '../../src/realtime/redis-cluster.adapter.js';
import { REDIS_CLUSTER } from '../../src/redis/redis.tokens.js';
import { record, settle, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser } from '../support/factories.js';
import { closeAllSockets, connect, emitAck } from '../support/sockets.js';
import { Namespace, PresenceClientEvent, PresenceServerEvent } from '../../src/realtime/events.js';
import { scrape, valueOf } from '../support/metrics.js';
import { must } from '../support/orders.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { describeNeeding, proxyTo } from '../support/services.js';

// One node whose Redis goes away mid-run (the cluster-processes suite does it to two nodes).
const describeRedis = describeNeeding('redis-outage', ['Redis']);

describeRedis('Redis going away mid-run', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    let url: string;
    ({ proxy, url } = await proxyTo(process.env.REDIS_URL!));
    t = await createTestApp({ env: { REDIS_URL: url } });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
  });

  it('still notifies a member who is not looking at the chat', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await must<ChatView>(t, a, 'post', '/api/chats', { type: 'DIRECT', userId: b.id });
    await proxy.stop();
    await must(t, a, 'post', `/api/chats/${chat.id}/messages`, { text: 'while Redis is away' });
    let listed: NotificationView[] = [];
    for (const deadline = Date.now() + 5000; listed.length === 0 && Date.now() < deadline;) {
      await settle(100);
      listed = (await must<Page<NotificationView>>(t, b, 'get', '/api/notifications')).items;
    }
    expect(listed.map((n) => [n.kind, n.message])).toEqual([
      ['message.new', 'while Redis is away'],
    ]);
  });
});

describeRedis('Redis that stops answering', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    let url: string;
    ({ proxy, url } = await proxyTo(process.env.REDIS_URL!));
    t = await createTestApp({ env: { REDIS_URL: url, REDIS_COMMAND_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    closeAllSockets();
    proxy?.resume();
    await t?.close();
    await proxy?.stop();
  });

  it('answers UNAVAILABLE while its commands go unanswered, and serves again once they are', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    await must(t, a, 'get', `/api/presence/${b.id}`);
    // Connections stay open and carry nothing: a hung server, or a path that silently stopped.
    proxy.stall();
    const stalled = await request(t.url)
      .get(`/api/presence/${b.id}`)
      .set('Authorization', `Bearer ${a.token}`)
      .expect(503);
    expect(stalled.body).toMatchObject({ code: 'UNAVAILABLE' });
    proxy.resume();
    // The timed-out connection was closed; ioredis makes it again within its retry delay.
    const presenceOfB = () =>
      request(t.url).get(`/api/presence/${b.id}`).set('Authorization', `Bearer ${a.token}`);
    await waitUntil(async () => (await presenceOfB()).status === 200, 10_000, 'presence again');
    expect((await presenceOfB()).body).toMatchObject({ userId: b.id, status: 'offline' });
  });

  it('tells peers of a user who came online while it hung, once it answers again', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    await must(t, a, 'post', '/api/chats', { type: 'DIRECT', userId: b.id });
    const watcher = await connect(t.url, Namespace.Presence, { token: b.token });
    const seen = record<{ userId: string; status: string }>(
      watcher,
      PresenceServerEvent.UserStatus,
    );
    await settle(300);
    proxy.stall();
    await chatSocket(t, a);
    await settle(1000);
    proxy.resume();
    await waitUntil(
      () => seen.some((e) => e.userId === a.id && e.status === 'online'),
      15_000,
      "a's userStatus online",
    );
  });

  it('watches no one new after a subscribe refused UNAVAILABLE', async () => {
    const [a, b, c] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    const watcher = await connect(t.url, Namespace.Presence, { token: a.token });
    const seen = record<{ userId: string }>(watcher, PresenceServerEvent.UserStatus);
    proxy.stall();
    await expect(
      emitAck(watcher, PresenceClientEvent.Subscribe, { userIds: [b.id] }),
    ).resolves.toMatchObject({ error: { code: 'UNAVAILABLE' } });
    proxy.resume();
    const subscribed = () => emitAck(watcher, PresenceClientEvent.Subscribe, { userIds: [c.id] });
    await waitUntil(async () => (await subscribed()).ok, 10_000, 'subscribe answered again');
    await chatSocket(t, b);
    await chatSocket(t, c);
    await waitUntil(() => seen.some((e) => e.userId === c.id), 5000, "c's userStatus");
    await settle(300);
    expect(seen.map((e) => e.userId)).toEqual([c.id]);
  });
});

describeRedis('the Socket.IO Redis adapter losing its connections', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports not ready, in /health/ready and redis_up, while Redis itself still answers', async () => {
    await request(t.url).get('/health/ready').expect(200);
    expect(valueOf(await scrape(t), 'messaging_redis_up')).toBe(1);
    // The node would be deaf to the other nodes: its adapter's publisher and subscriber are gone.
    await t.app.get<RedisClusterLink>(REDIS_CLUSTER).close();
    const ready = await request(t.url).get('/health/ready').expect(503);
    expect(ready.body.details.redis.status).toBe('down');
    expect(valueOf(await scrape(t), 'messaging_redis_up')).toBe(0);
  });
});
