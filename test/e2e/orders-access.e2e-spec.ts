import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DisputeView } from '../../src/modules/disputes/dispute.types.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import type { MessageView } from '../../src/modules/chat/chat.types.js';
import {
  ChatClientEvent,
  LinkedChatClientEvent as C,
  Namespace,
} from '../../src/realtime/events.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { tokenFor } from '../support/tokens.js';
import { call, disputeOn, disputesSocket, must, orderIn, ordersSocket } from '../support/orders.js';
import { closeAllSockets, connect, emitAck, type ClientSocket } from '../support/sockets.js';

// Who may do what with orders and disputes, as a table: every actor × every action, each row
// checked over the wire. ✓ = allowed; otherwise the error code the contract names.

const ACTORS = [
  'client',
  'performer',
  'unrelatedClient',
  'unrelatedSpecialist',
  'moderator',
  'assignedModerator',
  'admin',
] as const;
type ActorName = (typeof ACTORS)[number];
type Outcome = '✓' | 'FORBIDDEN' | 'CONFLICT';

/** One row per actor, in ACTORS order. */
const row = (...outcomes: Outcome[]): Record<ActorName, Outcome> =>
  Object.fromEntries(ACTORS.map((a, i) => [a, outcomes[i]])) as Record<ActorName, Outcome>;

const F = 'FORBIDDEN';
const ORDER_CHAT = row('✓', '✓', F, F, F, F, '✓');
const DISPUTE_CHAT = row('✓', '✓', F, F, '✓', '✓', '✓');

