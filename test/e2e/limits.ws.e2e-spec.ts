import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { ChatView, MessagePage, MessageView } from '../../src/modules/chat/chat.types.js';
import {
  ChatClientEvent as C,
  ChatServerEvent as S,
  ClientEvent,
  LinkedChatClientEvent as L,
  Namespace as Ns,
  PresenceClientEvent,
  ServerEvent,
} from '../../src/realtime/events.js';
import { JOINS_AT_ONCE } from '../../src/modules/chat/chat-sessions.js';
import { MessageService } from '../../src/modules/chat/message.service.js';
import { makeGroup, ok, record, settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import {
  auth,
  disputeOn,
  disputesSocket,
  makeOrder,
  must,
  orderIn,
  ordersSocket,
} from '../support/orders.js';
import { scrape, valueOf } from '../support/metrics.js';
import { RawSocket } from '../support/raw-socket.js';
import {
  closeAllSockets,
  emitAck,
  nextEvent,
  sharedConnection,
  type Ack,
} from '../support/sockets.js';

/** A contract RATE_LIMITED acknowledgement with a positive retryAfterMs. */
function expectRateLimited(ack: Ack): void {
  expect(ack).toEqual({
    ok: false,
    error: {
      code: 'RATE_LIMITED',
      message: expect.any(String),
      details: { retryAfterMs: expect.any(Number) },
    },
  });
  expect((ack.error?.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
}

/** messaging_limit_refusals_total{limit} on this app, 0 before the first. */
const refusals = async (t: TestApp, limit: string): Promise<number> =>
  valueOf(await scrape(t), 'messaging_limit_refusals_total', { limit }) ?? 0;

const texts = async (t: TestApp, user: TestClient, chatId: string): Promise<(string | null)[]> =>
  (await must<MessagePage>(t, user, 'get', `/api/chats/${chatId}/messages`)).items.map(
    (m) => m.text,
  );

describe('message rate per user', () => {
  let t: TestApp;

  beforeAll(async () => {
    // 3 at once, then one every 100 s: nothing refills during a test.
    t = await createTestApp({
      env: { LIMIT_MESSAGES_PER_SECOND: '0.01', LIMIT_MESSAGES_BURST: '3' },
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('refuses sendMessage over the user’s rate with RATE_LIMITED and retryAfterMs, storing and broadcasting nothing', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const sb = await chatSocket(t, b);
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const seen = record<MessageView>(sb, S.NewMessage);
    const sa = await chatSocket(t, a);
    for (let i = 0; i < 3; i += 1) await ok(sa, C.SendMessage, { chatId: chat.id, text: `m${i}` });
    const before = await refusals(t, 'message_rate');
    expectRateLimited(await emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'one too many' }));
    expect(await refusals(t, 'message_rate')).toBe(before + 1);
    await ok(sb, C.SendMessage, { chatId: chat.id, text: 'from b' });
    expect(await texts(t, b, chat.id)).toEqual(['m0', 'm1', 'm2', 'from b']);
    expect(seen.map((m) => m.text)).toEqual(['m0', 'm1', 'm2']);
  });

  it('shares one budget between /chat, /orders, /disputes and REST', async () => {
    const [client, performer] = [await makeUser(t, 'CLIENT'), await makeUser(t, 'SPECIALIST')];
    const chat = await makeGroup(t, client, [performer]);
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const dispute = await disputeOn(t, client, performer);
    const [chats, orders, disputes] = [
      await chatSocket(t, client),
      await ordersSocket(t, client),
      await disputesSocket(t, client),
    ];
    await ok(chats, C.SendMessage, { chatId: chat.id, text: 'over /chat' });
    await ok(orders, L.SendMessage, { orderId: order.id, text: 'over /orders' });
    await must(t, client, 'post', `/api/disputes/${dispute.id}/messages`, { text: 'over REST' });
    expectRateLimited(await emitAck(disputes, L.SendMessage, { disputeId: dispute.id, text: 'x' }));
    expectRateLimited(await emitAck(chats, C.SendMessage, { chatId: chat.id, text: 'x' }));
    const rest = await request(t.url)
      .post(`/api/orders/${order.id}/messages`)
      .set(auth(client))
      .send({ text: 'x' });
    expect(rest.status).toBe(429);
    expect(rest.body).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterMs: expect.any(Number) },
    });
    const orderChat = await must<MessagePage>(t, client, 'get', `/api/orders/${order.id}/messages`);
    const mine = orderChat.items.filter((m) => m.senderId === client.id);
    expect(mine.map((m) => m.text)).toEqual(['over /orders']);
  });

  it('counts edits, deletes and reactions, each broadcast to the chat, in the same budget', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const sb = await chatSocket(t, b);
    const message = await ok<MessageView>(sb, C.SendMessage, { chatId: chat.id, text: 'react' });
    const sa = await chatSocket(t, a);
    await ok(sa, C.AddReaction, { messageId: message.id, emoji: '👍' });
    await ok(sa, C.RemoveReaction, { messageId: message.id, emoji: '👍' });
    const mine = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'mine' });
    expectRateLimited(await emitAck(sa, C.AddReaction, { messageId: message.id, emoji: '🎉' }));
    expectRateLimited(await emitAck(sa, C.EditMessage, { messageId: mine.id, text: 'edited' }));
    expectRateLimited(await emitAck(sa, C.DeleteMessage, { messageId: mine.id }));
    const rest = await request(t.url)
      .post(`/api/messages/${message.id}/reactions`)
      .set(auth(a))
      .send({ emoji: '🎉' });
    expect(rest.status).toBe(429);
    const [stored] = (await ok<MessagePage>(sb, C.GetMessages, { chatId: chat.id })).items.slice(
      -1,
    );
    expect(stored).toMatchObject({ text: 'mine', isDeleted: false, editedAt: null });
  });

  it('leaves other users sending', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const sa = await chatSocket(t, a);
    for (let i = 0; i < 3; i += 1) await ok(sa, C.SendMessage, { chatId: chat.id, text: `a${i}` });
    expectRateLimited(await emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'a3' }));
    const sb = await chatSocket(t, b);
    await expect(ok(sb, C.SendMessage, { chatId: chat.id, text: 'b0' })).resolves.toBeDefined();
  });
});

