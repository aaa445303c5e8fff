import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MessageType } from '../../src/modules/chat/entities/message.entity.js';
import type {
  ChatView,
  MessagePage,
  MessageView,
  Page,
} from '../../src/modules/chat/chat.types.js';
import type { DisputeView } from '../../src/modules/disputes/dispute.types.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import {
  ChatServerEvent as S,
  DisputeServerEvent,
  LinkedChatClientEvent as C,
  OrderServerEvent,
} from '../../src/realtime/events.js';
import { ok, record, settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import {
  call,
  disputeOn,
  disputesSocket,
  must,
  openDispute,
  orderIn,
  ordersSocket,
} from '../support/orders.js';
import { closeAllSockets, emitAck, nextEvent, type ClientSocket } from '../support/sockets.js';

type DisputeChanged = {
  disputeId: string;
  orderId: string;
  status: string;
  previousStatus: string;
  changedBy: string;
  timestamp: string;
};

describe('/disputes', () => {
  let t: TestApp;
  let client: TestClient, performer: TestClient, moderator: TestClient, otherModerator: TestClient;
  let outsider: TestClient, admin: TestClient;

  beforeAll(async () => {
    // The chat creation rate off: one client opens an order (and a dispute) for each case.
    t = await createTestApp({ env: { LIMIT_CHATS_PER_MINUTE: '0' } });
    [client, performer, moderator, otherModerator, outsider, admin] = [
      await makeUser(t, 'CLIENT'),
      await makeUser(t, 'SPECIALIST', 'Pat Performer'),
      await makeUser(t, 'MODERATOR', 'Mo Derator'),
      await makeUser(t, 'MODERATOR'),
      await makeUser(t, 'CLIENT'),
      await makeUser(t, 'ADMIN'),
    ];
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('opens, assigns and resolves a dispute, telling the participants on every socket and no one else', async () => {
    const order = await orderIn(t, 'DELIVERED', client, performer);
    const sockets = {
      clientOrders: await ordersSocket(t, client),
      clientDisputes: await disputesSocket(t, client),
      clientDisputes2: await disputesSocket(t, client),
      performerDisputes: await disputesSocket(t, performer),
      moderatorDisputes: await disputesSocket(t, moderator),
      otherModerator: await disputesSocket(t, otherModerator),
      outsiderDisputes: await disputesSocket(t, outsider),
      outsiderOrders: await ordersSocket(t, outsider),
    };
    const orderEvents = record<{ orderId: string; status: string; previousStatus: string }>(
      sockets.clientOrders,
      OrderServerEvent.OrderStatusChanged,
    );
    const outsiderOrderEvents = record(sockets.outsiderOrders, OrderServerEvent.OrderStatusChanged);
    const disputeEvents = Object.fromEntries(
      Object.entries(sockets).map(([name, s]) => [
        name,
        record<DisputeChanged>(s, DisputeServerEvent.DisputeStatusChanged),
      ]),
    );

    const dispute = await openDispute(t, performer, order.id, '  Client does not answer  ');
    expect(dispute).toMatchObject({
      orderId: order.id,
      openedBy: performer.id,
      reason: 'Client does not answer',
      status: 'OPEN',
      moderatorId: null,
      resolution: null,
    });
    expect(dispute.chatId).not.toBe(order.chatId);
    const disputed = await must<OrderView>(t, client, 'get', `/api/orders/${order.id}`);
    expect(disputed.status).toBe('DISPUTED');

    // The client follows the dispute chat from the start.
    const joined = await ok<{ disputeId: string; chat: ChatView; messages: MessageView[] }>(
      sockets.clientDisputes,
      C.JoinChat,
      { disputeId: dispute.id },
    );
    expect(joined.chat).toMatchObject({
      id: dispute.chatId,
      type: 'DISPUTE',
      disputeId: dispute.id,
      orderId: order.id,
    });
    expect(joined.messages.map((m) => [m.type, m.text])).toEqual([
      ['SYSTEM', 'Dispute opened: Client does not answer'],
    ]);
    const systemInDispute = record<MessageView & { disputeId: string }>(
      sockets.clientDisputes,
      S.NewMessage,
    );

    const taken = await must<DisputeView>(
      t,
      moderator,
      'post',
      `/api/disputes/${dispute.id}/assign`,
    );
    expect(taken).toMatchObject({ status: 'IN_REVIEW', moderatorId: moderator.id });
    const inChat = await must<ChatView>(t, moderator, 'get', `/api/chats/${dispute.chatId}`);
    expect(inChat.members.find((m) => m.userId === moderator.id)).toBeDefined();

    const resolved = await must<DisputeView>(
      t,
      moderator,
      'patch',
      `/api/disputes/${dispute.id}/status`,
      { status: 'RESOLVED', resolution: 'Partial refund' },
    );
    expect(resolved).toMatchObject({ status: 'RESOLVED', resolution: 'Partial refund' });
    const after = await must<OrderView>(t, client, 'get', `/api/orders/${order.id}`);
    expect(after.status).toBe('DELIVERED');
    await settle();

    const expected = [
      ['OPEN', 'IN_REVIEW', moderator.id],
      ['IN_REVIEW', 'RESOLVED', moderator.id],
    ];
    for (const name of [
      'clientDisputes',
      'clientDisputes2',
      'performerDisputes',
      'moderatorDisputes',
    ]) {
      expect([
        name,
        disputeEvents[name].map((e) => [e.previousStatus, e.status, e.changedBy]),
      ]).toEqual([name, expected]);
      expect(
        disputeEvents[name].every((e) => e.disputeId === dispute.id && e.orderId === order.id),
      ).toBe(true);
    }
    expect(disputeEvents.otherModerator).toEqual([]);
    expect(disputeEvents.outsiderDisputes).toEqual([]);
    expect(orderEvents.map((e) => [e.previousStatus, e.status])).toEqual([
      ['DELIVERED', 'DISPUTED'],
      ['DISPUTED', 'DELIVERED'],
    ]);
    expect(outsiderOrderEvents).toEqual([]);
    expect(systemInDispute.map((m) => [m.type, m.disputeId, m.text])).toEqual([
      ['SYSTEM', dispute.id, 'Mo Derator is reviewing the dispute'],
      ['SYSTEM', dispute.id, 'Dispute resolved: Partial refund'],
    ]);
    const orderChat = await must<MessagePage>(t, client, 'get', `/api/orders/${order.id}/messages`);
    expect(
      orderChat.items
        .filter((m) => m.type === MessageType.System)
        .map((m) => m.text)
        .slice(-2),
    ).toEqual([
      'Order status changed from DELIVERED to DISPUTED',
      'Order status changed from DISPUTED to DELIVERED',
    ]);
  });

  it('runs the chat handlers keyed by disputeId for the parties and any moderator', async () => {
    const dispute = await disputeOn(t, client, performer);
    const [sc, sm] = [await disputesSocket(t, client), await disputesSocket(t, otherModerator)];
    await ok(sc, C.JoinChat, dispute.id);
    await ok(sm, C.JoinChat, { disputeId: dispute.id });
    const incoming = nextEvent<MessageView & { disputeId: string }>(sc, S.NewMessage);
    const sent = await ok<MessageView & { disputeId: string }>(sm, C.SendMessage, {
      disputeId: dispute.id,
      text: 'Please upload the files',
    });
    expect(sent).toMatchObject({ disputeId: dispute.id, senderRole: 'MODERATOR' });
    expect(await incoming).toMatchObject({ id: sent.id, disputeId: dispute.id });
    const typing = nextEvent<{ disputeId: string }>(sm, S.UserTyping);
    await ok(sc, C.Typing, { disputeId: dispute.id, isTyping: true });
    expect(await typing).toMatchObject({ disputeId: dispute.id, userId: client.id });
    const read = await ok<{ disputeId: string; unreadCount: number }>(sc, C.ReadMessages, {
      disputeId: dispute.id,
      messageIds: [sent.id],
    });
    expect(read).toMatchObject({ disputeId: dispute.id, unreadCount: 0 });
    const page = await ok<MessagePage>(sc, C.GetMessages, { disputeId: dispute.id });
    expect(page.items.map((m) => m.type)).toEqual(['SYSTEM', 'TEXT']);
    const overRest = await must<MessageView & { disputeId: string }>(
      t,
      performer,
      'post',
      `/api/disputes/${dispute.id}/messages`,
      { text: 'REST' },
    );
    expect(overRest).toMatchObject({ chatId: dispute.chatId, disputeId: dispute.id });
    const rest = await must<MessagePage>(
      t,
      otherModerator,
      'get',
      `/api/disputes/${dispute.id}/messages`,
    );
    expect(rest.items.map((m) => m.text).slice(-1)).toEqual(['REST']);
    expect(await emitAck(await disputesSocket(t, outsider), C.JoinChat, dispute.id)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('announces a dispute chat with chatCreated before any activity in it', async () => {
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const [performerChat, moderatorChat] = [
      await chatSocket(t, performer),
      await chatSocket(t, moderator),
    ];
    const seen = (socket: ClientSocket): string[] => {
      const events: string[] = [];
      socket.onAny((event: string, payload: { id?: string; chatId?: string }) =>
        events.push(`${event}:${payload.chatId ?? payload.id}`),
      );
      return events;
    };
    const [byPerformer, byModerator] = [seen(performerChat), seen(moderatorChat)];
    const dispute = await openDispute(t, client, order.id);
    await must(t, moderator, 'post', `/api/disputes/${dispute.id}/assign`);
    await settle();
    for (const events of [byPerformer, byModerator]) {
      const mine = events.filter((e) => e.endsWith(dispute.chatId));
      expect(mine[0]).toBe(`${S.ChatCreated}:${dispute.chatId}`);
      expect(mine.slice(1).every((e) => e.startsWith(S.ChatActivity))).toBe(true);
      expect(mine.length).toBeGreaterThan(1);
    }
  });

  it('announces a dispute chat ADMIN opened to its members as they see it', async () => {
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const created = record<ChatView>(await chatSocket(t, client), S.ChatCreated);
    const dispute = await openDispute(t, admin, order.id);
    await settle();
    const announced = created.find((c) => c.id === dispute.chatId)!;
    const asRead = await must<ChatView>(t, client, 'get', `/api/chats/${dispute.chatId}`);
    // The "dispute opened" SYSTEM message is unread for the client, whoever opened the dispute.
    expect(announced).toMatchObject({ lastSeq: 1, unreadCount: 1 });
    expect(announced).toEqual(asRead);
    expect(announced).toMatchObject({ type: 'DISPUTE', disputeId: dispute.id, orderId: order.id });
  });

  describe('opening', () => {
    it.each(['NEW', 'CANCELLED'])(
      'refuses a dispute on a %s order with CONFLICT',
      async (status) => {
        const order = await orderIn(t, status, client, performer);
        const res = await call(t, client, 'post', '/api/disputes', {
          orderId: order.id,
          reason: 'x',
        });
        expect([res.status, (res.body as { code: string }).code]).toEqual([409, 'CONFLICT']);
      },
    );

    it('allows one open dispute per order, even when two are opened at once', async () => {
      const order = await orderIn(t, 'IN_PROGRESS', client, performer);
      const results = await Promise.all([
        call(t, client, 'post', '/api/disputes', { orderId: order.id, reason: 'one' }),
        call(t, performer, 'post', '/api/disputes', { orderId: order.id, reason: 'two' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const again = await call(t, client, 'post', '/api/disputes', {
        orderId: order.id,
        reason: 'x',
      });
      expect(again.status).toBe(409);
    });

    it('allows a new dispute once the previous one is closed', async () => {
      const dispute = await disputeOn(t, client, performer, moderator);
      await must(t, moderator, 'patch', `/api/disputes/${dispute.id}/status`, {
        status: 'REJECTED',
        resolution: 'No evidence',
      });
      const second = await openDispute(t, client, dispute.orderId, 'Still broken');
      expect(second.status).toBe('OPEN');
    });

    it.each([
      ['no reason', { reason: undefined }, 'reason'],
      ['an empty reason', { reason: '   ' }, 'reason'],
      ['a reason over 2000 characters', { reason: 'x'.repeat(2001) }, 'reason'],
      ['an orderId too long to be an id', { orderId: 'o'.repeat(129) }, 'orderId'],
      ['an unknown field', { urgent: true }, 'urgent'],
    ])('refuses %s with VALIDATION_FAILED', async (_name, change, field) => {
      const order = await orderIn(t, 'IN_PROGRESS', client, performer);
      const res = await call<{ code: string; details: unknown }>(
        t,
        client,
        'post',
        '/api/disputes',
        {
          orderId: order.id,
          reason: 'ok',
          ...change,
        },
      );
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(JSON.stringify(res.body.details)).toContain(field);
    });
  });

  describe('assigning and closing', () => {
    it('lets one moderator take a dispute; a second gets CONFLICT', async () => {
      const dispute = await disputeOn(t, client, performer, moderator);
      const res = await call(t, otherModerator, 'post', `/api/disputes/${dispute.id}/assign`);
      expect(res.status).toBe(409);
    });

    it('takes a dispute through PATCH status IN_REVIEW as assign does', async () => {
      const dispute = await disputeOn(t, client, performer);
      const taken = await must<DisputeView>(
        t,
        moderator,
        'patch',
        `/api/disputes/${dispute.id}/status`,
        {
          status: 'IN_REVIEW',
        },
      );
      expect(taken).toMatchObject({ status: 'IN_REVIEW', moderatorId: moderator.id });
    });

    it('lets ADMIN hand a dispute to a moderator, but not a moderator to someone else', async () => {
      const dispute = await disputeOn(t, client, performer);
      const byModerator = await call(t, moderator, 'post', `/api/disputes/${dispute.id}/assign`, {
        moderatorId: otherModerator.id,
      });
      expect(byModerator.status).toBe(403);
      const toClient = await call(t, admin, 'post', `/api/disputes/${dispute.id}/assign`, {
        moderatorId: client.id,
      });
      expect(toClient.status).toBe(400);
      const handed = await must<DisputeView>(
        t,
        admin,
        'post',
        `/api/disputes/${dispute.id}/assign`,
        {
          moderatorId: otherModerator.id,
        },
      );
      expect(handed.moderatorId).toBe(otherModerator.id);
    });

    it('refuses a resolution with IN_REVIEW', async () => {
      const dispute = await disputeOn(t, client, performer);
      const res = await call<{ code: string }>(
        t,
        moderator,
        'patch',
        `/api/disputes/${dispute.id}/status`,
        {
          status: 'IN_REVIEW',
          resolution: 'early',
        },
      );
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('needs a resolution to close a dispute', async () => {
      const dispute = await disputeOn(t, client, performer, moderator);
      const res = await call<{ code: string }>(
        t,
        moderator,
        'patch',
        `/api/disputes/${dispute.id}/status`,
        {
          status: 'RESOLVED',
        },
      );
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it.each([
      ['OPEN', 'OPEN'],
      ['a closed dispute', 'IN_REVIEW'],
      ['a closed dispute', 'REJECTED'],
    ])('refuses moving to %s (%s) with CONFLICT', async (name, status) => {
      const dispute = await disputeOn(t, client, performer, moderator);
      if (name === 'a closed dispute') {
        await must(t, moderator, 'patch', `/api/disputes/${dispute.id}/status`, {
          status: 'RESOLVED',
          resolution: 'done',
        });
      }
      const res = await call(t, moderator, 'patch', `/api/disputes/${dispute.id}/status`, {
        status,
        ...(status === 'IN_REVIEW' ? {} : { resolution: 'again' }),
      });
      expect(res.status).toBe(409);
    });

    it('lets exactly one of two simultaneous closes win', async () => {
      const dispute = await disputeOn(t, client, performer, moderator);
      const results = await Promise.all(
        ['RESOLVED', 'REJECTED'].map((status) =>
          call(t, moderator, 'patch', `/api/disputes/${dispute.id}/status`, {
            status,
            resolution: status,
          }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const order = await must<OrderView>(t, client, 'get', `/api/orders/${dispute.orderId}`);
      expect(order.status).toBe('IN_PROGRESS');
    });
  });

  describe('listing', () => {
    it('shows parties their disputes, moderators the open ones and their own, ADMIN all', async () => {
      const [c2, p2] = [await makeUser(t, 'CLIENT'), await makeUser(t, 'SPECIALIST')];
      const open = await disputeOn(t, c2, p2);
      const mine = await disputeOn(t, c2, p2, otherModerator);
      const others = await disputeOn(t, c2, p2, moderator);
      const ids = async (user: TestClient, query = ''): Promise<string[]> => {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<DisputeView> = await must<Page<DisputeView>>(
            t,
            user,
            'get',
            `/api/disputes?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          ids.push(...page.items.map((d) => d.id));
          cursor = page.nextCursor;
        } while (cursor);
        return ids;
      };
      expect(await ids(c2)).toEqual([others.id, mine.id, open.id]);
      expect(await ids(p2)).toEqual([others.id, mine.id, open.id]);
      const seenByOther = await ids(otherModerator);
      expect(seenByOther).toEqual(expect.arrayContaining([mine.id, open.id]));
      expect(seenByOther).not.toContain(others.id);
      expect(await ids(outsider)).toEqual([]);
      expect(await ids(admin)).toEqual(expect.arrayContaining([open.id, mine.id, others.id]));
      expect(await ids(c2, '&status=OPEN')).toEqual([open.id]);
      const bad = await call(t, c2, 'get', '/api/disputes?cursor=garbage');
      expect(bad.status).toBe(400);
    });
  });
});