/** Order moves: [from, to, who may]. Moves the workflow has not are CONFLICT for every party. */
const ORDER_MOVES: [string, string, Record<ActorName, Outcome>][] = [
  ['NEW', 'IN_PROGRESS', row(F, '✓', F, F, F, F, '✓')],
  ['IN_PROGRESS', 'DELIVERED', row(F, '✓', F, F, F, F, '✓')],
  ['DELIVERED', 'COMPLETED', row('✓', F, F, F, F, F, '✓')],
  ['NEW', 'CANCELLED', row('✓', F, F, F, F, F, '✓')],
  ['IN_PROGRESS', 'CANCELLED', row('✓', F, F, F, F, F, '✓')],
  ['NEW', 'DELIVERED', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['NEW', 'COMPLETED', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['IN_PROGRESS', 'NEW', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['DELIVERED', 'CANCELLED', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['DELIVERED', 'DELIVERED', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['COMPLETED', 'IN_PROGRESS', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['CANCELLED', 'NEW', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
  ['IN_PROGRESS', 'DISPUTED', row('CONFLICT', 'CONFLICT', F, F, F, F, 'CONFLICT')],
];

describe('orders and disputes access table', () => {
  let t: TestApp;
  const users = {} as Record<ActorName, TestClient>;
  let order: OrderView;
  let dispute: DisputeView;
  let orderMessageId: string, disputeMessageId: string;
  const sockets = {} as Record<ActorName, { orders: ClientSocket; disputes: ClientSocket }>;

  beforeAll(async () => {
    // The chat creation rate off: one client opens an order for each of a hundred cases.
    t = await createTestApp({ env: { LIMIT_CHATS_PER_MINUTE: '0' } });
    const roles: Record<ActorName, string> = {
      client: 'CLIENT',
      performer: 'SPECIALIST',
      unrelatedClient: 'CLIENT',
      unrelatedSpecialist: 'SPECIALIST',
      moderator: 'MODERATOR',
      assignedModerator: 'MODERATOR',
      admin: 'ADMIN',
    };
    for (const name of ACTORS) users[name] = await makeUser(t, roles[name]);
    // An order under dispute, the dispute taken by the assigned moderator.
    dispute = await disputeOn(t, users.client, users.performer, users.assignedModerator);
    order = await must<OrderView>(t, users.client, 'get', `/api/orders/${dispute.orderId}`);
    orderMessageId = (
      await must<MessageView>(t, users.client, 'post', `/api/orders/${order.id}/messages`, {
        text: 'order chat',
      })
    ).id;
    disputeMessageId = (
      await must<MessageView>(t, users.client, 'post', `/api/disputes/${dispute.id}/messages`, {
        text: 'dispute chat',
      })
    ).id;
    for (const name of ACTORS) {
      sockets[name] = {
        orders: await ordersSocket(t, users[name]),
        disputes: await disputesSocket(t, users[name]),
      };
    }
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const outcomeOf = (ack: { ok: boolean; error?: { code: string } }): string =>
    ack.ok ? '✓' : ack.error!.code;

  describe.each(ACTORS.map((a) => [a]))('%s', (actor) => {
    it('joins, reads and writes the order chat as the table says', async () => {
      const s = sockets[actor].orders;
      const payload = { orderId: order.id };
      const got = [
        outcomeOf(await emitAck(s, C.JoinChat, payload)),
        outcomeOf(await emitAck(s, C.GetMessages, payload)),
        outcomeOf(await emitAck(s, C.SendMessage, { ...payload, text: `hi from ${actor}` })),
        String((await call(t, users[actor], 'get', `/api/orders/${order.id}/messages`)).status),
        String(
          (await call(t, users[actor], 'post', `/api/orders/${order.id}/messages`, { text: 'x' }))
            .status,
        ),
      ];
      const want = ORDER_CHAT[actor];
      const [http, httpCreated] = want === '✓' ? ['200', '201'] : ['403', '403'];
      expect(got).toEqual([want, want, want, http, httpCreated]);
    });

    it('reaches the order and dispute chats through /chat and the chat REST routes as the table says', async () => {
      const chatSocket = await connect(t.url, Namespace.Chat, { token: users[actor].token });
      const got: string[] = [];
      for (const [chatId, messageId] of [
        [order.chatId, orderMessageId],
        [dispute.chatId, disputeMessageId],
      ]) {
        got.push(
          outcomeOf(await emitAck(chatSocket, ChatClientEvent.JoinChat, { chatId })),
          outcomeOf(
            await emitAck(chatSocket, ChatClientEvent.SendMessage, { chatId, text: 'hey' }),
          ),
          String((await call(t, users[actor], 'get', `/api/chats/${chatId}`)).status),
          String(
            (
              await call(t, users[actor], 'post', `/api/messages/${messageId}/reactions`, {
                emoji: '👍',
              })
            ).status,
          ),
        );
      }
      const as = (want: Outcome) =>
        want === '✓' ? ['✓', '✓', '200', '200'] : [F, F, '403', '403'];
      expect(got).toEqual([...as(ORDER_CHAT[actor]), ...as(DISPUTE_CHAT[actor])]);
    });

    it('joins, reads and writes the dispute chat as the table says', async () => {
      const s = sockets[actor].disputes;
      const payload = { disputeId: dispute.id };
      const got = [
        outcomeOf(await emitAck(s, C.JoinChat, payload)),
        outcomeOf(await emitAck(s, C.GetMessages, payload)),
        outcomeOf(await emitAck(s, C.SendMessage, { ...payload, text: `hi from ${actor}` })),
        String((await call(t, users[actor], 'get', `/api/disputes/${dispute.id}`)).status),
      ];
      const want = DISPUTE_CHAT[actor];
      expect(got).toEqual([want, want, want, want === '✓' ? '200' : '403']);
    });

    it.each(ORDER_MOVES.map(([from, to, who]) => [from, to, who[actor]]))(
      'moves an order %s → %s: %s',
      async (from, to, want) => {
        const fresh = await orderIn(t, from, users.client, users.performer);
        const res = await call<{ code?: string; status?: string }>(
          t,
          users[actor],
          'patch',
          `/api/orders/${fresh.id}/status`,
          { status: to },
        );
        expect(res.status === 200 ? '✓' : res.body.code).toBe(want);
        const now = await must<OrderView>(t, users.client, 'get', `/api/orders/${fresh.id}`);
        expect(now.status).toBe(want === '✓' ? to : from);
      },
    );

    it('may move the disputed order only through its dispute', async () => {
      const res = await call<{ code: string }>(
        t,
        users[actor],
        'patch',
        `/api/orders/${order.id}/status`,
        {
          status: 'COMPLETED',
        },
      );
      expect(res.body.code).toBe(ORDER_CHAT[actor] === '✓' ? 'CONFLICT' : 'FORBIDDEN');
    });

    it('opens a dispute as the table says', async () => {
      const fresh = await orderIn(t, 'IN_PROGRESS', users.client, users.performer);
      const res = await call<{ code?: string }>(t, users[actor], 'post', '/api/disputes', {
        orderId: fresh.id,
        reason: 'late',
      });
      const want = row('✓', '✓', F, F, F, F, '✓')[actor];
      expect(res.status === 201 ? '✓' : res.body.code).toBe(want);
    });

    it('takes a dispute as the table says', async () => {
      const fresh = await disputeOn(t, users.client, users.performer);
      const res = await call<{ code?: string }>(
        t,
        users[actor],
        'post',
        `/api/disputes/${fresh.id}/assign`,
      );
      const want = row(F, F, F, F, '✓', '✓', '✓')[actor];
      expect(res.status === 200 ? '✓' : res.body.code).toBe(want);
    });

    it.each(['RESOLVED', 'REJECTED'])(
      'closes a dispute as %s as the table says',
      async (status) => {
        const fresh = await disputeOn(t, users.client, users.performer, users.assignedModerator);
        const res = await call<{ code?: string }>(
          t,
          users[actor],
          'patch',
          `/api/disputes/${fresh.id}/status`,
          { status, resolution: 'decided' },
        );
        const want = row(F, F, F, F, F, '✓', '✓')[actor];
        expect(res.status === 200 ? '✓' : res.body.code).toBe(want);
      },
    );
  });

  it.each(['client', 'performer'] as const)(
    'never lets the %s take or close a dispute on their own order, even with a MODERATOR token',
    async (party) => {
      // Fresh parties: a token with another role re-registers the user with that role.
      const parties = {
        client: await makeUser(t, 'CLIENT'),
        performer: await makeUser(t, 'SPECIALIST'),
      };
      const open = await disputeOn(t, parties.client, parties.performer);
      const taken = await disputeOn(t, parties.client, parties.performer, users.assignedModerator);
      const asModerator = {
        ...parties[party],
        token: tokenFor({ ...parties[party], role: 'MODERATOR' }),
      };
      const take = await call<{ code: string }>(
        t,
        asModerator,
        'post',
        `/api/disputes/${open.id}/assign`,
      );
      expect(take.body.code).toBe(F);
      const close = await call<{ code: string }>(
        t,
        asModerator,
        'patch',
        `/api/disputes/${taken.id}/status`,
        {
          status: 'RESOLVED',
          resolution: 'mine',
        },
      );
      expect(close.body.code).toBe(F);
      const handed = await call<{ code: string }>(
        t,
        users.admin,
        'post',
        `/api/disputes/${open.id}/assign`,
        {
          moderatorId: parties[party].id,
        },
      );
      expect(handed.body.code).toBe('VALIDATION_FAILED');
    },
  );
});