describe('chats created per user', () => {
  let t: TestApp;

  beforeAll(async () => {
    // 3 at once, then one every 20 s: nothing refills during a test.
    t = await createTestApp({ env: { LIMIT_CHATS_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const myChats = async (user: TestClient): Promise<(string | null)[]> =>
    (await must<{ items: ChatView[] }>(t, user, 'get', '/api/chats')).items.map((c) => c.title);

  it('refuses createChat over the user’s rate with RATE_LIMITED, creating and announcing nothing', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const sb = await chatSocket(t, b);
    const announced = record<ChatView>(sb, S.ChatCreated);
    const sa = await chatSocket(t, a);
    // Refused for another reason, a creation takes nothing from the rate.
    const unknown = await emitAck(sa, C.CreateChat, {
      type: 'GROUP',
      title: 'nobody',
      memberIds: [randomUUID()],
    });
    expect(unknown.error?.code).toBe('NOT_FOUND');
    await ok(sa, C.CreateChat, { type: 'GROUP', title: 'one', memberIds: [b.id] });
    const direct = await ok<ChatView>(sa, C.CreateChat, { type: 'DIRECT', userId: b.id });
    await ok(sa, C.CreateChat, { type: 'SUPPORT', title: 'three', memberIds: [b.id] });
    const before = await refusals(t, 'chat_rate');
    expectRateLimited(
      await emitAck(sa, C.CreateChat, { type: 'GROUP', title: 'too many', memberIds: [b.id] }),
    );
    const c = await makeUser(t);
    expectRateLimited(await emitAck(sa, C.CreateChat, { type: 'DIRECT', userId: c.id }));
    expect(await refusals(t, 'chat_rate')).toBe(before + 2);
    // Asking for a DIRECT chat that exists makes nothing: it is answered whatever the rate.
    expect(await ok(sa, C.CreateChat, { type: 'DIRECT', userId: b.id })).toMatchObject({
      id: direct.id,
    });
    await settle();
    expect(announced.map((chat) => chat.type)).toEqual(['GROUP', 'DIRECT', 'SUPPORT']);
    expect((await myChats(b)).sort()).toEqual(['', 'one', 'three']);
    expect(await myChats(c)).toEqual([]);
    // Another user's budget is their own.
    await expect(
      ok(sb, C.CreateChat, { type: 'GROUP', title: 'from b', memberIds: [a.id] }),
    ).resolves.toMatchObject({ title: 'from b' });
  });

  it('shares one budget between createChat, POST /api/chats, orders and disputes', async () => {
    const [client, performer] = [await makeUser(t, 'CLIENT'), await makeUser(t, 'SPECIALIST')];
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const orderChat = () => must<MessagePage>(t, client, 'get', `/api/orders/${order.id}/messages`);
    const said = (await orderChat()).items;
    await must(t, client, 'post', '/api/chats', { type: 'DIRECT', userId: performer.id });
    const socket = await chatSocket(t, client);
    await ok(socket, C.CreateChat, { type: 'GROUP', title: 'g', memberIds: [performer.id] });
    for (const [path, body] of [
      ['/api/disputes', { orderId: order.id, reason: 'late' }],
      ['/api/orders', { performerId: performer.id, title: 'another' }],
      ['/api/chats', { type: 'GROUP', title: 'g2', memberIds: [performer.id] }],
    ] as const) {
      const res = await request(t.url).post(path).set(auth(client)).send(body);
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({
        code: 'RATE_LIMITED',
        details: { retryAfterMs: expect.any(Number) },
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expectRateLimited(
      await emitAck(socket, C.CreateChat, { type: 'GROUP', title: 'g3', memberIds: [] }),
    );
    expect(
      await must<{ status: string }>(t, client, 'get', `/api/orders/${order.id}`),
    ).toMatchObject({ status: 'IN_PROGRESS' });
    // The refused dispute's move of the order, and its SYSTEM message, were rolled back.
    expect((await orderChat()).items).toEqual(said);
    const next = await must<MessageView>(t, client, 'post', `/api/orders/${order.id}/messages`, {
      text: 'still here',
    });
    expect(next.seq).toBe(said[said.length - 1].seq + 1);
    expect((await must<{ items: unknown[] }>(t, client, 'get', '/api/orders')).items).toHaveLength(
      1,
    );
    expect(
      (await must<{ items: unknown[] }>(t, client, 'get', '/api/disputes')).items,
    ).toHaveLength(0);
    expect((await myChats(client)).filter((title) => title?.startsWith('g'))).toEqual(['g']);
  });
});

describe('event rate per connection', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Six: a socket's handshake, then five events.
    t = await createTestApp({
      env: { LIMIT_SOCKET_EVENTS_PER_SECOND: '0.01', LIMIT_SOCKET_EVENTS_BURST: '6' },
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('answers an event over the rate with RATE_LIMITED through its ack, without running the handler', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await must<ChatView>(t, a, 'post', '/api/chats', {
      type: 'GROUP',
      title: 'Flood',
      memberIds: [b.id],
    });
    const sa = await chatSocket(t, a);
    for (let i = 0; i < 5; i += 1) await ok(sa, C.SendMessage, { chatId: chat.id, text: `m${i}` });
    const before = await refusals(t, 'event_rate');
    expectRateLimited(await emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'flood' }));
    expect(await refusals(t, 'event_rate')).toBe(before + 1);
    expect(await texts(t, b, chat.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('answers with an error event when the refused event has no ack', async () => {
    const a = await makeUser(t);
    const sa = await chatSocket(t, a);
    for (let i = 0; i < 5; i += 1) await ok(sa, ClientEvent.WhoAmI, {});
    const error = nextEvent(sa, ServerEvent.Error);
    sa.emit(ClientEvent.WhoAmI, {});
    expect(await error).toEqual({
      event: ClientEvent.WhoAmI,
      code: 'RATE_LIMITED',
      message: expect.any(String),
      details: { retryAfterMs: expect.any(Number) },
    });
  });

  it('leaves an event over the rate unanswered when no handler listens for it', async () => {
    const a = await makeUser(t);
    const sa = await chatSocket(t, a);
    for (let i = 0; i < 5; i += 1) await ok(sa, ClientEvent.WhoAmI, {});
    const errors = record<{ event?: string }>(sa, ServerEvent.Error);
    const unknownAcks: unknown[] = [];
    sa.emit('noSuchEvent', {});
    sa.emit('noSuchEvent', {}, (answer: unknown) => unknownAcks.push(answer));
    sa.emit('x'.repeat(200), {});
    // Answered in the order sent: once this one is, the ones before it would have been.
    expectRateLimited(await emitAck(sa, ClientEvent.WhoAmI, {}));
    const error = nextEvent<{ event?: string }>(sa, ServerEvent.Error);
    sa.emit(ClientEvent.WhoAmI, {});
    expect(await error).toMatchObject({ event: ClientEvent.WhoAmI, code: 'RATE_LIMITED' });
    expect(errors).toHaveLength(1);
    expect(unknownAcks).toEqual([]);
  });

  it('counts every namespace of one connection together, and other connections apart', async () => {
    const a = await makeUser(t);
    const shared = sharedConnection(t.url);
    const [chat, presence] = [
      await shared.open(Ns.Chat, a.token),
      await shared.open(Ns.Presence, a.token),
    ];
    // Two handshakes, then four events.
    for (let i = 0; i < 3; i += 1) await ok(chat, ClientEvent.WhoAmI, {});
    await ok(presence, PresenceClientEvent.GetOnlineUsers, {});
    expectRateLimited(await emitAck(presence, PresenceClientEvent.GetOnlineUsers, {}));
    expectRateLimited(await emitAck(chat, ClientEvent.WhoAmI, {}));
    const other = await chatSocket(t, a);
    await expect(ok(other, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ id: a.id });
  });

  it('counts namespace handshakes too: a client asking for one again and again is refused', async () => {
    const a = await makeUser(t);
    const shared = sharedConnection(t.url);
    // Keeps the connection open while /chat is left and asked for again.
    await shared.open(Ns.Presence, a.token);
    const chat = await shared.open(Ns.Chat, a.token);
    const again = async (): Promise<(Error & { data?: unknown }) | undefined> => {
      chat.disconnect();
      // A CONNECT on the heels of its DISCONNECT makes Socket.IO close the whole connection.
      await settle(50);
      return new Promise((resolve) => {
        chat.once('connect', () => resolve(undefined));
        chat.once('connect_error', resolve);
        chat.connect();
      });
    };
    for (let i = 0; i < 4; i += 1) expect(await again()).toBeUndefined();
    const before = await refusals(t, 'event_rate');
    const refused = await again();
    expect(refused?.data).toEqual({
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
      details: { retryAfterMs: expect.any(Number) },
    });
    expect(await refusals(t, 'event_rate')).toBe(before + 1);
  });
});

describe('event rate per user', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LIMIT_SOCKET_EVENTS_PER_SECOND: '0',
        LIMIT_USER_EVENTS_PER_SECOND: '0.01',
        LIMIT_USER_EVENTS_BURST: '6',
      },
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('counts the events of all a user’s connections together, and other users apart', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    // Separate connections, so no connection's own bucket could be what refuses.
    const [one, two] = [await chatSocket(t, a), await chatSocket(t, a)];
    expect(one.io).not.toBe(two.io);
    for (let i = 0; i < 3; i += 1) {
      await ok(one, ClientEvent.WhoAmI, {});
      await ok(two, ClientEvent.WhoAmI, {});
    }
    const before = await refusals(t, 'user_event_rate');
    expectRateLimited(await emitAck(one, ClientEvent.WhoAmI, {}));
    expectRateLimited(await emitAck(two, ClientEvent.WhoAmI, {}));
    expect(await refusals(t, 'user_event_rate')).toBe(before + 2);
    // A new connection of the same user gets in (handshakes are counted per connection), but
    // its events share the user's bucket.
    expectRateLimited(await emitAck(await chatSocket(t, a), ClientEvent.WhoAmI, {}));
    await expect(ok(await chatSocket(t, b), ClientEvent.WhoAmI, {})).resolves.toMatchObject({
      id: b.id,
    });
  });
});

describe('joins at once per socket', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it(`runs at most ${JOINS_AT_ONCE} of a socket's joinChat at once, the others after them, and answers all`, async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chats: ChatView[] = [];
    for (let i = 0; i < 10; i += 1) chats.push(await makeGroup(t, a, [b], `c${i}`));
    const messages = t.app.get(MessageService);
    const join = messages.join.bind(messages);
    let running = 0;
    let most = 0;
    messages.join = async (...args) => {
      most = Math.max(most, (running += 1));
      try {
        await settle(50);
        return await join(...args);
      } finally {
        running -= 1;
      }
    };
    try {
      const s = await chatSocket(t, a);
      const acks = await Promise.all(chats.map((c) => emitAck(s, C.JoinChat, { chatId: c.id })));
      expect(acks.every((ack) => ack.ok)).toBe(true);
    } finally {
      messages.join = join;
    }
    expect(most).toBe(JOINS_AT_ONCE);
  });
});

describe('chats joined per socket', () => {
  let t: TestApp;
  let client: TestClient, performer: TestClient;

  beforeAll(async () => {
    t = await createTestApp({ env: { LIMIT_ROOMS_PER_SOCKET: '2' } });
    [client, performer] = [await makeUser(t, 'CLIENT'), await makeUser(t, 'SPECIALIST')];
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const conflict = {
    ok: false,
    error: { code: 'CONFLICT', message: expect.any(String), details: { limit: 2 } },
  };

  it('refuses joinChat beyond the limit with CONFLICT and details { limit }, on that socket only', async () => {
    const chats = [
      await makeGroup(t, client, [performer], 'one'),
      await makeGroup(t, client, [performer], 'two'),
      await makeGroup(t, client, [performer], 'three'),
    ];
    const s = await chatSocket(t, client);
    await ok(s, C.JoinChat, { chatId: chats[0].id });
    await ok(s, C.JoinChat, { chatId: chats[1].id });
    const before = await refusals(t, 'rooms_per_socket');
    expect(await emitAck(s, C.JoinChat, { chatId: chats[2].id })).toEqual(conflict);
    expect(await refusals(t, 'rooms_per_socket')).toBe(before + 1);
    const other = await chatSocket(t, client);
    await expect(ok(other, C.JoinChat, { chatId: chats[2].id })).resolves.toBeDefined();
  });

  it('frees a place on leaveChat, and a chat joined again takes none', async () => {
    const chats = [
      await makeGroup(t, client, [performer], 'one'),
      await makeGroup(t, client, [performer], 'two'),
      await makeGroup(t, client, [performer], 'three'),
    ];
    const s = await chatSocket(t, client);
    await ok(s, C.JoinChat, { chatId: chats[0].id });
    await ok(s, C.JoinChat, { chatId: chats[1].id });
    await ok(s, C.JoinChat, { chatId: chats[1].id });
    await ok(s, C.LeaveChat, { chatId: chats[0].id });
    await expect(ok(s, C.JoinChat, { chatId: chats[2].id })).resolves.toBeDefined();
  });

  it('applies to joinChat on /orders and /disputes', async () => {
    const orders = [
      await makeOrder(t, client, performer),
      await makeOrder(t, client, performer),
      await makeOrder(t, client, performer),
    ];
    const so = await ordersSocket(t, client);
    await ok(so, L.JoinChat, { orderId: orders[0].id });
    await ok(so, L.JoinChat, { orderId: orders[1].id });
    expect(await emitAck(so, L.JoinChat, { orderId: orders[2].id })).toEqual(conflict);

    const disputes = [
      await disputeOn(t, client, performer),
      await disputeOn(t, client, performer),
      await disputeOn(t, client, performer),
    ];
    const sd = await disputesSocket(t, client);
    await ok(sd, L.JoinChat, { disputeId: disputes[0].id });
    await ok(sd, L.JoinChat, { disputeId: disputes[1].id });
    expect(await emitAck(sd, L.JoinChat, { disputeId: disputes[2].id })).toEqual(conflict);
  });
});

describe('frame size', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOCKET_MAX_BUFFER_BYTES: '100000' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('disconnects only the client whose frame passes SOCKET_MAX_BUFFER_BYTES, storing nothing', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const seen = record<MessageView>(sb, S.NewMessage);
    const gone = nextEvent<string>(sa, 'disconnect');
    const before = await refusals(t, 'frame_size');
    sa.emit(C.SendMessage, { chatId: chat.id, text: 'x'.repeat(150_000) }, () => undefined);
    await gone;
    for (let tries = 0; (await refusals(t, 'frame_size')) === before && tries < 50; tries += 1) {
      await settle(50);
    }
    expect(await refusals(t, 'frame_size')).toBe(before + 1);
    await ok(sb, C.SendMessage, { chatId: chat.id, text: 'still here' });
    expect(await texts(t, b, chat.id)).toEqual(['still here']);
    expect(seen).toEqual([]);
  });

  it('answers a frame under it as usual', async () => {
    const a = await makeUser(t);
    const chat = await makeGroup(t, a, [await makeUser(t)]);
    const sa = await chatSocket(t, a);
    const ack = await emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'x'.repeat(60_000) });
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
    expect(sa.connected).toBe(true);
  });
});

/**
 * An app with one slow-consumer cap (and the rate limits off, so senders can fill buffers fast),
 * for the suite it is called in; `slowClient` is the raw client a test pauses.
 */
interface SlowConsumerApp {
  t: () => TestApp;
  slowClient?: RawSocket;
}

function slowConsumerApp(cap: Record<string, string>): SlowConsumerApp {
  let t: TestApp | undefined;
  const app: SlowConsumerApp = { t: () => t! };
  beforeAll(async () => {
    t = await createTestApp({
      env: { ...cap, LIMIT_MESSAGES_PER_SECOND: '0', LIMIT_SOCKET_EVENTS_PER_SECOND: '0' },
    });
  });
  afterAll(async () => {
    closeAllSockets();
    app.slowClient?.close();
    await t?.close();
  });
  return app;
}

describe('slow consumers', () => {
  const app = slowConsumerApp({ LIMIT_SOCKET_BUFFERED_PACKETS: '200' });

  it('drops a client that stops reading once its write buffer passes the cap, and keeps serving the others', async () => {
    const t = app.t();
    const [sender, fast, slow] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, sender, [fast, slow]);
    const slowClient = (app.slowClient = await RawSocket.connect(t.url, Ns.Chat, slow.token));
    expect(await slowClient.emit<Ack>(C.JoinChat, { chatId: chat.id })).toMatchObject({ ok: true });
    const fastSocket = await chatSocket(t, fast);
    await ok(fastSocket, C.JoinChat, { chatId: chat.id });
    const received = record<MessageView>(fastSocket, S.NewMessage);
    const updates = record<{ userId: string; action: string }>(fastSocket, S.ParticipantUpdate);
    const slowLeft = () => updates.some((u) => u.userId === slow.id && u.action === 'left');
    slowClient.pause();

    // Enough large messages to fill the kernel's socket buffers, then the cap (a few MB).
    const senderSocket = await chatSocket(t, sender);
    const text = 'x'.repeat(4000);
    let sent = 0;
    while (!slowLeft() && sent < 5000) {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          ok(senderSocket, C.SendMessage, { chatId: chat.id, text }),
        ),
      );
      sent += 10;
    }
    expect(slowLeft()).toBe(true);
    for (let tries = 0; received.length < sent && tries < 50; tries += 1) await settle(100);
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    expect(fastSocket.connected).toBe(true);
    slowClient.resume();
    await slowClient.closed;
  }, 120_000);
});

