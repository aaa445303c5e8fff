import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AWAY_KEPT_FROM } from '../../src/modules/chat/chat.realtime.js';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import { makeGroup, ok, record, settle, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { closeAllSockets, emitAck, nextEvent, type ClientSocket } from '../support/sockets.js';

const TYPING_TTL_MS = 400;

describe('/chat edits, deletes, reactions, typing, status and activity', () => {
  let t: TestApp;
  let a: TestClient, b: TestClient, outsider: TestClient;
  let chat: ChatView;
  let sa: ClientSocket, sb: ClientSocket, so: ClientSocket;

  beforeAll(async () => {
    t = await createTestApp({ env: { TYPING_TTL_MS: String(TYPING_TTL_MS) } });
    [a, b, outsider] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    chat = await makeGroup(t, a, [b]);
    [sa, sb, so] = [await chatSocket(t, a), await chatSocket(t, b), await chatSocket(t, outsider)];
    await ok(sa, C.JoinChat, { chatId: chat.id });
    await ok(sb, C.JoinChat, { chatId: chat.id });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const send = (text: string, s = sa): Promise<MessageView> =>
    ok<MessageView>(s, C.SendMessage, { chatId: chat.id, text });

  describe('editMessage', () => {
    it('lets the sender edit and tells the chat', async () => {
      const message = await send('draft');
      const updated = nextEvent<MessageView>(sb, S.MessageUpdated);
      const edited = await ok<MessageView>(sa, C.EditMessage, {
        messageId: message.id,
        text: ' final ',
      });
      expect(edited).toMatchObject({ id: message.id, seq: message.seq, text: 'final' });
      expect(edited.editedAt).not.toBeNull();
      await expect(updated).resolves.toEqual(edited);
    });

    it('refuses an edit by another member with FORBIDDEN and by an outsider the same way', async () => {
      const message = await send('mine');
      await expect(
        emitAck(sb, C.EditMessage, { messageId: message.id, text: 'hijack' }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
      await expect(
        emitAck(so, C.EditMessage, { messageId: message.id, text: 'hijack' }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
      const [latest] = (
        await ok<{ items: MessageView[] }>(sa, C.GetMessages, { chatId: chat.id, limit: 1 })
      ).items;
      expect(latest?.text).toBe('mine');
    });

    it('refuses empty and over-long edits with VALIDATION_FAILED', async () => {
      const message = await send('keep');
      for (const text of ['  ', 'y'.repeat(4001)]) {
        await expect(
          emitAck(sa, C.EditMessage, { messageId: message.id, text }),
        ).resolves.toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      }
    });
  });

  describe('deleteMessage', () => {
    it('soft-deletes for the sender, keeping the seq, and tells the chat', async () => {
      const message = await send('oops');
      const deleted = nextEvent<MessageView>(sb, S.MessageDeleted);
      const result = await ok<MessageView>(sa, C.DeleteMessage, { messageId: message.id });
      expect(result).toMatchObject({
        id: message.id,
        seq: message.seq,
        isDeleted: true,
        text: null,
        attachments: [],
      });
      expect(result.deletedAt).not.toBeNull();
      await expect(deleted).resolves.toEqual(result);
      await expect(
        emitAck(sa, C.EditMessage, { messageId: message.id, text: 'again' }),
      ).resolves.toMatchObject({ error: { code: 'CONFLICT' } });
    });

    it('refuses deletion by a member who is not the sender', async () => {
      const message = await send('stays');
      await expect(emitAck(sb, C.DeleteMessage, { messageId: message.id })).resolves.toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    });

    it('lets an ADMIN delete but not a MODERATOR outside a dispute chat', async () => {
      const message = await send('moderate me');
      const moderator = await chatSocket(t, await makeUser(t, 'MODERATOR'));
      await expect(
        emitAck(moderator, C.DeleteMessage, { messageId: message.id }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
      const admin = await chatSocket(t, await makeUser(t, 'ADMIN'));
      await expect(
        ok<MessageView>(admin, C.DeleteMessage, { messageId: message.id }),
      ).resolves.toMatchObject({ isDeleted: true });
    });
  });

  describe('dispute and order chats', () => {
    // Linked chats are made by the orders and disputes modules; the fixture inserts one, its
    // members as MEMBER (the order's parties) and `moderators` as MODERATOR (assigned to it).
    async function linkedChat(
      members: TestClient[],
      { type = 'DISPUTE', moderators = [] as TestClient[] } = {},
    ): Promise<string> {
      const db = t.app.get(DataSource);
      const [row] = await db.query<{ id: string }[]>(
        `INSERT INTO chats (type, title) VALUES ($1, 'Linked') RETURNING id`,
        [type],
      );
      await db.query(
        `INSERT INTO chat_members (chat_id, user_id, role)
         SELECT $1, unnest($2::text[]), unnest($3::text[])`,
        [
          row.id,
          [...members, ...moderators].map((m) => m.id),
          [...members.map(() => 'MEMBER'), ...moderators.map(() => 'MODERATOR')],
        ],
      );
      return row.id;
    }

    it('lets any MODERATOR join, write and delete in a DISPUTE chat, but not a member who is not the sender', async () => {
      const chatId = await linkedChat([a, b]);
      const moderator = await chatSocket(t, await makeUser(t, 'MODERATOR'));
      await expect(ok(moderator, C.JoinChat, { chatId })).resolves.toMatchObject({
        chat: { id: chatId, type: 'DISPUTE' },
      });
      await expect(
        ok<MessageView>(moderator, C.SendMessage, { chatId, text: 'moderating' }),
      ).resolves.toMatchObject({ senderRole: 'MODERATOR' });
      const offending = await ok<MessageView>(sa, C.SendMessage, { chatId, text: 'rude' });
      await expect(
        emitAck(sb, C.DeleteMessage, { messageId: offending.id }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
      await expect(
        ok<MessageView>(moderator, C.DeleteMessage, { messageId: offending.id }),
      ).resolves.toMatchObject({ isDeleted: true });
      const specialist = await chatSocket(t, await makeUser(t, 'SPECIALIST'));
      await expect(emitAck(specialist, C.JoinChat, { chatId })).resolves.toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    });

    /** A party to the order whose token claims `role`, a socket of theirs, and a chat of theirs. */
    async function partyClaiming(role: 'MODERATOR' | 'ADMIN', type: 'ORDER' | 'DISPUTE') {
      const party = await makeUser(t, role);
      const assigned = await makeUser(t, 'MODERATOR');
      const moderators = type === 'DISPUTE' ? [assigned] : [];
      const chatId = await linkedChat([a, party], { type, moderators });
      return { socket: await chatSocket(t, party), chatId, assigned };
    }

    it.each([
      ['MODERATOR', 'DISPUTE'],
      ['ADMIN', 'DISPUTE'],
      ['ADMIN', 'ORDER'],
    ] as const)(
      "refuses a party whose token claims %s the deletion of another's message in its %s chat",
      async (role, type) => {
        const { socket, chatId } = await partyClaiming(role, type);
        const message = await ok<MessageView>(sa, C.SendMessage, { chatId, text: 'evidence' });
        await expect(
          emitAck(socket, C.DeleteMessage, { messageId: message.id }),
        ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
        // Still there: its sender can edit it.
        await expect(
          ok<MessageView>(sa, C.EditMessage, { messageId: message.id, text: 'kept' }),
        ).resolves.toMatchObject({ isDeleted: false, text: 'kept' });
      },
    );

    it('lets the moderator a dispute was handed to, and ADMIN outside the order, delete there', async () => {
      const { chatId, assigned } = await partyClaiming('MODERATOR', 'DISPUTE');
      const orderChat = await linkedChat([a, b], { type: 'ORDER' });
      const inDispute = await ok<MessageView>(sa, C.SendMessage, { chatId, text: 'x' });
      const inOrder = await ok<MessageView>(sa, C.SendMessage, { chatId: orderChat, text: 'y' });
      await expect(
        ok<MessageView>(await chatSocket(t, assigned), C.DeleteMessage, {
          messageId: inDispute.id,
        }),
      ).resolves.toMatchObject({ isDeleted: true });
      const admin = await chatSocket(t, await makeUser(t, 'ADMIN'));
      await expect(
        ok<MessageView>(admin, C.DeleteMessage, { messageId: inOrder.id }),
      ).resolves.toMatchObject({ isDeleted: true });
    });

    it('refuses a party whose token claims MODERATOR its own deletion in its closed DISPUTE chat, as any member', async () => {
      const { socket, chatId, assigned } = await partyClaiming('MODERATOR', 'DISPUTE');
      const own = await ok<MessageView>(socket, C.SendMessage, { chatId, text: 'mine' });
      const other = await ok<MessageView>(sa, C.SendMessage, { chatId, text: 'theirs' });
      await t.app
        .get(DataSource)
        .query(`UPDATE chats SET status = 'CLOSED' WHERE id = $1`, [chatId]);
      await expect(emitAck(socket, C.DeleteMessage, { messageId: own.id })).resolves.toMatchObject({
        error: { code: 'CHAT_CLOSED' },
      });
      await expect(
        ok<MessageView>(await chatSocket(t, assigned), C.DeleteMessage, { messageId: other.id }),
      ).resolves.toMatchObject({ isDeleted: true });
    });

    it('refuses a party whose token claims ADMIN a status change of its ORDER and DISPUTE chats', async () => {
      for (const type of ['ORDER', 'DISPUTE'] as const) {
        const { socket, chatId } = await partyClaiming('ADMIN', type);
        await expect(
          emitAck(socket, C.SetChatStatus, { chatId, status: 'CLOSED' }),
        ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
        const admin = await chatSocket(t, await makeUser(t, 'ADMIN'));
        await expect(
          ok<ChatView>(admin, C.SetChatStatus, { chatId, status: 'CLOSED' }),
        ).resolves.toMatchObject({ status: 'CLOSED' });
      }
    });
  });

  describe('reactions', () => {
    it('keeps a message to 50 different emoji, 20 of them from one user: CONFLICT beyond, no change', async () => {
      const c = await makeUser(t);
      const group = await makeGroup(t, a, [b, c]);
      const [ga, gb, gc] = [sa, sb, await chatSocket(t, c)];
      const message = await ok<MessageView>(ga, C.SendMessage, { chatId: group.id, text: 'x' });
      // 😀 (U+1F600) onwards: 51 different emoji.
      const emoji = Array.from({ length: 51 }, (_, i) => String.fromCodePoint(0x1f600 + i));
      const react = (s: ClientSocket, e: string) =>
        emitAck<MessageView>(s, C.AddReaction, { messageId: message.id, emoji: e });
      for (const e of emoji.slice(0, 20))
        await expect(react(ga, e)).resolves.toMatchObject({ ok: true });
      await expect(react(ga, emoji[20])).resolves.toMatchObject({
        error: { code: 'CONFLICT', details: { limit: 50, perUser: 20 } },
      });
      // One already there is no new one.
      await expect(react(ga, emoji[0])).resolves.toMatchObject({ ok: true });
      for (const e of emoji.slice(20, 40))
        await expect(react(gb, e)).resolves.toMatchObject({ ok: true });
      for (const e of emoji.slice(40, 50))
        await expect(react(gc, e)).resolves.toMatchObject({ ok: true });
      await expect(react(gc, emoji[50])).resolves.toMatchObject({ error: { code: 'CONFLICT' } });
      // Another user may still join an emoji the message has.
      const joined = await react(gc, emoji[0]);
      expect(joined.data?.reactions).toHaveLength(50);
      expect(joined.data?.reactions[0]).toMatchObject({ emoji: emoji[0], count: 2 });
    });

    it('refuses an emoji with combining marks, which would make endless different ones', async () => {
      const message = await send('marks');
      for (const emoji of ['😀\u0301', '😀\u0300\u0301']) {
        const ack = await emitAck(sb, C.AddReaction, { messageId: message.id, emoji });
        expect(ack.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('still removes a reaction stored under the older, looser emoji rule', async () => {
      const message = await send('old reaction');
      // As stored before reactions were held to emoji parts.
      await t.app
        .get(DataSource)
        .query(`INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3)`, [
          message.id,
          b.id,
          '😀\u0301',
        ]);
      const removed = await ok<MessageView>(sb, C.RemoveReaction, {
        messageId: message.id,
        emoji: '😀\u0301',
      });
      expect(removed.reactions).toEqual([]);
    });

    it('adds a reaction once, tells the chat once, and removes it', async () => {
      const message = await send('react to me');
      const added = record(sa, S.ReactionAdded);
      const first = await ok<MessageView>(sb, C.AddReaction, {
        messageId: message.id,
        emoji: '👍',
      });
      const twice = await ok<MessageView>(sb, C.AddReaction, {
        messageId: message.id,
        emoji: '👍',
      });
      await ok(sa, C.AddReaction, { messageId: message.id, emoji: '👍' });
      const both = await ok<MessageView>(sa, C.AddReaction, { messageId: message.id, emoji: '🎉' });
      expect(first.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [b.id] }]);
      expect(twice.reactions).toEqual(first.reactions);
      expect(both.reactions).toEqual([
        { emoji: '👍', count: 2, userIds: [b.id, a.id] },
        { emoji: '🎉', count: 1, userIds: [a.id] },
      ]);
      await settle();
      expect(added).toEqual([
        { chatId: chat.id, messageId: message.id, userId: b.id, emoji: '👍' },
        { chatId: chat.id, messageId: message.id, userId: a.id, emoji: '👍' },
        { chatId: chat.id, messageId: message.id, userId: a.id, emoji: '🎉' },
      ]);
      const removed = nextEvent(sa, S.ReactionRemoved);
      const after = await ok<MessageView>(sb, C.RemoveReaction, {
        messageId: message.id,
        emoji: '👍',
      });
      expect(after.reactions[0]).toEqual({ emoji: '👍', count: 1, userIds: [a.id] });
      await expect(removed).resolves.toEqual({
        chatId: chat.id,
        messageId: message.id,
        userId: b.id,
        emoji: '👍',
      });
      const history = await ok<{ messages: MessageView[] }>(sa, C.JoinChat, { chatId: chat.id });
      expect(history.messages.find((m) => m.id === message.id)?.reactions).toEqual([
        { emoji: '👍', count: 1, userIds: [a.id] },
        { emoji: '🎉', count: 1, userIds: [a.id] },
      ]);
    });

    it('gives each message of a page its own reactions, in both directions', async () => {
      const [x, y, z] = [await send('x'), await send('y'), await send('z')];
      await ok(sb, C.AddReaction, { messageId: x.id, emoji: '🔥' });
      await ok(sa, C.AddReaction, { messageId: z.id, emoji: '👍' });
      await ok(sb, C.AddReaction, { messageId: z.id, emoji: '👍' });
      await ok(sb, C.AddReaction, { messageId: x.id, emoji: '🎉' });
      const expected = {
        [x.id]: [
          { emoji: '🔥', count: 1, userIds: [b.id] },
          { emoji: '🎉', count: 1, userIds: [b.id] },
        ],
        [y.id]: [],
        [z.id]: [{ emoji: '👍', count: 2, userIds: [a.id, b.id] }],
      };
      const backwards = await ok<{ items: MessageView[] }>(sa, C.GetMessages, {
        chatId: chat.id,
        limit: 3,
      });
      const forwards = await ok<{ items: MessageView[] }>(sa, C.GetMessages, {
        chatId: chat.id,
        after: x.seq - 1,
        limit: 3,
      });
      for (const page of [backwards, forwards]) {
        expect(page.items.map((m) => m.id)).toEqual([x.id, y.id, z.id]);
        expect(Object.fromEntries(page.items.map((m) => [m.id, m.reactions]))).toEqual(expected);
      }
    });

    it.each([['not an emoji'], ['👍👍'], [''], [5]])(
      'refuses emoji %j with VALIDATION_FAILED',
      async (emoji) => {
        const message = await send('x');
        await expect(
          emitAck(sa, C.AddReaction, { messageId: message.id, emoji }),
        ).resolves.toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      },
    );

    it('answers a message id that does not exist exactly like one the caller may not see', async () => {
      const message = await send('hidden');
      const missing = '00000000-0000-4000-8000-000000000000';
      await expectSameAsForeign(message, missing);
    });

    it('answers a made-up message id that is not a UUID as one that does not exist', async () => {
      await expectSameAsForeign(await send('hidden'), 'no-such-message');
    });

    /** Each message event on `missing` is refused as on the message of a chat `so` is not in. */
    async function expectSameAsForeign(message: { id: string }, missing: string): Promise<void> {
      for (const [event, payload] of [
        [C.EditMessage, { text: 'x' }],
        [C.DeleteMessage, {}],
        [C.AddReaction, { emoji: '👍' }],
        [C.RemoveReaction, { emoji: '👍' }],
      ] as const) {
        const [ofOther, ofNobody] = await Promise.all([
          emitAck(so, event, { messageId: message.id, ...payload }),
          emitAck(so, event, { messageId: missing, ...payload }),
        ]);
        expect(ofOther).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'forbidden' } });
        expect(ofNobody).toEqual(ofOther);
      }
    }

    it('refuses reactions from outsiders with FORBIDDEN', async () => {
      const message = await send('private');
      await expect(
        emitAck(so, C.AddReaction, { messageId: message.id, emoji: '👍' }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
    });
  });

  describe('typing', () => {
    it('announces typing once per burst to others, and stops by itself after the TTL', async () => {
      const seen = record<{ isTyping: boolean; userId: string; userName: string }>(
        sb,
        S.UserTyping,
      );
      const own = record(sa, S.UserTyping);
      await expect(ok(sa, C.Typing, { chatId: chat.id, isTyping: true })).resolves.toEqual({});
      await ok(sa, C.Typing, { chatId: chat.id, isTyping: true });
      await settle(100);
      expect(seen).toEqual([{ chatId: chat.id, userId: a.id, userName: a.name, isTyping: true }]);
      await settle(TYPING_TTL_MS + 200);
      expect(seen.map((e) => e.isTyping)).toEqual([true, false]);
      expect(own).toEqual([]);
    });

    it('stops at once on isTyping false and on disconnect', async () => {
      const seen = record<{ isTyping: boolean }>(sb, S.UserTyping);
      await ok(sa, C.Typing, { chatId: chat.id, isTyping: true });
      await ok(sa, C.Typing, { chatId: chat.id, isTyping: false });
      const extra = await chatSocket(t, a);
      await ok(extra, C.JoinChat, { chatId: chat.id });
      await ok(extra, C.Typing, { chatId: chat.id, isTyping: true });
      await settle(50);
      extra.close();
      await settle(100);
      expect(seen.map((e) => e.isTyping)).toEqual([true, false, true, false]);
    });

    it('stops typing at once when a socket that typed without joining disconnects', async () => {
      const seen = record<{ isTyping: boolean }>(sb, S.UserTyping);
      const drive = await chatSocket(t, a);
      await ok(drive, C.Typing, { chatId: chat.id, isTyping: true });
      await settle(50);
      drive.close();
      await settle(100);
      expect(seen.map((e) => e.isTyping)).toEqual([true, false]);
    });

    it('does not announce a second join of the same socket', async () => {
      const seen = record(sb, S.ParticipantUpdate);
      await ok(sa, C.JoinChat, { chatId: chat.id });
      await settle();
      expect(seen).toEqual([]);
    });

    it('refuses typing in a chat one cannot access', async () => {
      await expect(
        emitAck(so, C.Typing, { chatId: chat.id, isTyping: true }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
    });
  });

  describe('chatActivity', () => {
    it('tells members connected but not joined about new messages with their own unread count', async () => {
      const [c, d] = [await makeUser(t), await makeUser(t)];
      const room = await makeGroup(t, c, [d]);
      const [sc, sd, sdJoined] = [
        await chatSocket(t, c),
        await chatSocket(t, d),
        await chatSocket(t, d),
      ];
      await ok(sc, C.JoinChat, { chatId: room.id });
      await ok(sdJoined, C.JoinChat, { chatId: room.id });
      // Per socket: d's socket joined to the chat sees the messages, not chatActivity.
      const joinedSeen = [record(sc, S.ChatActivity), record(sdJoined, S.ChatActivity)];
      const activity = record<{
        chatId: string;
        lastSeq: number;
        unreadCount: number;
        lastMessage: MessageView;
      }>(sd, S.ChatActivity);
      await ok(sc, C.SendMessage, { chatId: room.id, text: 'one' });
      await ok(sc, C.SendMessage, { chatId: room.id, text: 'two' });
      for (let i = 0; activity.length < 2 && i < 20; i += 1) await settle(50);
      expect(
        activity.map(({ chatId, lastSeq, unreadCount }) => ({ chatId, lastSeq, unreadCount })),
      ).toEqual([
        { chatId: room.id, lastSeq: 1, unreadCount: 1 },
        { chatId: room.id, lastSeq: 2, unreadCount: 2 },
      ]);
      expect(activity[1]?.lastMessage.text).toBe('two');
      expect(joinedSeen).toEqual([[], []]);
    });

    it('in a chat big enough to keep who is away, follows leaves, new sockets and member changes', async () => {
      const [c, d, e] = [await makeUser(t), await makeUser(t), await makeUser(t)];
      // Enough members that the walk over them is kept between messages.
      const others = await Promise.all(
        Array.from({ length: AWAY_KEPT_FROM - 2 }, () => makeUser(t)),
      );
      const room = await makeGroup(t, c, [d, ...others]);
      const [sc, sd, se] = [await chatSocket(t, c), await chatSocket(t, d), await chatSocket(t, e)];
      const away = await chatSocket(t, others[0]);
      await ok(sc, C.JoinChat, { chatId: room.id });
      await ok(sd, C.JoinChat, { chatId: room.id });
      type Activity = { lastSeq: number };
      const [seenD, seenE, seenAway] = [sd, se, away].map((s) =>
        record<Activity>(s, S.ChatActivity),
      );
      const send = (text: string) => ok<MessageView>(sc, C.SendMessage, { chatId: room.id, text });
      const db = t.app.get(DataSource);
      await send('one');
      await send('two');
      await waitUntil(() => seenAway.length === 2, 2000, 'chatActivity to a member not joined');

      // d's socket leaves the chat's room: from then on it is away.
      await ok(sd, C.LeaveChat, { chatId: room.id });
      await send('three');
      await waitUntil(() => seenD.length === 1, 2000, 'chatActivity after leaving');

      // A second socket of d, connected now, is away too.
      const sd2 = await chatSocket(t, d);
      const seenD2 = record<Activity>(sd2, S.ChatActivity);
      await send('four');
      await waitUntil(
        () => seenD2.length === 1 && seenD.length === 2,
        2000,
        'chatActivity to a new socket',
      );

      // e becomes a member (as a moderator assigned to a dispute does) while connected, and
      // others[0] stops being one: the message is e's to hear of, no longer others[0]'s.
      await db.query(`INSERT INTO chat_members (chat_id, user_id) VALUES ($1, $2)`, [
        room.id,
        e.id,
      ]);
      await db.query(`DELETE FROM chat_members WHERE chat_id = $1 AND user_id = $2`, [
        room.id,
        others[0].id,
      ]);
      await send('five');
      await waitUntil(
        () => seenE.length === 1 && seenD.length === 3 && seenD2.length === 2,
        2000,
        'chatActivity to a new member',
      );
      await settle(100);
      const seqs = (seen: Activity[]): number[] => seen.map((activity) => activity.lastSeq);
      expect({
        d: seqs(seenD),
        d2: seqs(seenD2),
        e: seqs(seenE),
        removed: seqs(seenAway),
      }).toEqual({ d: [3, 4, 5], d2: [4, 5], e: [5], removed: [1, 2, 3, 4] });
    });
  });

  describe('setChatStatus and deleteChat', () => {
    it('closes a chat for its creator: members are told, sends answer CHAT_CLOSED, reopening works', async () => {
      const [c, d] = [await makeUser(t), await makeUser(t)];
      const room = await makeGroup(t, c, [d]);
      const [sc, sd] = [await chatSocket(t, c), await chatSocket(t, d)];
      await ok(sd, C.JoinChat, { chatId: room.id });
      await expect(
        emitAck(sd, C.SetChatStatus, { chatId: room.id, status: 'CLOSED' }),
      ).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
      const told = nextEvent(sd, S.ChatStatusChanged);
      await expect(
        ok<ChatView>(sc, C.SetChatStatus, { chatId: room.id, status: 'CLOSED' }),
      ).resolves.toMatchObject({ status: 'CLOSED' });
      await expect(told).resolves.toEqual({ chatId: room.id, status: 'CLOSED' });
      await expect(
        emitAck(sd, C.SendMessage, { chatId: room.id, text: 'hello?' }),
      ).resolves.toEqual({
        ok: false,
        error: { code: 'CHAT_CLOSED', message: 'chat is closed' },
      });
      const history = await ok<{ items: MessageView[] }>(sd, C.GetMessages, { chatId: room.id });
      expect(history.items).toEqual([]);
      await ok(sc, C.SetChatStatus, { chatId: room.id, status: 'ACTIVE' });
      await expect(
        ok<MessageView>(sd, C.SendMessage, { chatId: room.id, text: 'back' }),
      ).resolves.toMatchObject({ seq: 1 });
    });

    it('refuses an unknown status with VALIDATION_FAILED', async () => {
      await expect(
        emitAck(sa, C.SetChatStatus, { chatId: chat.id, status: 'ARCHIVED' }),
      ).resolves.toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    });

    it('deletes a DIRECT chat for either member, telling both, and refuses outsiders', async () => {
      const [c, d] = [await makeUser(t), await makeUser(t)];
      const [sc, sd] = [await chatSocket(t, c), await chatSocket(t, d)];
      const direct = await ok<ChatView>(sc, C.CreateChat, { type: 'DIRECT', userId: d.id });
      await expect(emitAck(so, C.DeleteChat, { chatId: direct.id })).resolves.toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
      const told = nextEvent(sc, S.ChatDeleted);
      await expect(ok(sd, C.DeleteChat, { chatId: direct.id })).resolves.toEqual({
        chatId: direct.id,
      });
      await expect(told).resolves.toEqual({ chatId: direct.id, deletedBy: d.id });
      await expect(emitAck(sc, C.JoinChat, { chatId: direct.id })).resolves.toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    });

    it('refuses deleting a GROUP chat by a member who did not create it', async () => {
      await expect(emitAck(sb, C.DeleteChat, { chatId: chat.id })).resolves.toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    });
  });
});
