import { describeNeeding } from '../support/services.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import type { NotificationView } from '../../src/modules/notifications/notification.types.js';
import {
  ChatClientEvent as C,
  ChatServerEvent as S,
  Namespace,
  NotificationServerEvent,
  OrderServerEvent,
  PresenceServerEvent,
} from '../../src/realtime/events.js';
import { ok, record, settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { must, orderIn } from '../support/orders.js';
import { closeAllSockets, connect, nextEvent } from '../support/sockets.js';

// Two nodes on one PostgreSQL database and one Redis: the Socket.IO Redis adapter carries every
// event to the node its sockets are on. Needs both; .ci/run provides them.
const describeCluster = describeNeeding('cluster', ['PostgreSQL', 'Redis']);

describeCluster('two nodes behind one Redis', () => {
  let node1: TestApp, node2: TestApp;
  let a: TestClient, b: TestClient;
  let chat: ChatView;

  beforeAll(async () => {
    node1 = await createTestApp({ env: { PRESENCE_GRACE_MS: '100' } });
    node2 = await createTestApp({ reuse: node1, env: { PRESENCE_GRACE_MS: '100' } });
    [a, b] = [await makeUser(node1), await makeUser(node2)];
    chat = await must<ChatView>(node1, a, 'post', '/api/chats', {
      type: 'GROUP',
      title: 'Across',
      memberIds: [b.id],
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await node2?.close({ keepData: true });
    await node1?.close();
  });

  const socket = (node: TestApp, user: TestClient, ns: string = Namespace.Chat) =>
    connect(node.url, ns, { token: user.token });

  it('carries messages, typing, read receipts and who is active between users on different nodes', async () => {
    const [sa, sb] = [await socket(node1, a), await socket(node2, b)];
    await ok(sa, C.JoinChat, chat.id);
    const joined = nextEvent<{ userId: string }>(sa, S.ParticipantUpdate);
    await ok(sb, C.JoinChat, chat.id);
    expect((await joined).userId).toBe(b.id);

    const arrives = nextEvent<MessageView>(sb, S.NewMessage);
    const sent = await ok<MessageView>(sa, C.SendMessage, {
      chatId: chat.id,
      text: 'hello node 2',
    });
    expect((await arrives).id).toBe(sent.id);

    const typing = nextEvent<{ userId: string; isTyping: boolean }>(sa, S.UserTyping);
    await ok(sb, C.Typing, { chatId: chat.id, isTyping: true });
    expect(await typing).toMatchObject({ userId: b.id, isTyping: true });

    const receipt = nextEvent<{ userId: string; lastReadSeq: number }>(sa, S.MessagesRead);
    await ok(sb, C.ReadMessages, { chatId: chat.id, upToSeq: sent.seq });
    expect(await receipt).toMatchObject({ userId: b.id, lastReadSeq: sent.seq });

    for (const s of [sa, sb]) {
      const active = await ok<{ userIds: string[] }>(s, C.GetActiveUsers, { chatId: chat.id });
      expect(active.userIds.sort()).toEqual([a.id, b.id].sort());
    }
  });

  it('carries presence, notifications and order events between nodes', async () => {
    const [c, p] = [await makeUser(node1, 'CLIENT'), await makeUser(node1, 'SPECIALIST')];
    const watcher = await socket(node2, c, Namespace.Presence);
    const statuses = record<{ userId: string; status: string }>(
      watcher,
      PresenceServerEvent.UserStatus,
    );
    const notifications = record<NotificationView>(
      await socket(node2, c, Namespace.Notifications),
      NotificationServerEvent.NewNotification,
    );
    const orderEvents = record<{ status: string }>(
      await socket(node2, c, Namespace.Orders),
      OrderServerEvent.OrderStatusChanged,
    );
    const order = await orderIn(node1, 'NEW', c, p);
    await socket(node1, p, Namespace.Chat);
    await must(node1, p, 'patch', `/api/orders/${order.id}/status`, { status: 'IN_PROGRESS' });
    await settle(300);
    expect(statuses.filter((e) => e.userId === p.id).map((e) => e.status)).toEqual(['online']);
    expect(orderEvents.map((e) => e.status)).toEqual(['IN_PROGRESS']);
    expect(notifications.map((n) => n.kind)).toEqual(['order.status']);
  });
});