describe('slow consumers, by bytes', () => {
  // Far fewer packets than the packet cap: only the byte cap can drop the reader.
  const app = slowConsumerApp({ LIMIT_SOCKET_BUFFERED_BYTES: '1000000' });

  it('drops a paused client whose getMessages answers pass LIMIT_SOCKET_BUFFERED_BYTES, and keeps serving the others', async () => {
    const t = app.t();
    const [owner, reader] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, owner, [reader]);
    const ownerSocket = await chatSocket(t, owner);
    const text = 'x'.repeat(4000);
    for (let batch = 0; batch < 10; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, () => ok(ownerSocket, C.SendMessage, { chatId: chat.id, text })),
      );
    }
    await ok(ownerSocket, C.JoinChat, { chatId: chat.id });
    const updates = record<{ userId: string; action: string }>(ownerSocket, S.ParticipantUpdate);
    const readerLeft = () => updates.some((u) => u.userId === reader.id && u.action === 'left');

    const slowClient = (app.slowClient = await RawSocket.connect(t.url, Ns.Chat, reader.token));
    expect(await slowClient.emit<Ack>(C.JoinChat, { chatId: chat.id })).toMatchObject({ ok: true });
    slowClient.pause();
    // Each answer is ~400 kB: a few fill the kernel's buffers, a few more the byte cap, and far
    // fewer than LIMIT_SOCKET_BUFFERED_PACKETS (1000) packets wait.
    let asked = 0;
    while (!readerLeft() && asked < 200) {
      for (let i = 0; i < 5; i += 1) {
        void slowClient.emit(C.GetMessages, { chatId: chat.id, limit: 100 });
      }
      asked += 5;
      await settle(100);
    }
    expect(readerLeft()).toBe(true);
    expect(await refusals(t, 'slow_consumer')).toBe(1);
    const page = await ok<MessagePage>(ownerSocket, C.GetMessages, {
      chatId: chat.id,
      limit: 100,
    });
    expect(page.items).toHaveLength(100);
    expect(ownerSocket.connected).toBe(true);
    slowClient.resume();
    await slowClient.closed;
  }, 120_000);
});
