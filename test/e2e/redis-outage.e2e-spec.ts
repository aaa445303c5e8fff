import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ChatView, Page } from '../../src/modules/chat/chat.types.js';
import type { NotificationView } from '../../src/modules/notifications/notification.types.js';
import { settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser } from '../support/factories.js';
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
