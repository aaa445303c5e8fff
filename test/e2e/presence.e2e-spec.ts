import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PresenceView } from '../../src/modules/presence/presence.types.js';
import {
  ChatClientEvent,
  Namespace,
  PresenceClientEvent as C,
  PresenceServerEvent as S,
} from '../../src/realtime/events.js';
import type { ChatView } from '../../src/modules/chat/chat.types.js';
import { ok, record, settle } from '../support/chat.js';
import { createTestApp, usingRedis, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { call, must } from '../support/orders.js';
import { closeAllSockets, connect, emitAck, type ClientSocket } from '../support/sockets.js';

type UserStatus = { userId: string; status: string; lastSeen: string | null; timestamp: string };

const GRACE_MS = 300;
const TTL_MS = 800;

// Runs on the memory store, and on the Redis store when REDIS_URL is set (as .ci/run does).
describe(`/presence (${usingRedis ? 'Redis' : 'memory'} store)`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { PRESENCE_GRACE_MS: String(GRACE_MS), PRESENCE_TTL_MS: String(TTL_MS) },
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const presenceSocket = (user: TestClient): Promise<ClientSocket> =>
    connect(t.url, Namespace.Presence, { token: user.token });

  /** A GROUP made over REST, so that no socket (and no presence) comes with it. */
  const group = (owner: TestClient, others: TestClient[], title = 'Team'): Promise<ChatView> =>
    must<ChatView>(t, owner, 'post', '/api/chats', {
      type: 'GROUP',
      title,
      memberIds: others.map((o) => o.id),
    });

  /** Two users who share a chat, and a third who shares none with them; none connected. */
  async function trio(): Promise<[TestClient, TestClient, TestClient]> {
    const [a, b, stranger] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    await group(a, [b]);
    return [a, b, stranger];
  }

  const statusesOf = (seen: UserStatus[], userId: string): string[] =>
    seen.filter((e) => e.userId === userId).map((e) => e.status);

  it('goes online → away → offline with lastSeen, telling those who share a chat and no one else', async () => {
    const [a, b, stranger] = await trio();
    const watching = record<UserStatus>(await presenceSocket(b), S.UserStatus);
    const strangerSees = record<UserStatus>(await presenceSocket(stranger), S.UserStatus);

    const aChat = await chatSocket(t, a);
    const aPresence = await presenceSocket(a);
    await settle();
    expect(await ok<PresenceView>(aPresence, C.GetUser, { userId: a.id })).toEqual({
      userId: a.id,
      status: 'online',
      lastSeen: null,
    });
    const away = await ok<PresenceView>(aPresence, C.UpdateStatus, { status: 'away' });
    expect(away.status).toBe('away');
    aChat.close();
    aPresence.close();
    await settle(GRACE_MS + 200);

    expect(statusesOf(watching, a.id)).toEqual(['online', 'away', 'offline']);
    const offline = watching.find((e) => e.userId === a.id && e.status === 'offline')!;
    expect(Date.parse(offline.lastSeen!)).toBeLessThanOrEqual(Date.parse(offline.timestamp));
    expect(strangerSees.filter((e) => e.userId === a.id)).toEqual([]);
    const after = await must<PresenceView>(t, b, 'get', `/api/presence/${a.id}`);
    expect(after).toEqual({ userId: a.id, status: 'offline', lastSeen: offline.lastSeen });
  });

  it('refuses over REST a user id the socket refuses, instead of answering it back as offline', async () => {
    const [a] = await trio();
    // A NUL, an over-long id; and bytes that decode to no text (refused as the path).
    for (const [id, field] of [
      ['%00', 'userId'],
      ['x'.repeat(129), 'userId'],
      ['a%ED%A0%BD', 'path'],
    ]) {
      const res = await call<{ code: string; details?: { field: string }[] }>(
        t,
        a,
        'get',
        `/api/presence/${id}`,
      );
      expect([res.status, res.body.code, res.body.details?.[0]?.field]).toEqual([
        400,
        'VALIDATION_FAILED',
        field,
      ]);
    }
    expect((await must<PresenceView>(t, a, 'get', `/api/presence/${'x'.repeat(128)}`)).status).toBe(
      'offline',
    );
  });

  it('changes nothing when a user reconnects within the grace period', async () => {
    const [a, b] = await trio();
    const watching = record<UserStatus>(await presenceSocket(b), S.UserStatus);
    const first = await chatSocket(t, a);
    await settle();
    first.close();
    await settle(GRACE_MS / 3);
    // Meanwhile every lookup still sees the user online.
    expect((await must<PresenceView>(t, b, 'get', `/api/presence/${a.id}`)).status).toBe('online');
    await chatSocket(t, a);
    await settle(GRACE_MS + 200);
    expect(statusesOf(watching, a.id)).toEqual(['online']);
    expect((await must<PresenceView>(t, b, 'get', `/api/presence/${a.id}`)).status).toBe('online');
  });

  it('stays online while any socket of the user is connected, in any namespace', async () => {
    const [a, b] = await trio();
    const watching = record<UserStatus>(await presenceSocket(b), S.UserStatus);
    const onChat = await chatSocket(t, a);
    const onOrders = await connect(t.url, Namespace.Orders, { token: a.token });
    await settle();
    onChat.close();
    await settle(GRACE_MS + 200);
    expect(statusesOf(watching, a.id)).toEqual(['online']);
    onOrders.close();
    await settle(GRACE_MS + 200);
    expect(statusesOf(watching, a.id)).toEqual(['online', 'offline']);
  });

  it('keeps a heartbeat-only user online for PRESENCE_TTL_MS', async () => {
    const [a, b] = await trio();
    const watching = record<UserStatus>(await presenceSocket(b), S.UserStatus);
    const beat = await must<PresenceView>(t, a, 'post', '/api/presence/heartbeat');
    expect(beat).toEqual({ userId: a.id, status: 'online', lastSeen: null });
    expect(await must<PresenceView>(t, a, 'get', '/api/presence/me')).toEqual(beat);
    await settle(TTL_MS / 2);
    await must(t, a, 'post', '/api/presence/heartbeat');
    await settle(TTL_MS / 2 + 100);
    expect((await must<PresenceView>(t, b, 'get', `/api/presence/${a.id}`)).status).toBe('online');
    await settle(TTL_MS);
    expect(statusesOf(watching, a.id)).toEqual(['online', 'offline']);
    const gone = await must<PresenceView>(t, b, 'get', `/api/presence/${a.id}`);
    expect(gone.status).toBe('offline');
    expect(gone.lastSeen).not.toBeNull();
  });

  it('tells explicit subscribers, who need not share a chat', async () => {
    const [a, , stranger] = await trio();
    const s = await presenceSocket(stranger);
    const seen = record<UserStatus>(s, S.UserStatus);
    const subscribed = await ok<{ users: PresenceView[] }>(s, C.Subscribe, { userIds: [a.id] });
    expect(subscribed.users).toEqual([{ userId: a.id, status: 'offline', lastSeen: null }]);
    const aSocket = await chatSocket(t, a);
    await settle();
    aSocket.close();
    await settle(GRACE_MS + 200);
    expect(statusesOf(seen, a.id)).toEqual(['online', 'offline']);
  });

  it('lists the online users among those who share a chat with the caller', async () => {
    const [a, b, stranger] = await trio();
    const [c] = [await makeUser(t)];
    await group(a, [c]);
    const bSocket = await chatSocket(t, b);
    await chatSocket(t, stranger);
    const aPresence = await presenceSocket(a);
    await settle();
    const online = await ok<{ users: PresenceView[] }>(aPresence, C.GetOnlineUsers, {});
    expect(online.users).toEqual([{ userId: b.id, status: 'online', lastSeen: null }]);
    bSocket.close();
  });

  it('answers bad payloads with VALIDATION_FAILED', async () => {
    const [a] = await trio();
    const s = await presenceSocket(a);
    for (const [event, payload] of [
      [C.UpdateStatus, { status: 'offline' }],
      [C.UpdateStatus, {}],
      [C.GetUser, { userId: 42 }],
      [C.Subscribe, { userIds: Array.from({ length: 501 }, (_, i) => `u${i}`) }],
      [C.Subscribe, { userIds: 'everyone' }],
      [C.Subscribe, { userIds: [''] }],
      // Held to the rule of tokens and REST paths: UTF-16 units, not characters, count.
      [C.GetUser, { userId: '😀'.repeat(65) }],
      [C.Subscribe, { userIds: ['ok', 'x'.repeat(129)] }],
    ] as const) {
      const ack = await emitAck(s, event, payload);
      expect([event, ack.error?.code]).toEqual([event, 'VALIDATION_FAILED']);
    }
  });

  it('refuses a frame-sized list of ids at once, before comparing its items', async () => {
    const [a] = await trio();
    const s = await presenceSocket(a);
    // 100,000 short ids (about 700 KB, under the frame limit): checked for duplicates first, they
    // held the event loop for many seconds.
    const userIds = Array.from({ length: 100_000 }, (_, i) => i.toString(36));
    const ack = await emitAck(s, C.Subscribe, { userIds });
    expect(ack.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'userIds', constraints: { maxItems: 'more than 1000 items' } }],
    });
  });

  it('caps the users one socket watches', async () => {
    const [a] = await trio();
    const s = await presenceSocket(a);
    const batch = (from: number) => Array.from({ length: 500 }, (_, i) => `w${from + i}`);
    await ok(s, C.Subscribe, { userIds: batch(0) });
    await ok(s, C.Subscribe, { userIds: batch(500).slice(0, 499) });
    // A repeated id counts, and is answered, once: the thousandth fits however often it is named.
    const repeated = await ok<{ users: PresenceView[] }>(s, C.Subscribe, {
      userIds: ['w999', 'w999', 'w0', 'w999'],
    });
    expect(repeated.users.map((u) => u.userId)).toEqual(['w999', 'w0']);
    await ok(s, C.Subscribe, { userIds: batch(0) }); // already watched: nothing added
    const over = await emitAck(s, C.Subscribe, { userIds: ['one-too-many'] });
    expect(over.error?.code).toBe('VALIDATION_FAILED');
  });

  it('sets and lists typing over REST, for those with access to the chat', async () => {
    const [a, b, stranger] = await trio();
    const chat = await group(a, [b], 'Typing');
    const bSocket = await chatSocket(t, b);
    await ok(bSocket, ChatClientEvent.JoinChat, chat.id);
    const typing = record<{ userId: string; isTyping: boolean }>(bSocket, 'userTyping');
    await must(t, a, 'post', '/api/presence/typing', { chatId: chat.id, isTyping: true });
    expect(await must(t, b, 'get', `/api/presence/typing/${chat.id}`)).toEqual([a.id]);
    await must(t, a, 'post', '/api/presence/typing', { chatId: chat.id, isTyping: false });
    expect(await must(t, b, 'get', `/api/presence/typing/${chat.id}`)).toEqual([]);
    await settle();
    expect(typing.map((e) => [e.userId, e.isTyping])).toEqual([
      [a.id, true],
      [a.id, false],
    ]);
    for (const res of [
      await call(t, stranger, 'post', '/api/presence/typing', { chatId: chat.id, isTyping: true }),
      await call(t, stranger, 'get', `/api/presence/typing/${chat.id}`),
    ]) {
      expect(res.status).toBe(403);
    }
  });
});
