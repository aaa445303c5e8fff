import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/auth-user.js';
import type { Actor } from '../../src/common/auth/actor.js';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import { ChatDomainEvent, type MessageCreatedEvent } from '../../src/modules/chat/chat.events.js';
import { MessageService } from '../../src/modules/chat/message.service.js';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import { makeGroup, ok, record, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { expectTimeOrderedId } from '../support/ids.js';
import { closeAllSockets } from '../support/sockets.js';
import { recordStatements } from '../support/statements.js';

// Sends that arrive together are stored by one statement (append-batch.ts): each still gets its
// own answer, seq and refusal, and its own broadcast.
describe('sends stored together', () => {
  let t: TestApp;
  let a: TestClient, b: TestClient;
  let actor: Actor;
  let messages: MessageService;
  let statements: string[];

  beforeAll(async () => {
    // The chat creation rate off: its cases open many chats.
    t = await createTestApp({ env: { LIMIT_CHATS_PER_MINUTE: '0' } });
    [a, b] = [await makeUser(t), await makeUser(t)];
    actor = { id: a.id, name: a.name, role: Role.Client };
    messages = t.app.get(MessageService);
    // Every statement the app sends from here on, to count the inserts.
    statements = recordStatements(t.app.get(DataSource)).statements;
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const inserts = () => statements.filter((sql) => sql.includes('INSERT INTO messages')).length;

  it('gives each of a burst of sends its own seq, answer and refusal, in few statements', async () => {
    const [g1, g2, g3, closed] = await Promise.all(
      ['one', 'two', 'three', 'closed'].map((title) => makeGroup(t, a, [b], title)),
    );
    const foreign = await makeGroup(t, b, [], 'not a member');
    const staffOnly = await makeGroup(t, b, [], 'an admin writes without being a member');
    const admin = await makeUser(t, 'ADMIN');
    const sa = await chatSocket(t, a);
    await ok(sa, C.SendMessage, { chatId: g3.id, text: 'first', clientMessageId: 'used' });
    await ok<ChatView>(sa, C.SetChatStatus, { chatId: closed.id, status: 'CLOSED' });
    const sb = await chatSocket(t, b);
    for (const chat of [g1, g2, g3]) await ok(sb, C.JoinChat, { chatId: chat.id });
    const arrived = record<MessageView>(sb, S.NewMessage);

    const before = inserts();
    const results = await Promise.allSettled([
      messages.send(actor, { chatId: g1.id, text: 'g1 a' }),
      messages.send(actor, { chatId: g2.id, text: 'g2', clientMessageId: 'fresh' }),
      messages.send(actor, { chatId: g1.id, text: 'g1 b' }),
      messages.send(actor, { chatId: g3.id, text: 'again', clientMessageId: 'used' }),
      messages.send(actor, { chatId: closed.id, text: 'closed' }),
      messages.send(actor, { chatId: foreign.id, text: 'foreign' }),
      messages.send(
        { id: admin.id, name: admin.name, role: Role.Admin },
        { chatId: staffOnly.id, text: 'staff' },
      ),
    ]);
    const outcome = results.map((r) =>
      r.status === 'fulfilled'
        ? { chatId: r.value.chatId, seq: r.value.seq, text: r.value.text }
        : { code: (r.reason as { code?: string }).code },
    );
    expect(outcome).toEqual([
      { chatId: g1.id, seq: 1, text: 'g1 a' },
      { chatId: g2.id, seq: 1, text: 'g2' },
      { chatId: g1.id, seq: 2, text: 'g1 b' },
      // The first message again: idempotent, no new row.
      { chatId: g3.id, seq: 1, text: 'first' },
      { code: 'CHAT_CLOSED' },
      { code: 'FORBIDDEN' },
      { chatId: staffOnly.id, seq: 1, text: 'staff' },
    ]);
    // One statement for them all, g1's two messages included: not one each.
    expect(inserts() - before).toBe(1);
    await waitUntil(() => arrived.length === 3, 3000, 'the broadcasts did not all arrive');
    expect(arrived.map((m) => m.text).sort()).toEqual(['g1 a', 'g1 b', 'g2']);
    const history = await ok<{ items: MessageView[] }>(sb, C.GetMessages, { chatId: g3.id });
    expect(history.items.map((m) => m.text)).toEqual(['first']);
  });

  it('gives messages time-ordered ids, sent together, alone or as a reply', async () => {
    const chat = await makeGroup(t, a, [b], 'ids');
    const from = Date.now();
    const together = await Promise.all(
      ['one', 'two'].map((text) => messages.send(actor, { chatId: chat.id, text })),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const alone = await messages.send(actor, { chatId: chat.id, text: 'alone' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reply = await messages.send(actor, {
      chatId: chat.id,
      text: 'reply',
      replyToId: alone.id,
    });
    const to = Date.now();
    for (const message of [...together, alone, reply]) expectTimeOrderedId(message.id, from, to);
    // Made milliseconds apart, they sort as they were made: inserts go to the index's right edge.
    const made = [together[1].id, alone.id, reply.id];
    expect([...made].sort()).toEqual(made);
  });

  it('answers a burst of five sends into each of twenty chats with gapless seqs per chat', async () => {
    const chats = await Promise.all(
      Array.from({ length: 20 }, (_, i) => makeGroup(t, a, [b], `c${i}`)),
    );
    const sends = chats.flatMap((chat) =>
      Array.from({ length: 5 }, (_, n) => messages.send(actor, { chatId: chat.id, text: `${n}` })),
    );
    const stored = await Promise.all(sends);
    for (const chat of chats) {
      const seqs = stored.filter((m) => m.chatId === chat.id).map((m) => m.seq);
      expect(seqs).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it("stores a chat's burst together, seqs gapless in call order, published in that order", async () => {
    const chat = await makeGroup(t, a, [b], 'burst');
    const sa = await chatSocket(t, a);
    await ok(sa, C.SendMessage, { chatId: chat.id, text: 'earlier', clientMessageId: 'taken' });
    const sb = await chatSocket(t, b);
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const arrived = record<MessageView>(sb, S.NewMessage);
    const created: MessageCreatedEvent[] = [];
    const onCreated = (event: MessageCreatedEvent) => created.push(event);
    t.app.get(EventEmitter2).on(ChatDomainEvent.MessageCreated, onCreated);

    const before = inserts();
    const texts = ['m1', 'm2', 'dup of earlier', 'm3', 'twice', 'twice again', 'm4'];
    const ids = [undefined, undefined, 'taken', undefined, 'twice', 'twice', undefined];
    const sent = await Promise.all(
      texts.map((text, i) =>
        messages.send(actor, { chatId: chat.id, text, clientMessageId: ids[i] }),
      ),
    );
    expect(sent.map((m) => [m.seq, m.text])).toEqual([
      [2, 'm1'],
      [3, 'm2'],
      // Refused within the statement: no seq taken, the earlier message is the answer.
      [1, 'earlier'],
      [4, 'm3'],
      [5, 'twice'],
      // A repeat of a send of the same group waits for the next statement, and gets the first.
      [5, 'twice'],
      [6, 'm4'],
    ]);
    // The group, then the repeat's own; the refused send's explanation reads, it inserts nothing.
    expect(inserts() - before).toBe(2);
    await waitUntil(() => arrived.length === 5, 3000, 'the broadcasts did not all arrive');
    expect(arrived.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6]);
    // Every message of the group has the chat's members for its events, not only the first.
    t.app.get(EventEmitter2).off(ChatDomainEvent.MessageCreated, onCreated);
    expect(created.map((e) => [e.message.seq, [...e.memberIds].sort()])).toEqual(
      [2, 3, 4, 5, 6].map((seq) => [seq, [a.id, b.id].sort()]),
    );
  });

  it("answers a sender before another socket's message that waited with its own", async () => {
    const chat = await makeGroup(t, a, [b], 'two senders');
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    for (const socket of [sa, sb]) await ok(socket, C.JoinChat, { chatId: chat.id });
    const seen: string[] = [];
    sa.on(S.NewMessage, (m: MessageView) => seen.push(`newMessage ${m.text}`));
    // The chat's turn held by a SYSTEM message, so both sends wait for it together. What marks
    // each send as arrived (a typing stop in a joined chat) must not need the database, which the
    // SYSTEM message's transaction holds on PGlite.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const system = messages.withSystemMessages([chat.id], async (_tx, post) => {
      await gate;
      await post(chat.id, 'system');
    });
    const arrived = { chatId: chat.id, isTyping: false };
    try {
      const x = ok(sa, C.SendMessage, { chatId: chat.id, text: 'x' }).then(() =>
        seen.push('ack x'),
      );
      await ok(sa, C.Typing, arrived);
      const y = ok(sb, C.SendMessage, { chatId: chat.id, text: 'y' });
      await ok(sb, C.Typing, arrived);
      open();
      await Promise.all([system, x, y]);
    } finally {
      open();
    }
    await waitUntil(() => seen.length === 3, 3000, 'sa did not hear everything');
    expect(seen).toEqual(['newMessage system', 'ack x', 'newMessage y']);
  });

  it('takes an empty clientMessageId as an id: a repeat gets the first message', async () => {
    const chat = await makeGroup(t, a, [b], 'empty id');
    const sent = await Promise.all(
      ['first', 'repeat'].map((text) =>
        messages.send(actor, { chatId: chat.id, text, clientMessageId: '' }),
      ),
    );
    expect(sent.map((m) => [m.seq, m.text])).toEqual([
      [1, 'first'],
      [1, 'first'],
    ]);
  });

  it('keeps call order when a reply comes between plain sends to the chat', async () => {
    const chat = await makeGroup(t, a, [b], 'interleaved');
    const first = await messages.send(actor, { chatId: chat.id, text: 'first' });
    const sent = await Promise.all([
      messages.send(actor, { chatId: chat.id, text: 'a' }),
      messages.send(actor, { chatId: chat.id, text: 'reply', replyToId: first.id }),
      messages.send(actor, { chatId: chat.id, text: 'b' }),
      messages.send(actor, { chatId: chat.id, text: 'c' }),
    ]);
    expect(sent.map((m) => [m.seq, m.text])).toEqual([
      [2, 'a'],
      [3, 'reply'],
      [4, 'b'],
      [5, 'c'],
    ]);
  });

  it('stores the others when one message makes the whole statement fail', async () => {
    const [g1, g2] = await Promise.all([makeGroup(t, a, [b], 'x'), makeGroup(t, a, [b], 'y')]);
    // Not a uuid: only a caller that skips validation could send it, but it fails the statement.
    const results = await Promise.allSettled([
      messages.send(actor, { chatId: g1.id, text: 'kept 1' }),
      messages.send(actor, { chatId: 'not-a-uuid', text: 'bad' }),
      messages.send(actor, { chatId: g2.id, text: 'kept 2' }),
      // Stored with g1's first: retried alone, after it, in order.
      ...['kept 1b', 'kept 1c'].map((text) => messages.send(actor, { chatId: g1.id, text })),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.seq : null))).toEqual([
      1,
      null,
      1,
      2,
      3,
    ]);
  });
});
