import { describeNeeding } from '../support/services.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import type { NotificationView } from '../../src/modules/notifications/notification.types.js';
import { ChatRealtime } from '../../src/modules/chat/chat.realtime.js';
import {
  ChatClientEvent as C,
  ChatServerEvent as S,
  DisputeServerEvent,
  Namespace,
  NotificationClientEvent,
  NotificationServerEvent,
  OrderServerEvent,
  PresenceClientEvent,
  PresenceServerEvent,
} from '../../src/realtime/events.js';
import { ok, record, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { disputeOn, must, orderIn } from '../support/orders.js';
import { closeAllSockets, connect, nextEvent, type ClientSocket } from '../support/sockets.js';

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
    await waitUntil(
      () =>
        statuses.some((e) => e.userId === p.id) &&
        orderEvents.length > 0 &&
        notifications.length > 0,
      5000,
      'the events did not all reach node 2',
    );
    expect(statuses.filter((e) => e.userId === p.id).map((e) => e.status)).toEqual(['online']);
    expect(orderEvents.map((e) => e.status)).toEqual(['IN_PROGRESS']);
    expect(notifications.map((n) => n.kind)).toEqual(['order.status']);
  });

  it('delivers every server-to-client event of the contract to a socket on the other node', async () => {
    // The actors act on node 1 (sockets, and REST, which runs on the node it is sent to); the
    // receiver x has one socket per namespace on node 2, and a second chat socket joined to a chat.
    const [x, p, m] = [
      await makeUser(node2, 'CLIENT'),
      await makeUser(node2, 'SPECIALIST'),
      await makeUser(node2, 'MODERATOR'),
    ];
    const sa = await socket(node1, a);
    const aPresence = await socket(node1, a, Namespace.Presence);
    const xOn2 = {
      chat: await socket(node2, x),
      joined: await socket(node2, x),
      orders: await socket(node2, x, Namespace.Orders),
      disputes: await socket(node2, x, Namespace.Disputes),
      notifications: await socket(node2, x, Namespace.Notifications),
      presence: await socket(node2, x, Namespace.Presence),
    };
    const shared = await ok<ChatView>(sa, C.CreateChat, {
      type: 'GROUP',
      title: 'Joined by x',
      memberIds: [x.id],
    });
    const quiet = await ok<ChatView>(sa, C.CreateChat, {
      type: 'GROUP',
      title: 'Not joined by x',
      memberIds: [x.id],
    });
    await ok(sa, C.JoinChat, shared.id);
    await ok(xOn2.joined, C.JoinChat, shared.id);
    const message = await ok<MessageView>(sa, C.SendMessage, { chatId: shared.id, text: 'one' });
    const order = await orderIn(node1, 'NEW', x, p);
    const dispute = await disputeOn(node1, x, p, m);

    type Payload = Record<string, unknown>;
    const cases: {
      event: string;
      at: ClientSocket;
      act: () => Promise<unknown>;
      is: (payload: Payload) => boolean;
    }[] = [
      {
        event: S.MessageUpdated,
        at: xOn2.joined,
        act: () => ok(sa, C.EditMessage, { messageId: message.id, text: 'edited' }),
        is: (e) => e.id === message.id && e.text === 'edited',
      },
      {
        event: S.ReactionAdded,
        at: xOn2.joined,
        act: () => ok(sa, C.AddReaction, { messageId: message.id, emoji: '👍' }),
        is: (e) => e.messageId === message.id && e.emoji === '👍',
      },
      {
        event: S.ReactionRemoved,
        at: xOn2.joined,
        act: () => ok(sa, C.RemoveReaction, { messageId: message.id, emoji: '👍' }),
        is: (e) => e.messageId === message.id && e.emoji === '👍',
      },
      {
        event: S.MessageDeleted,
        at: xOn2.joined,
        act: () => ok(sa, C.DeleteMessage, { messageId: message.id }),
        is: (e) => e.id === message.id && e.isDeleted === true,
      },
      {
        event: S.ChatActivity,
        at: xOn2.chat,
        act: () => ok(sa, C.SendMessage, { chatId: quiet.id, text: 'psst' }),
        is: (e) => e.chatId === quiet.id && e.unreadCount === 1,
      },
      {
        event: NotificationServerEvent.NewNotification,
        at: xOn2.notifications,
        act: () =>
          must(node1, p, 'patch', `/api/orders/${order.id}/status`, { status: 'IN_PROGRESS' }),
        is: (e) => e.kind === 'order.status',
      },
      {
        event: NotificationServerEvent.UnreadCount,
        at: xOn2.notifications,
        act: async () =>
          ok(
            await socket(node1, x, Namespace.Notifications),
            NotificationClientEvent.MarkAllRead,
            {},
          ),
        is: (e) => e.count === 0,
      },
      {
        event: OrderServerEvent.OrderStatusChanged,
        at: xOn2.orders,
        act: () =>
          must(node1, x, 'patch', `/api/orders/${order.id}/status`, { status: 'CANCELLED' }),
        is: (e) => e.orderId === order.id && e.status === 'CANCELLED',
      },
      {
        event: DisputeServerEvent.DisputeStatusChanged,
        at: xOn2.disputes,
        act: () =>
          must(node1, m, 'patch', `/api/disputes/${dispute.id}/status`, {
            status: 'RESOLVED',
            resolution: 'Refunded',
          }),
        is: (e) => e.disputeId === dispute.id && e.status === 'RESOLVED',
      },
      {
        event: PresenceServerEvent.UserStatus,
        at: xOn2.presence,
        act: () => ok(aPresence, PresenceClientEvent.UpdateStatus, { status: 'away' }),
        is: (e) => e.userId === a.id && e.status === 'away',
      },
      {
        event: S.ChatCreated,
        at: xOn2.chat,
        act: () => ok(sa, C.CreateChat, { type: 'GROUP', title: 'New', memberIds: [x.id] }),
        is: (e) => e.title === 'New',
      },
      {
        event: S.ChatStatusChanged,
        at: xOn2.chat,
        act: () => ok(sa, C.SetChatStatus, { chatId: shared.id, status: 'CLOSED' }),
        is: (e) => e.chatId === shared.id && e.status === 'CLOSED',
      },
      {
        event: S.ChatDeleted,
        at: xOn2.chat,
        act: () => ok(sa, C.DeleteChat, { chatId: shared.id }),
        is: (e) => e.chatId === shared.id && e.deletedBy === a.id,
      },
    ];
    const missing: string[] = [];
    for (const { event, at, act, is } of cases) {
      const seen = record<Payload>(at, event);
      await act();
      await waitUntil(() => seen.some(is), 5000, event).catch(() => missing.push(event));
    }
    expect(missing).toEqual([]);

    // x's node-2 socket left the deleted chat's room: an event node 1 sends to that room no
    // longer reaches it, while one sent next to a chat x is still joined to does.
    await ok(xOn2.joined, C.JoinChat, quiet.id);
    const reactions = record<{ chatId: string }>(xOn2.joined, S.ReactionAdded);
    const realtime = node1.app.get(ChatRealtime);
    for (const chatId of [shared.id, quiet.id]) {
      realtime.reactionAdded({ chatId, messageId: message.id, userId: a.id, emoji: '👍' });
    }
    await waitUntil(() => reactions.length > 0, 5000, 'no event of the joined chat');
    expect(reactions.map((e) => e.chatId)).toEqual([quiet.id]);
  });
});
