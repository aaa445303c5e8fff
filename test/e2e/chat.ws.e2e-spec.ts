import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import type {
  ChatView,
  MessagePage,
  MessageView,
  Page,
} from '../../src/modules/chat/chat.types.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { makeGroup, ok, record, settle } from '../support/chat.js';
import { closeAllSockets, emitAck, nextEvent, type ClientSocket } from '../support/sockets.js';
import { recordStatements } from '../support/statements.js';

type Joined = { chat: ChatView; messages: MessageView[]; hasMore: boolean };

describe('/chat', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const group = (owner: TestClient, others: TestClient[], title?: string): Promise<ChatView> =>
    makeGroup(t, owner, others, title);

  describe('createChat', () => {
    it('creates a DIRECT chat once and returns it again for the same pair, either way round', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t, 'SPECIALIST')];
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      const createdForB = record<ChatView>(sb, S.ChatCreated);
      const first = await ok<ChatView>(sa, C.CreateChat, { type: 'DIRECT', userId: b.id });
      expect(first).toMatchObject({
        type: 'DIRECT',
        status: 'ACTIVE',
        title: '',
        lastSeq: 0,
        lastMessage: null,
        unreadCount: 0,
      });
      expect(first.members.map((m) => m.userId).sort()).toEqual([a.id, b.id].sort());
      const again = await ok<ChatView>(sb, C.CreateChat, { type: 'DIRECT', userId: a.id });
      expect(again.id).toBe(first.id);
      await settle();
      expect(createdForB.map((c) => c.id)).toEqual([first.id]);
    });

    it('creates a GROUP chat with its creator as a member', async () => {
      const [owner, x, y] = [await makeUser(t), await makeUser(t), await makeUser(t)];
      const chat = await group(owner, [x, y], '  Launch  ');
      expect(chat.title).toBe('Launch');
      expect(chat.members.map((m) => m.userId).sort()).toEqual([owner.id, x.id, y.id].sort());
    });

    it.each([
      ['a GROUP without title', { type: 'GROUP', memberIds: [] }, 'title'],
      ['a DIRECT without userId', { type: 'DIRECT' }, 'userId'],
      ['an unknown type', { type: 'ORDER', title: 'x', memberIds: [] }, 'type'],
      [
        'memberIds that are not strings',
        { type: 'GROUP', title: 'x', memberIds: [1] },
        'memberIds',
      ],
      ['an unknown field', { type: 'GROUP', title: 'x', memberIds: [], admin: true }, 'admin'],
      // Refused, not ignored: the member would have been left out.
      [
        'a DIRECT with memberIds beyond its two',
        { type: 'DIRECT', userId: 'u-1', memberIds: ['u-2'] },
        'memberIds',
      ],
      [
        'a GROUP with userId',
        { type: 'GROUP', title: 'x', memberIds: [], userId: 'u-1' },
        'userId',
      ],
    ])('refuses %s with VALIDATION_FAILED', async (_name, payload, field) => {
      const s = await chatSocket(t, await makeUser(t));
      const ack = await emitAck(s, C.CreateChat, payload);
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
      expect((ack.error?.details as { field: string }[]).map((d) => d.field)).toContain(field);
    });

    it('makes a DIRECT chat given its own two as memberIds, or a title (which it has none of)', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await ok<ChatView>(await chatSocket(t, a), C.CreateChat, {
        type: 'DIRECT',
        userId: b.id,
        memberIds: [a.id, b.id],
        title: 'Us',
      });
      expect(chat).toMatchObject({ type: 'DIRECT', title: '' });
      expect(chat.members.map((m) => m.userId).sort()).toEqual([a.id, b.id].sort());
    });

    it('refuses a DIRECT chat with oneself', async () => {
      const a = await makeUser(t);
      const ack = await emitAck(await chatSocket(t, a), C.CreateChat, {
        type: 'DIRECT',
        userId: a.id,
      });
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
    });

    it('adds a member named twice, or the creator named too, once', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await ok<ChatView>(await chatSocket(t, a), C.CreateChat, {
        type: 'GROUP',
        title: 'Twice',
        memberIds: [b.id, a.id, b.id],
      });
      expect(chat.members.map((m) => m.userId).sort()).toEqual([a.id, b.id].sort());
    });

    it('refuses members the server has never seen with NOT_FOUND', async () => {
      const ack = await emitAck(await chatSocket(t, await makeUser(t)), C.CreateChat, {
        type: 'GROUP',
        title: 'x',
        memberIds: ['nobody-at-all'],
      });
      expect(ack.error).toMatchObject({
        code: 'NOT_FOUND',
        details: { userIds: ['nobody-at-all'] },
      });
    });
  });

  describe('joinChat and access', () => {
    it('answers a member with the chat and its latest messages, also for a bare chatId', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const s = await chatSocket(t, b);
      const byObject = await ok<Joined>(s, C.JoinChat, { chatId: chat.id });
      expect(byObject).toMatchObject({ chat: { id: chat.id }, messages: [], hasMore: false });
      const bare = await ok<Joined>(s, C.JoinChat, chat.id);
      expect(bare.chat.id).toBe(chat.id);
    });

    it('refuses non-members with FORBIDDEN, the same for a chat that does not exist', async () => {
      const [a, b, outsider] = [
        await makeUser(t),
        await makeUser(t),
        await makeUser(t, 'SPECIALIST'),
      ];
      const chat = await group(a, [b]);
      const s = await chatSocket(t, outsider);
      const refusals = await Promise.all([
        emitAck(s, C.JoinChat, { chatId: chat.id }),
        emitAck(s, C.JoinChat, { chatId: '00000000-0000-4000-8000-000000000000' }),
        emitAck(s, C.SendMessage, { chatId: chat.id, text: 'hi' }),
        emitAck(s, C.GetMessages, { chatId: chat.id }),
        emitAck(s, C.ReadMessages, { chatId: chat.id, upToSeq: 1 }),
        emitAck(s, C.GetActiveUsers, { chatId: chat.id }),
      ]);
      for (const ack of refusals)
        expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'forbidden' } });
    });

    it('lets an ADMIN join any chat but not a MODERATOR a GROUP chat', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const admin = await chatSocket(t, await makeUser(t, 'ADMIN'));
      await expect(emitAck(admin, C.JoinChat, { chatId: chat.id })).resolves.toMatchObject({
        ok: true,
      });
      const moderator = await chatSocket(t, await makeUser(t, 'MODERATOR'));
      await expect(emitAck(moderator, C.JoinChat, { chatId: chat.id })).resolves.toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
    });

    it('checks access to history in the statement that reads the page', async () => {
      const [a, b, outsider] = [await makeUser(t), await makeUser(t), await makeUser(t)];
      const [chat, empty] = [await group(a, [b]), await group(a, [b])];
      const sa = await chatSocket(t, a);
      for (const text of ['one', 'two', 'three'])
        await ok(sa, C.SendMessage, { chatId: chat.id, text });
      const [sb, so] = [await chatSocket(t, b), await chatSocket(t, outsider)];
      const [admin, moderator] = [
        await chatSocket(t, await makeUser(t, 'ADMIN')),
        await chatSocket(t, await makeUser(t, 'MODERATOR')),
      ];
      const missing = '00000000-0000-4000-8000-00000000abcd';
      const db = t.app.get(DataSource);
      const { statements, stop } = recordStatements(db, (parameters) =>
        [chat.id, empty.id, missing].some((id) => parameters?.includes(id)),
      );
      const reads: [ClientSocket, object, string[], boolean][] = [
        [sb, { chatId: chat.id, before: 3 }, ['one', 'two'], false],
        [sb, { chatId: chat.id, after: 1, limit: 1 }, ['two'], true],
        [sb, { chatId: chat.id }, ['one', 'two', 'three'], false],
        [sb, { chatId: empty.id }, [], false],
        [admin, { chatId: chat.id, limit: 1 }, ['three'], true],
      ];
      try {
        for (const [s, query, texts, hasMore] of reads) {
          statements.length = 0;
          const page = await ok<MessagePage>(s, C.GetMessages, query);
          expect(page.items.map((m) => m.text)).toEqual(texts);
          expect(page.hasMore).toBe(hasMore);
          expect(statements).toHaveLength(1);
        }
        for (const [s, chatId] of [
          [so, chat.id],
          [so, empty.id],
          [so, missing],
          [moderator, chat.id],
          [sb, missing],
        ] as const) {
          statements.length = 0;
          await expect(emitAck(s, C.GetMessages, { chatId, before: 2 })).resolves.toEqual({
            ok: false,
            error: { code: 'FORBIDDEN', message: 'forbidden' },
          });
          expect(statements).toHaveLength(1);
        }
      } finally {
        stop();
      }
    });

    // Ids are case-insensitive in PostgreSQL but were used as given for rooms and lists.
    it('treats a chatId in upper case as the same chat: the socket gets its messages', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      const joined = await ok<Joined>(sb, C.JoinChat, { chatId: chat.id.toUpperCase() });
      expect(joined.chat.id).toBe(chat.id);
      const received = nextEvent<MessageView>(sb, S.NewMessage);
      await ok(sa, C.SendMessage, { chatId: chat.id, text: 'hello' });
      await expect(received).resolves.toMatchObject({ chatId: chat.id, text: 'hello' });
      await expect(
        ok<{ userIds: string[] }>(sa, C.GetActiveUsers, { chatId: chat.id }),
      ).resolves.toMatchObject({ userIds: [b.id] });
      await ok(sb, C.LeaveChat, { chatId: chat.id.toUpperCase() });
      await expect(
        ok<{ userIds: string[] }>(sa, C.GetActiveUsers, { chatId: chat.id }),
      ).resolves.toMatchObject({ userIds: [] });
    });

    it('answers a made-up chatId that is not a UUID as any unknown chat: FORBIDDEN', async () => {
      const s = await chatSocket(t, await makeUser(t));
      await expect(emitAck(s, C.JoinChat, { chatId: 'not-a-uuid' })).resolves.toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: 'forbidden' },
      });
    });

    it('refuses a joined chat id written another way with VALIDATION_FAILED, and stays in it', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      await ok(sb, C.JoinChat, { chatId: chat.id });
      await expect(emitAck(sb, C.LeaveChat, { chatId: `{${chat.id}}` })).resolves.toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [{ field: 'chatId' }] },
      });
      await expect(
        ok<{ userIds: string[] }>(sa, C.GetActiveUsers, { chatId: chat.id }),
      ).resolves.toMatchObject({ userIds: [b.id] });
    });

    it('refuses a chatId too long to be an id with VALIDATION_FAILED', async () => {
      const s = await chatSocket(t, await makeUser(t));
      await expect(emitAck(s, C.JoinChat, { chatId: 'x'.repeat(129) })).resolves.toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [{ field: 'chatId' }] },
      });
    });
  });

  describe('sendMessage', () => {
    let a: TestClient,
      b: TestClient,
      chat: ChatView,
      sa: ClientSocket,
      sa2: ClientSocket,
      sb: ClientSocket;
    beforeAll(async () => {
      [a, b] = [await makeUser(t), await makeUser(t)];
      chat = await group(a, [b]);
      [sa, sa2, sb] = [await chatSocket(t, a), await chatSocket(t, a), await chatSocket(t, b)];
      for (const s of [sa, sa2, sb]) await ok(s, C.JoinChat, { chatId: chat.id });
    });

    it('acks the stored message and delivers it to every other joined socket, not the sending one', async () => {
      const [toSender, toOther, toB] = [
        record(sa, S.NewMessage),
        record(sa2, S.NewMessage),
        record(sb, S.NewMessage),
      ];
      const message = await ok<MessageView>(sa, C.SendMessage, {
        chatId: chat.id,
        text: '  hello  ',
      });
      expect(message).toMatchObject({
        chatId: chat.id,
        senderId: a.id,
        senderRole: 'CLIENT',
        type: 'TEXT',
        text: 'hello',
        attachments: [],
        replyToId: null,
        replyTo: null,
        clientMessageId: null,
        reactions: [],
        isDeleted: false,
        deletedAt: null,
        editedAt: null,
      });
      expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
      await settle();
      expect(toSender).toEqual([]);
      expect(toOther).toEqual([message]);
      expect(toB).toEqual([message]);
    });

    it('does not deliver newMessage to a member who has not joined the chat', async () => {
      const c = await makeUser(t);
      const chat2 = await group(a, [c]);
      const sc = await chatSocket(t, c);
      const seen = record(sc, S.NewMessage);
      const s = await chatSocket(t, a);
      await ok(s, C.SendMessage, { chatId: chat2.id, text: 'you are not looking' });
      await settle();
      expect(seen).toEqual([]);
    });

    it('accepts exactly MESSAGE_MAX_LENGTH characters and refuses one more', async () => {
      await expect(
        emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'x'.repeat(4000) }),
      ).resolves.toMatchObject({ ok: true });
      const ack = await emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'x'.repeat(4001) });
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
    });

    it.each([
      ['empty text', { text: '' }, 'text'],
      ['whitespace-only text', { text: '   \n ' }, 'text'],
      ['no text and no attachments', {}, 'text'],
      ['text of the wrong type', { text: 42 }, 'text'],
      ['an unknown field', { text: 'hi', pinned: true }, 'pinned'],
      ['a replyToId too long to be an id', { text: 'hi', replyToId: 'x'.repeat(129) }, 'replyToId'],
      // PostgreSQL text cannot hold NUL: it used to fail in the insert, as INTERNAL.
      ['a NUL character in the text', { text: 'a\u0000b' }, 'text'],
      [
        'a NUL character in clientMessageId',
        { text: 'hi', clientMessageId: '\u0000' },
        'clientMessageId',
      ],
      // As a key, '' would make every later message with it a repeat of the first: lost.
      ['an empty clientMessageId', { text: 'hi', clientMessageId: '' }, 'clientMessageId'],
      ['a blank clientMessageId', { text: 'hi', clientMessageId: ' \t ' }, 'clientMessageId'],
      [
        'a clientMessageId over 100',
        { text: 'hi', clientMessageId: 'k'.repeat(101) },
        'clientMessageId',
      ],
    ])('refuses %s with VALIDATION_FAILED and stores nothing', async (_name, payload, field) => {
      const before = await ok<MessagePage>(sa, C.GetMessages, { chatId: chat.id, limit: 1 });
      const ack = await emitAck(sa, C.SendMessage, { chatId: chat.id, ...payload });
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
      expect((ack.error?.details as { field: string }[]).map((d) => d.field)).toContain(field);
      const after = await ok<MessagePage>(sa, C.GetMessages, { chatId: chat.id, limit: 1 });
      expect(after.items[0]?.seq).toBe(before.items[0]?.seq);
    });

    it('links a reply to a message of the same chat and refuses one from another chat', async () => {
      const original = await ok<MessageView>(sb, C.SendMessage, {
        chatId: chat.id,
        text: 'question?',
      });
      const reply = await ok<MessageView>(sa, C.SendMessage, {
        chatId: chat.id,
        text: 'answer',
        replyToId: original.id,
      });
      expect(reply.replyTo).toEqual({
        id: original.id,
        senderId: b.id,
        text: 'question?',
        isDeleted: false,
      });
      const elsewhere = await group(a, [b], 'Other');
      const s = await chatSocket(t, a);
      const ack = await emitAck(s, C.SendMessage, {
        chatId: elsewhere.id,
        text: 'wrong',
        replyToId: original.id,
      });
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
      expect(ack.error?.details).toEqual([expect.objectContaining({ field: 'replyToId' })]);
      const history = await ok<MessagePage>(s, C.GetMessages, { chatId: elsewhere.id });
      expect(history.items).toEqual([]);
    });

    it('returns the first message again for a repeated clientMessageId, with one row and one broadcast', async () => {
      const seen = record<MessageView>(sb, S.NewMessage);
      const first = await ok<MessageView>(sa, C.SendMessage, {
        chatId: chat.id,
        text: 'once',
        clientMessageId: 'c-1',
      });
      const second = await ok<MessageView>(sa2, C.SendMessage, {
        chatId: chat.id,
        text: 'once',
        clientMessageId: 'c-1',
      });
      expect(second).toEqual(first);
      await settle();
      expect(seen.filter((m) => m.clientMessageId === 'c-1')).toHaveLength(1);
    });

    it('keeps one row and one broadcast when identical sends race', async () => {
      const seen = record<MessageView>(sb, S.NewMessage);
      const acks = await Promise.all(
        [sa, sa2, sa, sa2].map((s) =>
          ok<MessageView>(s, C.SendMessage, {
            chatId: chat.id,
            text: 'race',
            clientMessageId: 'race-1',
          }),
        ),
      );
      expect(new Set(acks.map((m) => m.id)).size).toBe(1);
      await settle();
      expect(seen.filter((m) => m.clientMessageId === 'race-1')).toHaveLength(1);
      const history = await ok<MessagePage>(sa, C.GetMessages, {
        chatId: chat.id,
        limit: 100,
      });
      expect(history.items.filter((m) => m.clientMessageId === 'race-1')).toHaveLength(1);
      const seqs = history.items.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
    });
  });

  describe('ordering, recovery and history', () => {
    it('numbers 20 × 50 concurrent sends 1..1000 without gaps and delivers them in seq order', async () => {
      const owner = await makeUser(t);
      const senders = await Promise.all(Array.from({ length: 20 }, () => makeUser(t)));
      const chat = await group(owner, senders, 'Load');
      const watcher = await chatSocket(t, owner);
      await ok(watcher, C.JoinChat, { chatId: chat.id });
      const received = record<MessageView>(watcher, S.NewMessage);
      const sockets = await Promise.all(senders.map((u) => chatSocket(t, u)));
      for (const s of sockets) await ok(s, C.JoinChat, { chatId: chat.id });
      const acks = await Promise.all(
        sockets.map(async (s, i) => {
          const mine: number[] = [];
          for (let n = 0; n < 50; n += 1) {
            mine.push(
              (await ok<MessageView>(s, C.SendMessage, { chatId: chat.id, text: `${i}:${n}` })).seq,
            );
          }
          return mine;
        }),
      );
      const seqs = acks.flat().sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      for (const mine of acks) expect(mine).toEqual([...mine].sort((x, y) => x - y));
      for (let tries = 0; received.length < 1000 && tries < 50; tries += 1) await settle(100);
      expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      for (const s of sockets) s.close();
    }, 120_000);

    it('gives a reconnecting client exactly the messages it missed', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const sa = await chatSocket(t, a);
      await ok(sa, C.JoinChat, { chatId: chat.id });
      for (let i = 0; i < 3; i += 1)
        await ok(sa, C.SendMessage, { chatId: chat.id, text: `before ${i}` });
      let sb = await chatSocket(t, b);
      const seen = await ok<Joined>(sb, C.JoinChat, { chatId: chat.id });
      const lastSeen = seen.messages[seen.messages.length - 1].seq;
      sb.close();
      const missed: MessageView[] = [];
      for (let i = 0; i < 7; i += 1)
        missed.push(
          await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: `missed ${i}` }),
        );
      sb = await chatSocket(t, b);
      const recovered = await ok<Joined>(sb, C.JoinChat, { chatId: chat.id, sinceSeq: lastSeen });
      expect(recovered.messages).toEqual(missed);
      expect(recovered.hasMore).toBe(false);
      const limited = await ok<Joined>(sb, C.JoinChat, {
        chatId: chat.id,
        sinceSeq: lastSeen,
        limit: 5,
      });
      expect(limited.messages).toEqual(missed.slice(0, 5));
      expect(limited.hasMore).toBe(true);
    });

    it('takes optional fields sent as null as absent: the latest page, not an empty one', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const sa = await chatSocket(t, a);
      const sent: MessageView[] = [];
      for (let i = 0; i < 3; i += 1)
        sent.push(await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: `m ${i}` }));
      const sb = await chatSocket(t, b);
      const joined = await ok<Joined>(sb, C.JoinChat, {
        chatId: chat.id,
        sinceSeq: null,
        limit: null,
      });
      expect(joined.messages).toEqual(sent);
      const page = await ok<MessagePage>(sb, C.GetMessages, {
        chatId: chat.id,
        before: null,
        limit: null,
      });
      expect(page).toEqual({ items: sent, hasMore: false, nextCursor: null });
      const ack = await emitAck(sb, C.GetMessages, { chatId: null });
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
    });

    it('gives back in history each message exactly as its send acknowledged it', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const sa = await chatSocket(t, a);
      const sent: MessageView[] = [];
      for (let i = 0; i < 3; i += 1)
        sent.push(await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: `kept ${i}` }));
      const page = await ok<MessagePage>(sa, C.GetMessages, { chatId: chat.id });
      expect(page.items).toEqual(sent);
    });

    it('pages through 250 messages in both directions without gaps or duplicates', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const s = await chatSocket(t, a);
      for (let i = 1; i <= 250; i += 1)
        await ok(s, C.SendMessage, { chatId: chat.id, text: `m${i}` });
      const all = Array.from({ length: 250 }, (_, i) => i + 1);

      const backwards: number[] = [];
      let page = await ok<MessagePage>(s, C.GetMessages, { chatId: chat.id, limit: 40 });
      for (;;) {
        backwards.unshift(...page.items.map((m) => m.seq));
        expect(page.items.map((m) => m.seq)).toEqual(
          [...page.items.map((m) => m.seq)].sort((x, y) => x - y),
        );
        if (!page.hasMore) break;
        // The contract's cursor is the seq itself: the oldest of the page, going back.
        expect(page.nextCursor).toBe(page.items[0].seq);
        page = await ok<MessagePage>(s, C.GetMessages, {
          chatId: chat.id,
          before: page.nextCursor,
          limit: 40,
        });
      }
      expect(backwards).toEqual(all);

      const forwards: number[] = [];
      page = await ok<MessagePage>(s, C.GetMessages, {
        chatId: chat.id,
        after: 0,
        limit: 33,
      });
      for (;;) {
        forwards.push(...page.items.map((m) => m.seq));
        if (!page.hasMore) break;
        expect(page.nextCursor).toBe(page.items[page.items.length - 1].seq);
        page = await ok<MessagePage>(s, C.GetMessages, {
          chatId: chat.id,
          after: page.nextCursor,
          limit: 33,
        });
      }
      expect(forwards).toEqual(all);
      expect(page.nextCursor).toBeNull();
    }, 60_000);

    it('prints each timestamp as the database holds it, to the millisecond, however it was read', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b], 'times');
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      // A batched send, and a reply (stored alone).
      const plain = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'p' });
      const reply = await ok<MessageView>(sb, C.SendMessage, {
        chatId: chat.id,
        text: 'r',
        replyToId: plain.id,
      });
      const stored = await t.app.get(DataSource).query<{ id: string; at: string }[]>(
        `SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
         FROM messages WHERE chat_id = $1 ORDER BY seq`,
        [chat.id],
      );
      expect([plain.createdAt, reply.createdAt]).toEqual(stored.map((r) => r.at));
      const page = await ok<MessagePage>(sa, C.GetMessages, { chatId: chat.id });
      const joined = await ok<{ chat: ChatView; messages: MessageView[] }>(sb, C.JoinChat, {
        chatId: chat.id,
      });
      const rest = await request(t.url)
        .get(`/api/chats/${chat.id}/messages`)
        .set('Authorization', `Bearer ${a.token}`)
        .expect(200);
      for (const read of [page.items, joined.messages, (rest.body as MessagePage).items])
        expect(read.map((m) => m.createdAt)).toEqual(stored.map((r) => r.at));
      expect(joined.chat.lastMessage?.createdAt).toBe(reply.createdAt);
      const [row] = await t.app.get(DataSource).query<Record<string, string>[]>(
        `SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created,
                to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated,
                (SELECT to_char(joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                 FROM chat_members WHERE chat_id = c.id AND user_id = $2) AS joined
         FROM chats c WHERE c.id = $1`,
        [chat.id, b.id],
      );
      expect(joined.chat).toMatchObject({ createdAt: row.created, updatedAt: row.updated });
      expect(joined.chat.members.find((m) => m.userId === b.id)?.joinedAt).toBe(row.joined);
    });

    it('refuses a limit above 100 and before combined with after', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const s = await chatSocket(t, a);
      await expect(
        emitAck(s, C.GetMessages, { chatId: chat.id, limit: 101 }),
      ).resolves.toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      await expect(
        emitAck(s, C.GetMessages, { chatId: chat.id, before: 5, after: 1 }),
      ).resolves.toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    });

    it('takes every whole-number field as a number or the same in digits, as seq cursors', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const s = await chatSocket(t, a);
      for (let i = 0; i < 4; i += 1) await ok(s, C.SendMessage, { chatId: chat.id, text: `${i}` });
      const page = await ok<MessagePage>(s, C.GetMessages, { chatId: chat.id, limit: '2' });
      expect(page.items.map((m) => m.seq)).toEqual([3, 4]);
      const before = await ok<MessagePage>(s, C.GetMessages, {
        chatId: chat.id,
        before: '3',
        limit: '1',
      });
      expect(before.items.map((m) => m.seq)).toEqual([2]);
      const joined = await ok<{ messages: MessageView[] }>(s, C.JoinChat, {
        chatId: chat.id,
        sinceSeq: '1',
        limit: '2',
      });
      expect(joined.messages.map((m) => m.seq)).toEqual([2, 3]);
      const mine = await ok<{ items: ChatView[] }>(s, C.GetMyChats, { limit: '1' });
      expect(mine.items).toHaveLength(1);
      const sb = await chatSocket(t, b);
      await expect(ok(sb, C.ReadMessages, { chatId: chat.id, upToSeq: '3' })).resolves.toEqual({
        chatId: chat.id,
        lastReadSeq: 3,
        unreadCount: 1,
      });
      // Digits only: anything else is refused as not a number, over the socket and over REST.
      for (const limit of ['0', ' 2', '2.0', '1e1', '-1', '0x2']) {
        const ack = await emitAck(s, C.GetMessages, { chatId: chat.id, limit });
        expect(ack.error?.code).toBe('VALIDATION_FAILED');
        await request(t.url)
          .get(`/api/chats/${chat.id}/messages`)
          .query({ limit })
          .set('Authorization', `Bearer ${a.token}`)
          .expect(400);
      }
      const rest = await request(t.url)
        .get(`/api/chats/${chat.id}/messages?limit=2&before=4`)
        .set('Authorization', `Bearer ${a.token}`)
        .expect(200);
      expect((rest.body as MessagePage).items.map((m) => m.seq)).toEqual([2, 3]);
      await request(t.url)
        .post(`/api/chats/${chat.id}/read`)
        .set('Authorization', `Bearer ${b.token}`)
        .send({ upToSeq: '4' })
        .expect(200, { chatId: chat.id, lastReadSeq: 4, unreadCount: 0 });
    });

    // seq is a PostgreSQL integer: a bigger cursor used to reach the query and answer INTERNAL.
    it.each([
      [C.GetMessages, { before: 2 ** 31 }],
      [C.GetMessages, { after: 1e20 }],
      [C.JoinChat, { sinceSeq: 2 ** 53 }],
      [C.JoinChat, { sinceSeq: '9999999999' }],
      [C.ReadMessages, { upToSeq: 2 ** 31 }],
    ])(
      'refuses %s with a seq beyond any chat (%j) with VALIDATION_FAILED',
      async (event, extra) => {
        const [a, b] = [await makeUser(t), await makeUser(t)];
        const chat = await group(a, [b]);
        const s = await chatSocket(t, a);
        const ack = await emitAck(s, event, { chatId: chat.id, ...extra });
        expect(ack.error?.code).toBe('VALIDATION_FAILED');
        expect((ack.error?.details as { field: string }[]).map((d) => d.field)).toEqual(
          Object.keys(extra),
        );
      },
    );
  });

  describe('read markers, chat list and presence in a chat', () => {
    it('moves read markers forward only, tells the chat, and counts unread messages from others', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      await ok(sa, C.JoinChat, { chatId: chat.id });
      await ok(sb, C.JoinChat, { chatId: chat.id });
      const sent: MessageView[] = [];
      for (let i = 0; i < 5; i += 1)
        sent.push(await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: `${i}` }));
      await ok(sb, C.SendMessage, { chatId: chat.id, text: 'mine' });
      const readEvent = nextEvent<Record<string, unknown>>(sa, S.MessagesRead);
      await expect(
        ok(sb, C.ReadMessages, { chatId: chat.id, messageIds: [sent[2].id] }),
      ).resolves.toEqual({
        chatId: chat.id,
        lastReadSeq: 3,
        unreadCount: 2,
      });
      await expect(readEvent).resolves.toMatchObject({
        chatId: chat.id,
        userId: b.id,
        lastReadSeq: 3,
        messageIds: [sent[2].id],
      });
      // Behind the marker: answered with the marker as it stands, and told to no one (the next
      // messagesRead the chat hears is the next read's, below).
      const told = record<{ lastReadSeq: number }>(sa, S.MessagesRead);
      await expect(ok(sb, C.ReadMessages, { chatId: chat.id, upToSeq: 1 })).resolves.toEqual({
        chatId: chat.id,
        lastReadSeq: 3,
        unreadCount: 2,
      });
      // Ids that name no message of the chat move nothing and are not told to it.
      const elsewhere = await ok<MessageView>(sa, C.SendMessage, {
        chatId: (await group(a, [b])).id,
        text: 'another chat',
      });
      const moved = nextEvent<Record<string, unknown>>(sa, S.MessagesRead);
      await ok(sb, C.ReadMessages, {
        chatId: chat.id,
        messageIds: [randomUUID(), sent[3].id, elsewhere.id, sent[3].id],
      });
      await expect(moved).resolves.toMatchObject({ lastReadSeq: 4, messageIds: [sent[3].id] });
      expect(told.map((read) => read.lastReadSeq)).toEqual([4]);
      await expect(ok(sb, C.ReadMessages, { chatId: chat.id, upToSeq: 999 })).resolves.toEqual({
        chatId: chat.id,
        lastReadSeq: 6,
        unreadCount: 0,
      });
    });

    it('takes a read receipt in one statement, access check included', async () => {
      const [a, b, outsider] = [await makeUser(t), await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const sa = await chatSocket(t, a);
      const sent: MessageView[] = [];
      for (let i = 0; i < 4; i += 1)
        sent.push(await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: `${i}` }));
      const [sb, so, admin] = [
        await chatSocket(t, b),
        await chatSocket(t, outsider),
        await chatSocket(t, await makeUser(t, 'ADMIN')),
      ];
      const { statements, stop } = recordStatements(t.app.get(DataSource), (parameters) =>
        Boolean(parameters?.includes(chat.id)),
      );
      const reads: [ClientSocket, object, object][] = [
        // Moved by messageIds; not moved (behind the marker); moved to the end.
        [sb, { messageIds: [sent[1].id] }, { lastReadSeq: 2, unreadCount: 2 }],
        [sb, { upToSeq: 1 }, { lastReadSeq: 2, unreadCount: 2 }],
        [sb, { upToSeq: 99, messageIds: [sent[0].id] }, { lastReadSeq: 4, unreadCount: 0 }],
        // Staff with no marker.
        [admin, { upToSeq: 3 }, { lastReadSeq: 0, unreadCount: 0 }],
      ];
      try {
        for (const [s, read, answer] of reads) {
          statements.length = 0;
          const ack = await ok(s, C.ReadMessages, { chatId: chat.id, ...read });
          expect(ack).toEqual({ chatId: chat.id, ...answer });
          expect(statements).toHaveLength(1);
        }
        const refused = await emitAck(so, C.ReadMessages, { chatId: chat.id, upToSeq: 4 });
        expect(refused.error?.code).toBe('FORBIDDEN');
      } finally {
        stop();
      }
    });

    it('answers racing read receipts with the marker as it ends up', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const sa = await chatSocket(t, a);
      for (let i = 0; i < 30; i += 1)
        await ok(sa, C.SendMessage, { chatId: chat.id, text: `${i}` });
      const sb = await chatSocket(t, b);
      const reads = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          ok<{ lastReadSeq: number; unreadCount: number }>(sb, C.ReadMessages, {
            chatId: chat.id,
            upToSeq: i + 1,
          }),
        ),
      );
      // Each answer holds at least its own target, and its count matches its marker.
      reads.forEach((read, i) => {
        expect(read.lastReadSeq).toBeGreaterThanOrEqual(i + 1);
        expect(read.unreadCount).toBe(30 - read.lastReadSeq);
      });
      const last = await ok(sb, C.ReadMessages, { chatId: chat.id, upToSeq: 0 });
      expect(last).toEqual({ chatId: chat.id, lastReadSeq: 30, unreadCount: 0 });
    });

    it('lists my chats by latest activity with unread counts, page by page', async () => {
      const me = await makeUser(t);
      const other = await makeUser(t);
      const chats: ChatView[] = [];
      for (let i = 0; i < 5; i += 1) chats.push(await group(other, [me], `c${i}`));
      const so = await chatSocket(t, other);
      await ok(so, C.SendMessage, { chatId: chats[1].id, text: 'bump' });
      await ok(so, C.SendMessage, { chatId: chats[1].id, text: 'bump again' });
      const s = await chatSocket(t, me);
      const first = await ok<Page<ChatView>>(s, C.GetMyChats, { limit: 2 });
      expect(first.items.map((c) => c.id)).toEqual([chats[1].id, chats[4].id]);
      expect(first.items[0]).toMatchObject({
        unreadCount: 2,
        lastSeq: 2,
        lastMessage: { text: 'bump again' },
      });
      expect(first.hasMore).toBe(true);
      const second = await ok<Page<ChatView>>(s, C.GetMyChats, {
        limit: 2,
        cursor: first.nextCursor,
      });
      const third = await ok<Page<ChatView>>(s, C.GetMyChats, {
        limit: 2,
        cursor: second.nextCursor,
      });
      expect([...second.items, ...third.items].map((c) => c.id)).toEqual([
        chats[3].id,
        chats[2].id,
        chats[0].id,
      ]);
      expect(third).toMatchObject({ hasMore: false, nextCursor: null });
      await expect(emitAck(s, C.GetMyChats, { cursor: 'garbage' })).resolves.toMatchObject({
        error: { code: 'VALIDATION_FAILED' },
      });
    });

    it('gives each listed chat its own latest message as history reads it, and its members', async () => {
      const [me, other] = [await makeUser(t), await makeUser(t)];
      const [quiet, busy] = [await group(other, [me], 'quiet'), await group(other, [me], 'busy')];
      const [s, so] = [await chatSocket(t, me), await chatSocket(t, other)];
      await ok(so, C.SendMessage, { chatId: busy.id, text: 'first' });
      const replied = await ok<MessageView>(so, C.SendMessage, { chatId: busy.id, text: 'q' });
      await ok(so, C.SendMessage, { chatId: busy.id, text: 'a', replyToId: replied.id });
      const page = await ok<MessagePage>(s, C.GetMessages, { chatId: busy.id, limit: 1 });
      await ok(s, C.AddReaction, { messageId: page.items[0].id, emoji: '👍' });
      const [latest] = (await ok<MessagePage>(s, C.GetMessages, { chatId: busy.id, limit: 1 }))
        .items;
      const { items } = await ok<Page<ChatView>>(s, C.GetMyChats, { limit: 2 });
      expect(items.map((c) => c.id)).toEqual([busy.id, quiet.id]);
      expect(items[0]).toMatchObject({ lastSeq: 3, unreadCount: 3 });
      expect(items[0].lastMessage).toEqual(latest);
      expect(latest).toMatchObject({ text: 'a', replyTo: { id: replied.id, text: 'q' } });
      expect(latest.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [me.id] }]);
      expect(items[1]).toMatchObject({ lastSeq: 0, lastMessage: null, unreadCount: 0 });
      const member = (id: string) => ({
        userId: id,
        name: expect.any(String),
        role: 'CLIENT',
        lastReadSeq: 0,
        joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      for (const chat of items) {
        // In the order the database gives for (joined_at, user_id), whatever its collation.
        const order = await t.app
          .get(DataSource)
          .query<{ user_id: string }[]>(
            `SELECT user_id FROM chat_members WHERE chat_id = $1 ORDER BY joined_at, user_id`,
            [chat.id],
          );
        expect(chat.members).toEqual(order.map((r) => member(r.user_id)));
        expect(order.map((r) => r.user_id).sort()).toEqual([other.id, me.id].sort());
      }
      // A viewer who is not a member (ADMIN) sees the same chat with nothing unread.
      const admin = await makeUser(t, 'ADMIN');
      const asAdmin = await request(t.url)
        .get(`/api/chats/${busy.id}`)
        .set('Authorization', `Bearer ${admin.token}`)
        .expect(200);
      expect(asAdmin.body).toMatchObject({ id: busy.id, unreadCount: 0, lastSeq: 3 });
      expect((asAdmin.body as ChatView).lastMessage?.id).toBe(latest.id);
    });

    it('announces joins and leaves, lists active users, and stops delivering after leaveChat', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      await ok(sa, C.JoinChat, { chatId: chat.id });
      const joined = nextEvent(sa, S.ParticipantUpdate);
      await ok(sb, C.JoinChat, { chatId: chat.id });
      await expect(joined).resolves.toMatchObject({
        chatId: chat.id,
        userId: b.id,
        action: 'joined',
      });
      const active = await ok<{ userIds: string[] }>(sa, C.GetActiveUsers, { chatId: chat.id });
      expect(active.userIds.sort()).toEqual([a.id, b.id].sort());
      const left = nextEvent(sa, S.ParticipantUpdate);
      await expect(ok(sb, C.LeaveChat, { chatId: chat.id })).resolves.toEqual({ chatId: chat.id });
      await expect(left).resolves.toMatchObject({ chatId: chat.id, userId: b.id, action: 'left' });
      const seen = record(sb, S.NewMessage);
      await ok(sa, C.SendMessage, { chatId: chat.id, text: 'after leave' });
      await settle();
      expect(seen).toEqual([]);
      const disconnected = nextEvent(sa, S.ParticipantUpdate);
      await ok(sb, C.JoinChat, { chatId: chat.id });
      await disconnected;
      const gone = nextEvent(sa, S.ParticipantUpdate);
      sb.close();
      await expect(gone).resolves.toMatchObject({ userId: b.id, action: 'left' });
    });
  });
});
