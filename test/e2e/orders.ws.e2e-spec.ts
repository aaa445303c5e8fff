import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatView, MessagePage, MessageView } from '../../src/modules/chat/chat.types.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import {
  ChatClientEvent,
  ChatServerEvent as S,
  LinkedChatClientEvent as C,
  OrderServerEvent,
} from '../../src/realtime/events.js';
import { ok, record, settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { call, makeOrder, moveOrder, must, orderIn, ordersSocket } from '../support/orders.js';
import { closeAllSockets, emitAck, nextEvent } from '../support/sockets.js';

type StatusChanged = {
  orderId: string;
  status: string;
  previousStatus: string;
  changedBy: string;
  timestamp: string;
};

describe('/orders', () => {
  let t: TestApp;
  let client: TestClient, performer: TestClient, outsider: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    [client, performer, outsider] = [
      await makeUser(t, 'CLIENT'),
      await makeUser(t, 'SPECIALIST'),
      await makeUser(t, 'CLIENT'),
    ];
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('walks an order NEW → IN_PROGRESS → DELIVERED → COMPLETED, telling both parties on every socket and no one else', async () => {
    const [clientPhone, clientLaptop, perf, other] = [
      await ordersSocket(t, client),
      await ordersSocket(t, client),
      await ordersSocket(t, performer),
      await ordersSocket(t, outsider),
    ];
    const seen = [clientPhone, clientLaptop, perf, other].map((s) =>
      record<StatusChanged>(s, OrderServerEvent.OrderStatusChanged),
    );
    const order = await makeOrder(t, client, performer, { amount: 120.5, description: 'SVG' });
    expect(order).toMatchObject({
      clientId: client.id,
      performerId: performer.id,
      title: 'Logo design',
      description: 'SVG',
      amount: 120.5,
      status: 'NEW',
    });

    // The performer follows the order chat; the client does not join it.
    const joined = await ok<{ orderId: string; chat: ChatView; messages: MessageView[] }>(
      perf,
      C.JoinChat,
      { orderId: order.id },
    );
    expect(joined.orderId).toBe(order.id);
    expect(joined.chat).toMatchObject({ id: order.chatId, type: 'ORDER', orderId: order.id });
    expect(joined.chat.members.map((m) => m.userId).sort()).toEqual(
      [client.id, performer.id].sort(),
    );
    const system = record<MessageView & { orderId: string }>(perf, S.NewMessage);

    await moveOrder(t, performer, order.id, 'IN_PROGRESS');
    await moveOrder(t, performer, order.id, 'DELIVERED');
    const done = await moveOrder(t, client, order.id, 'COMPLETED');
    expect(done.status).toBe('COMPLETED');
    await settle();

    const moves = [
      ['NEW', 'IN_PROGRESS', performer.id],
      ['IN_PROGRESS', 'DELIVERED', performer.id],
      ['DELIVERED', 'COMPLETED', client.id],
    ];
    for (const received of seen.slice(0, 3)) {
      expect(received.map((e) => [e.previousStatus, e.status, e.changedBy])).toEqual(moves);
      expect(received.every((e) => e.orderId === order.id && !isNaN(Date.parse(e.timestamp)))).toBe(
        true,
      );
    }
    expect(seen[3]).toEqual([]);
    expect(system.map((m) => [m.type, m.senderId, m.orderId, m.chatId])).toEqual(
      moves.map(() => ['SYSTEM', null, order.id, order.chatId]),
    );
    expect(system.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(system[0].text).toContain('IN_PROGRESS');
  });

  it('runs the chat handlers keyed by orderId, with orderId beside chatId in every event', async () => {
    const order = await makeOrder(t, client, performer);
    const [sc, sp] = [await ordersSocket(t, client), await ordersSocket(t, performer)];
    const joinedBare = await ok<{ chat: ChatView }>(sp, C.JoinChat, order.id);
    expect(joinedBare.chat.id).toBe(order.chatId);
    const arrival = nextEvent<{ chatId: string; orderId: string; action: string }>(
      sp,
      S.ParticipantUpdate,
    );
    await ok(sc, C.JoinChat, { orderId: order.id });
    expect(await arrival).toMatchObject({
      chatId: order.chatId,
      orderId: order.id,
      userId: client.id,
      action: 'joined',
    });

    const incoming = nextEvent<MessageView & { orderId: string }>(sp, S.NewMessage);
    const echoes = record(sc, S.NewMessage);
    const sent = await ok<MessageView & { orderId: string }>(sc, C.SendMessage, {
      orderId: order.id,
      text: 'When can you start?',
      clientMessageId: 'c-1',
    });
    expect(sent).toMatchObject({ chatId: order.chatId, orderId: order.id, seq: 1, type: 'TEXT' });
    expect(await incoming).toMatchObject({ id: sent.id, orderId: order.id, chatId: order.chatId });
    const again = await ok<MessageView>(sc, C.SendMessage, {
      orderId: order.id,
      text: 'When can you start?',
      clientMessageId: 'c-1',
    });
    expect(again.id).toBe(sent.id);
    await settle();
    expect(echoes).toEqual([]);

    // getActiveUsers on /chat sees the sockets joined through /orders.
    const viaChat = await chatSocket(t, client);
    const active = await ok<{ userIds: string[] }>(viaChat, ChatClientEvent.GetActiveUsers, {
      chatId: order.chatId,
    });
    expect(active.userIds.sort()).toEqual([client.id, performer.id].sort());

    const typing = nextEvent<{ orderId: string; isTyping: boolean }>(sc, S.UserTyping);
    await ok(sp, C.Typing, { orderId: order.id, isTyping: true });
    expect(await typing).toMatchObject({ orderId: order.id, userId: performer.id, isTyping: true });

    const readSeen = nextEvent<{ orderId: string; lastReadSeq: number }>(sc, S.MessagesRead);
    const read = await ok<{ orderId: string; lastReadSeq: number; unreadCount: number }>(
      sp,
      C.ReadMessages,
      { orderId: order.id, upToSeq: 1 },
    );
    expect(read).toMatchObject({ orderId: order.id, chatId: order.chatId, lastReadSeq: 1 });
    expect(await readSeen).toMatchObject({ orderId: order.id, userId: performer.id });

    const page = await ok<MessagePage>(sp, C.GetMessages, { orderId: order.id, limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual([sent.id]);

    const leaving = nextEvent<{ orderId: string; action: string }>(sp, S.ParticipantUpdate);
    expect(await ok(sc, C.LeaveChat, { orderId: order.id })).toEqual({
      orderId: order.id,
      chatId: order.chatId,
    });
    expect(await leaving).toMatchObject({ orderId: order.id, userId: client.id, action: 'left' });
  });

  it('delivers messages sent on /chat or over REST to /orders sockets, and /orders messages to /chat', async () => {
    const order = await makeOrder(t, client, performer);
    const sp = await ordersSocket(t, performer);
    await ok(sp, C.JoinChat, { orderId: order.id });
    const chat = await chatSocket(t, client);
    await ok(chat, ChatClientEvent.JoinChat, { chatId: order.chatId });

    const fromChat = nextEvent<MessageView & { orderId: string }>(sp, S.NewMessage);
    await ok(chat, ChatClientEvent.SendMessage, { chatId: order.chatId, text: 'via /chat' });
    expect(await fromChat).toMatchObject({ text: 'via /chat', orderId: order.id });

    const fromRest = nextEvent<MessageView & { orderId: string }>(sp, S.NewMessage);
    const overRest = await must<MessageView & { orderId: string }>(
      t,
      client,
      'post',
      `/api/orders/${order.id}/messages`,
      { text: 'via REST' },
    );
    // The REST answer mirrors the socket ack: the Message with orderId beside chatId.
    expect(overRest).toMatchObject({ text: 'via REST', chatId: order.chatId, orderId: order.id });
    expect(await fromRest).toEqual(overRest);

    const onChat = nextEvent<MessageView>(chat, S.NewMessage);
    const sent = await ok<MessageView>(sp, C.SendMessage, {
      orderId: order.id,
      text: 'via /orders',
    });
    expect(await onChat).toMatchObject({ text: 'via /orders', chatId: order.chatId });

    // Edits, reactions and deletes go through /chat and reach /orders with orderId.
    const updates = record<{ orderId: string; id?: string; emoji?: string }>(sp, S.MessageUpdated);
    const reactions = record<{ orderId: string; emoji: string }>(sp, S.ReactionAdded);
    const deletions = record<{ orderId: string; isDeleted: boolean }>(sp, S.MessageDeleted);
    const mine = await ok<MessageView>(chat, ChatClientEvent.SendMessage, {
      chatId: order.chatId,
      text: 'typo',
    });
    await ok(chat, ChatClientEvent.EditMessage, { messageId: mine.id, text: 'fixed' });
    await ok(chat, ChatClientEvent.AddReaction, { messageId: sent.id, emoji: '👍' });
    await ok(chat, ChatClientEvent.DeleteMessage, { messageId: mine.id });
    await settle();
    expect(updates.map((u) => [u.id, u.orderId])).toEqual([[mine.id, order.id]]);
    expect(reactions.map((r) => [r.emoji, r.orderId])).toEqual([['👍', order.id]]);
    expect(deletions.map((d) => [d.isDeleted, d.orderId])).toEqual([[true, order.id]]);
  });

  it('refuses the chat of an order to anyone but its parties, with FORBIDDEN whether or not it exists', async () => {
    const order = await makeOrder(t, client, performer);
    const so = await ordersSocket(t, outsider);
    for (const orderId of [order.id, '00000000-0000-4000-8000-000000000000']) {
      for (const [event, payload] of [
        [C.JoinChat, { orderId }],
        [C.SendMessage, { orderId, text: 'hi' }],
        [C.GetMessages, { orderId }],
        [C.ReadMessages, { orderId, upToSeq: 1 }],
        [C.Typing, { orderId, isTyping: true }],
        [C.LeaveChat, { orderId }],
      ] as const) {
        const ack = await emitAck(so, event, payload);
        expect([event, ack.error?.code]).toEqual([event, 'FORBIDDEN']);
      }
    }
  });

  it('answers bad payloads with VALIDATION_FAILED', async () => {
    const sc = await ordersSocket(t, client);
    for (const [event, payload, field] of [
      [C.JoinChat, { orderId: 'x'.repeat(129) }, 'orderId'],
      [C.JoinChat, { chatId: '00000000-0000-4000-8000-000000000000' }, 'chatId'],
      [C.SendMessage, { orderId: '00000000-0000-4000-8000-000000000000', text: '' }, 'text'],
      [
        C.SendMessage,
        { orderId: '00000000-0000-4000-8000-000000000000', text: 'x'.repeat(4001) },
        'text',
      ],
      [C.Typing, { orderId: '00000000-0000-4000-8000-000000000000', isTyping: 'yes' }, 'isTyping'],
      [C.GetMessages, { orderId: '00000000-0000-4000-8000-000000000000', limit: 101 }, 'limit'],
    ] as const) {
      const ack = await emitAck(sc, event, payload);
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(ack.error?.details)).toContain(field);
    }
  });

  it('lets exactly one of two conflicting status changes win; the other gets CONFLICT', async () => {
    for (let round = 0; round < 3; round++) {
      const order = await orderIn(t, 'IN_PROGRESS', client, performer);
      const results = await Promise.all([
        call(t, client, 'patch', `/api/orders/${order.id}/status`, { status: 'CANCELLED' }),
        call(t, performer, 'patch', `/api/orders/${order.id}/status`, { status: 'DELIVERED' }),
        call(t, client, 'patch', `/api/orders/${order.id}/status`, { status: 'CANCELLED' }),
      ]);
      const won = results.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(2);
      const final = await must<OrderView>(t, client, 'get', `/api/orders/${order.id}`);
      expect(final.status).toBe((won[0].body as OrderView).status);
      const history = await must<MessagePage>(t, client, 'get', `/api/orders/${order.id}/messages`);
      // IN_PROGRESS, then the one winning move: no SYSTEM message for a move that lost.
      expect(history.items.map((m) => m.type)).toEqual(['SYSTEM', 'SYSTEM']);
    }
  });
});
