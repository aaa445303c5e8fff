import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { DataSource } from 'typeorm';
import { ChatDomainEvent, type MessageCreatedEvent } from '../../src/modules/chat/chat.events.js';
import { ChatRealtime } from '../../src/modules/chat/chat.realtime.js';
import { ChatService } from '../../src/modules/chat/chat.service.js';
import { MessageStore } from '../../src/modules/chat/message.store.js';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import { makeGroup, ok, record, settle, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { describeNeeding } from '../support/needs.js';
import { holdLocks, someoneWaitsForLock } from '../support/locks.js';
import { closeAllSockets, emitAck, type Ack, type ClientSocket } from '../support/sockets.js';

/** Every event a socket receives from now on, in order, by name. */
function log(socket: ClientSocket): [string, unknown][] {
  const seen: [string, unknown][] = [];
  socket.onAny((event: string, payload: unknown) => seen.push([event, payload]));
  return seen;
}

const names = (seen: [string, unknown][]): string[] => seen.map(([event]) => event);

/** How many messages the chat has stored. */
async function countMessages(t: TestApp, chatId: string): Promise<number> {
  const [{ n }] = await t.app
    .get(DataSource)
    .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM messages WHERE chat_id = $1`, [chatId]);
  return n;
}

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('/chat changes that race each other', () => {
  let t: TestApp;
  let a: TestClient, b: TestClient;

  beforeAll(async () => {
    t = await createTestApp({ env: { TYPING_TTL_MS: '300' } });
    [a, b] = [await makeUser(t), await makeUser(t)];
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('tells a status change once when two callers ask for it at once, and answers both with the Chat', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    const changes = record(sb, S.ChatStatusChanged);
    const acks = await Promise.all(
      [1, 2].map(() =>
        emitAck<ChatView>(sa, C.SetChatStatus, { chatId: chat.id, status: 'CLOSED' }),
      ),
    );
    for (const ack of acks)
      expect(ack).toMatchObject({ ok: true, data: { id: chat.id, status: 'CLOSED' } });
    await settle(200);
    expect(changes).toEqual([{ chatId: chat.id, status: 'CLOSED' }]);
  });

  it('deletes a chat once when two callers delete it at once: the other is FORBIDDEN, one chatDeleted', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    const deleted = record(sb, S.ChatDeleted);
    const acks = await Promise.all(
      [1, 2].map(() => emitAck(sa, C.DeleteChat, { chatId: chat.id })),
    );
    expect(acks.filter((ack) => ack.ok)).toEqual([{ ok: true, data: { chatId: chat.id } }]);
    expect(acks.filter((ack) => !ack.ok)).toMatchObject([{ error: { code: 'FORBIDDEN' } }]);
    await settle(200);
    expect(deleted).toEqual([{ chatId: chat.id, deletedBy: a.id }]);
  });

  it('never answers a status change racing a delete with anything but the Chat or FORBIDDEN, nor tells it after the delete', async () => {
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    const seen = log(sb);
    for (let round = 0; round < 8; round += 1) {
      const chat = await makeGroup(t, a, [b]);
      const [status] = await Promise.all([
        emitAck<ChatView>(sa, C.SetChatStatus, { chatId: chat.id, status: 'CLOSED' }),
        emitAck(sa, C.DeleteChat, { chatId: chat.id }),
      ]);
      if (status.ok) expect(status.data).toMatchObject({ id: chat.id, status: 'CLOSED' });
      else expect(status.error).toMatchObject({ code: 'FORBIDDEN' });
    }
    await settle(200);
    const byChat = new Map<string, string[]>();
    for (const [event, payload] of seen) {
      const chatId = (payload as { chatId?: string; id?: string }).chatId;
      if (event === S.ChatCreated || !chatId) continue;
      byChat.set(chatId, [...(byChat.get(chatId) ?? []), event]);
    }
    for (const events of byChat.values()) expect(events.at(-1)).toBe(S.ChatDeleted);
  });

  it('answers an edit racing a delete of its message CONFLICT (or edits it first), and tells no edit after the delete', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const seen = log(sb);
    for (let round = 0; round < 5; round += 1) {
      const message = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'v1' });
      const [deleted, edited] = await Promise.all([
        emitAck<MessageView>(sa, C.DeleteMessage, { messageId: message.id }),
        emitAck<MessageView>(sa, C.EditMessage, { messageId: message.id, text: 'v2' }),
      ]);
      expect(deleted).toMatchObject({ ok: true, data: { isDeleted: true } });
      // Sent right behind the delete, the edit almost always comes second: refused.
      if (edited.ok) expect(edited.data).toMatchObject({ text: 'v2', isDeleted: false });
      else expect(edited.error).toMatchObject({ code: 'CONFLICT' });
    }
    await settle(150);
    const gone = new Set<string>();
    for (const [event, payload] of seen) {
      const { id } = payload as MessageView;
      if (event === S.MessageDeleted) gone.add(id);
      if (event === S.MessageUpdated) expect(gone.has(id)).toBe(false);
    }
  });

  it('makes a new DIRECT chat when the one it found is deleted before it is read', async () => {
    const [x, y] = [await makeUser(t), await makeUser(t)];
    const sx = await chatSocket(t, x);
    const first = await ok<ChatView>(sx, C.CreateChat, { type: 'DIRECT', userId: y.id });
    // As if y deleted it between the insert that found it taken and the read of its id.
    const db = t.app.get(DataSource);
    await db.query(`CREATE TABLE doomed (id uuid)`);
    await db.query(`INSERT INTO doomed VALUES ($1)`, [first.id]);
    await db.query(`CREATE FUNCTION delete_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM chats WHERE id IN (SELECT id FROM doomed); DELETE FROM doomed; RETURN NULL; END $$`);
    await db.query(
      `CREATE TRIGGER doomed AFTER INSERT ON chats FOR EACH STATEMENT EXECUTE FUNCTION delete_doomed()`,
    );
    try {
      const again = await ok<ChatView>(sx, C.CreateChat, { type: 'DIRECT', userId: y.id });
      expect(again.id).not.toBe(first.id);
      expect(again.members.map((m) => m.userId).sort()).toEqual([x.id, y.id].sort());
    } finally {
      await db.query(`DROP TRIGGER doomed ON chats`);
      await db.query(`DROP FUNCTION delete_doomed()`);
      await db.query(`DROP TABLE doomed`);
    }
  });

  it('tells a message deleted twice at once once, and answers both with the deleted message', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const deletions = record(sb, S.MessageDeleted);
    const message = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'twice' });
    const acks = await Promise.all(
      [1, 2].map(() => emitAck<MessageView>(sa, C.DeleteMessage, { messageId: message.id })),
    );
    for (const ack of acks)
      expect(ack).toMatchObject({ ok: true, data: { id: message.id, isDeleted: true } });
    await settle(200);
    expect(deletions).toHaveLength(1);
  });

  it('tells a close after the messages stored before it, even when their statement answers late', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const seen = log(sb);
    // The send's statement commits at once, and answers only once the close has been asked for.
    const store = t.app.get(MessageStore);
    const appendTogether = store.appendTogether.bind(store);
    const held = gate();
    store.appendTogether = (...args) =>
      appendTogether(...args).map((stored) => stored.then(async (v) => (await held.opened, v)));
    let close: Promise<unknown>;
    let sends: Promise<unknown>[];
    try {
      sends = [ok(sa, C.SendMessage, { chatId: chat.id, text: 'before the close' })];
      await waitUntil(
        async () => (await countMessages(t, chat.id)) === 1,
        2000,
        'the send committed',
      );
      close = ok(sa, C.SetChatStatus, { chatId: chat.id, status: 'CLOSED' });
      await settle(150);
      held.open();
    } finally {
      store.appendTogether = appendTogether;
    }
    await Promise.all([...sends, close]);
    await settle(150);
    expect(names(seen).filter((e) => e === S.NewMessage || e === S.ChatStatusChanged)).toEqual([
      S.NewMessage,
      S.ChatStatusChanged,
    ]);
  });

  it('stores a send made once a close has taken its turn after the close: CHAT_CLOSED, even while sends wait', async () => {
    const chat = await makeGroup(t, a, [b]);
    const sa = await chatSocket(t, a);
    // The chat's first send holds its turn until released, so the next ones wait in a group.
    const store = t.app.get(MessageStore);
    const appendTogether = store.appendTogether.bind(store);
    const held = gate();
    let holding = true;
    store.appendTogether = (...args) =>
      appendTogether(...args).map((stored) =>
        holding ? stored.then(async (v) => (await held.opened, v)) : stored,
      );
    let acks: Ack<unknown>[];
    try {
      const first = emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'holds the turn' });
      await waitUntil(
        async () => (await countMessages(t, chat.id)) === 1,
        2000,
        'the first send committed',
      );
      holding = false;
      const before = emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'before the close' });
      const close = emitAck(sa, C.SetChatStatus, { chatId: chat.id, status: 'CLOSED' });
      // Checked, the close waits for its turn behind the sends before it.
      await settle(150);
      const after = emitAck(sa, C.SendMessage, { chatId: chat.id, text: 'after the close' });
      await settle(150);
      held.open();
      acks = await Promise.all([first, before, close, after]);
    } finally {
      store.appendTogether = appendTogether;
    }
    expect(acks.map((ack) => ack.ok)).toEqual([true, true, true, false]);
    expect(acks[3]).toMatchObject({ error: { code: 'CHAT_CLOSED' } });
  });

  it('tells read receipts in the order they moved the marker, even when the first one answers last', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sa, C.JoinChat, { chatId: chat.id });
    for (let i = 0; i < 6; i += 1) await ok(sa, C.SendMessage, { chatId: chat.id, text: `r${i}` });
    const reads = record<{ lastReadSeq: number }>(sa, S.MessagesRead);
    // The first receipt's statement answers only after the second has been stored.
    const chats = t.app.get(ChatService);
    const markRead = chats.markRead.bind(chats);
    const held = gate();
    let calls = 0;
    chats.markRead = async (...args) => {
      const first = (calls += 1) === 1;
      const mark = await markRead(...args);
      if (first) await held.opened;
      return mark;
    };
    try {
      const first = emitAck(sb, C.ReadMessages, { chatId: chat.id, upToSeq: 3 });
      await waitUntil(() => calls === 1, 2000, 'the first receipt reached the service');
      const second = emitAck(sb, C.ReadMessages, { chatId: chat.id, upToSeq: 6 });
      await settle(150);
      held.open();
      await expect(first).resolves.toMatchObject({ ok: true, data: { lastReadSeq: 3 } });
      await expect(second).resolves.toMatchObject({ ok: true, data: { lastReadSeq: 6 } });
    } finally {
      chats.markRead = markRead;
    }
    await waitUntil(() => reads.length === 2, 2000, 'both receipts told');
    expect(reads.map((r) => r.lastReadSeq)).toEqual([3, 6]);
  });

  it('starts no typing for a socket that disconnects while its access is checked', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sa, C.JoinChat, { chatId: chat.id });
    const typing = record(sa, S.UserTyping);
    // The namespace the realtime layer was bound to: where the server's side of the socket is.
    const realtime: unknown = t.app.get(ChatRealtime);
    const { nsp } = realtime as { nsp: Namespace };
    const chats = t.app.get(ChatService);
    const access = chats.access.bind(chats);
    const held = gate();
    let checked = false;
    chats.access = async (...args) => {
      checked = true;
      await held.opened;
      return access(...args);
    };
    try {
      sb.emit(C.Typing, { chatId: chat.id, isTyping: true });
      await waitUntil(() => checked, 2000, 'the typing reached its access check');
      const id = sb.id!;
      sb.disconnect();
      await waitUntil(() => !nsp.sockets.has(id), 2000, 'the server saw the disconnect');
      held.open();
    } finally {
      chats.access = access;
    }
    // Typing that had started would be told now and again when it expired (300 ms).
    await settle(500);
    expect(typing).toEqual([]);
  });

  it('tells a member away from a chat it was deleted only after the chatActivity of its last message', async () => {
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    const seen = log(sb);
    // The away member's count is read before the delete and answers after it.
    const chats = t.app.get(ChatService);
    const unreadByMember = chats.unreadByMember.bind(chats);
    const held = gate();
    let counting = false;
    chats.unreadByMember = async (...args) => {
      const counts = await unreadByMember(...args);
      counting = true;
      await held.opened;
      return counts;
    };
    try {
      await ok(sa, C.SendMessage, { chatId: chat.id, text: 'last words' });
      await waitUntil(() => counting, 2000, 'the count was read');
      const deleted = ok(sa, C.DeleteChat, { chatId: chat.id });
      await settle(150);
      held.open();
      await deleted;
    } finally {
      chats.unreadByMember = unreadByMember;
    }
    await waitUntil(() => names(seen).includes(S.ChatDeleted), 2000, 'chatDeleted told');
    expect(names(seen).filter((e) => e === S.ChatActivity || e === S.ChatDeleted)).toEqual([
      S.ChatActivity,
      S.ChatDeleted,
    ]);
  });

  it('sends no chatActivity to a user who is no longer a member when the counts are read', async () => {
    const chat = await makeGroup(t, a, [b]);
    const stranger = await makeUser(t);
    const [sa, sb, ss] = [
      await chatSocket(t, a),
      await chatSocket(t, b),
      await chatSocket(t, stranger),
    ];
    const [toMember, toStranger] = [record(sb, S.ChatActivity), record(ss, S.ChatActivity)];
    const message = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'hello' });
    await waitUntil(() => toMember.length === 1, 2000, 'the member told');
    // As if the stranger had been a member when the message was stored, and was gone since.
    const event: MessageCreatedEvent = { message, memberIds: [a.id, b.id, stranger.id] };
    t.app.get(EventEmitter2).emit(ChatDomainEvent.MessageCreated, event);
    await waitUntil(() => toMember.length === 2, 2000, 'the member told again');
    await settle(150);
    expect(toStranger).toEqual([]);
  });
});

describeNeeding('/chat changes that race a locked row', ['PostgreSQL'])(
  '/chat changes that race a locked row',
  () => {
    let t: TestApp;
    let a: TestClient, b: TestClient;
    let db: DataSource;

    beforeAll(async () => {
      t = await createTestApp();
      [a, b] = [await makeUser(t), await makeUser(t)];
      db = t.app.get(DataSource);
    });
    afterAll(async () => {
      closeAllSockets();
      await t?.close();
    });

    const holding = (change: string, params: unknown[]) => holdLocks(db, change, params);
    const someoneWaits = () => someoneWaitsForLock(db);

    it('refuses with CONFLICT an edit that waited for a delete of its message, and tells no edit', async () => {
      const chat = await makeGroup(t, a, [b]);
      const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
      await ok(sb, C.JoinChat, { chatId: chat.id });
      const message = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'v1' });
      const updates = record(sb, S.MessageUpdated);
      const deletion = await holding(
        `UPDATE messages SET is_deleted = true, deleted_at = now(), text = NULL WHERE id = $1`,
        [message.id],
      );
      const edit = emitAck(sa, C.EditMessage, { messageId: message.id, text: 'v2' });
      await someoneWaits();
      await deletion.commit();
      await expect(edit).resolves.toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      await settle(150);
      expect(updates).toEqual([]);
    });

    it('refuses with CHAT_CLOSED a reaction that waited for the close of its chat, and stores none', async () => {
      const chat = await makeGroup(t, a, [b]);
      const sa = await chatSocket(t, a);
      const message = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'react' });
      const close = await holding(`UPDATE chats SET status = 'CLOSED' WHERE id = $1`, [chat.id]);
      const reaction = emitAck(sa, C.AddReaction, { messageId: message.id, emoji: '👍' });
      await someoneWaits();
      await close.commit();
      await expect(reaction).resolves.toMatchObject({ ok: false, error: { code: 'CHAT_CLOSED' } });
      const [{ n }] = await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM message_reactions WHERE message_id = $1`,
        [message.id],
      );
      expect(n).toBe(0);
    });
  },
);
