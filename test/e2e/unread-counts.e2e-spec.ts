import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import type { Joined } from '../../src/modules/chat/chat-sessions.js';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import { makeGroup, ok, record, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { closeAllSockets, nextEvent } from '../support/sockets.js';
import { recordStatements, type RecordedCall } from '../support/statements.js';

// Unread counts subtract a member's own and the deleted messages from the length of the range
// after their marker (chat.service.ts, unreadOf). What they answer must be what counting the
// messages one by one gives, and what they read must not grow with the range.
describe('unread counts', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  /** The count by definition: messages after `user`'s marker that others sent, not deleted. */
  async function counted(chatId: string, user: TestClient, upToSeq?: number): Promise<number> {
    const [{ n }] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM messages m
       JOIN chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = $2
       WHERE m.chat_id = $1 AND m.seq > cm.last_read_seq AND m.seq <= COALESCE($3, m.seq)
         AND m.sender_id IS DISTINCT FROM $2 AND NOT m.is_deleted`,
      [chatId, user.id, upToSeq ?? null],
    );
    return n;
  }

  /** A message stored directly, as the app appends one (next seq, with the chat's last_seq). */
  async function stored(chatId: string, senderId: string | null, count = 1): Promise<void> {
    await db.query(
      `WITH bumped AS (UPDATE chats SET last_seq = last_seq + $3 WHERE id = $1
                       RETURNING id, last_seq - $3 AS before)
       INSERT INTO messages (chat_id, seq, sender_id, sender_role, type, text)
       SELECT id, before + n, $2, CASE WHEN $2::text IS NULL THEN NULL ELSE 'CLIENT' END,
              CASE WHEN $2::text IS NULL THEN 'SYSTEM' ELSE 'TEXT' END, 'stored ' || n
       FROM bumped, generate_series(1, $3::int) AS n`,
      [chatId, senderId, count],
    );
  }

  it('counts others’ messages after the marker: not one’s own, not deleted ones, SYSTEM ones too', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    const send = async (s: typeof sa, text: string) =>
      (await ok<MessageView>(s, C.SendMessage, { chatId: chat.id, text })).seq;
    for (const text of ['a1', 'a2', 'a3']) await send(sa, text);
    await send(sb, 'b4');
    const a5 = await send(sa, 'a5');
    await send(sa, 'a6');
    const b7 = await send(sb, 'b7');
    await stored(chat.id, null); // seq 8, SYSTEM
    await send(sa, 'a9');
    const [m5, m7] = await db.query<{ id: string }[]>(
      `SELECT id FROM messages WHERE chat_id = $1 AND seq = ANY($2::int[]) ORDER BY seq`,
      [chat.id, [a5, b7]],
    );
    await ok(sa, C.DeleteMessage, { messageId: m5.id });
    await ok(sb, C.DeleteMessage, { messageId: m7.id });

    // b: a1 a2 a3 a6, the SYSTEM message and a9 (not b4 or b7, their own; not a5, deleted).
    expect(await counted(chat.id, b)).toBe(6);
    const joined = await ok<Joined>(sb, C.JoinChat, { chatId: chat.id });
    expect(joined.chat.unreadCount).toBe(6);
    // a: b4 and the SYSTEM message (b7 is deleted).
    const list = await request(t.url)
      .get('/api/chats?limit=10')
      .set('Authorization', `Bearer ${a.token}`)
      .expect(200);
    const listed = (list.body as { items: ChatView[] }).items.find((c) => c.id === chat.id);
    expect(listed?.unreadCount).toBe(await counted(chat.id, a));
    expect(listed?.unreadCount).toBe(2);

    // b reads up to 5: a6, SYSTEM, a9 are left.
    const read = await ok<{ unreadCount: number }>(sb, C.ReadMessages, {
      chatId: chat.id,
      upToSeq: 5,
    });
    expect(read.unreadCount).toBe(await counted(chat.id, b));
    expect(read.unreadCount).toBe(3);

    // chatActivity to a socket of b's that is not joined: counted up to that message.
    await ok(sb, C.LeaveChat, { chatId: chat.id });
    const activity = nextEvent<{ lastSeq: number; unreadCount: number }>(sb, S.ChatActivity);
    const a10 = await send(sa, 'a10');
    expect(await activity).toMatchObject({ lastSeq: a10, unreadCount: 4 });
    expect(await counted(chat.id, b, a10)).toBe(4);
  });

  it('reads the counts of a burst’s chatActivity together, and tells each message in order', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const sa = await chatSocket(t, a);
    await ok(sa, C.JoinChat, { chatId: chat.id, limit: 1 });
    const away = await chatSocket(t, b);
    const told = record<{ lastSeq: number; unreadCount: number }>(away, S.ChatActivity);
    const { calls, stop } = recordStatements(db, (parameters) =>
      Boolean(parameters?.includes(chat.id)),
    );
    try {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ok(sa, C.SendMessage, { chatId: chat.id, text: `#${i}` }),
        ),
      );
      await waitUntil(() => told.length === 10, 5000, 'ten chatActivity');
    } finally {
      stop();
    }
    expect(told.map((e) => [e.lastSeq, e.unreadCount])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, i + 1]),
    );
    // The first message's counts at once, the rest (stored meanwhile) together: 2 or 3 queries
    // as the sends group into inserts, where each message took one.
    expect(calls.filter((call) => call.sql.includes('last_read_seq')).length).toBeLessThan(10);
  });

  /** Rows the plan of `call` read from `messages` (its scans' output and what they filtered out). */
  async function messageRowsRead(call: RecordedCall): Promise<number> {
    const [row] = await db.query<{ 'QUERY PLAN': unknown }[]>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${call.sql}`,
      call.parameters,
    );
    const plan = row['QUERY PLAN'];
    const [{ Plan: root }] = (typeof plan === 'string' ? JSON.parse(plan) : plan) as {
      Plan: PlanNode;
    }[];
    let read = 0;
    const walk = (node: PlanNode): void => {
      if (node['Relation Name'] === 'messages') {
        const rows = node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0);
        read += rows * node['Actual Loops'];
      }
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(root);
    return read;
  }

  it('reads the member’s own and the deleted messages, not the whole range, however far behind', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    await stored(chat.id, a.id, 20_000);
    await stored(chat.id, b.id, 3);
    await stored(chat.id, a.id, 10);
    await db.query(
      `UPDATE messages SET is_deleted = true WHERE chat_id = $1 AND seq IN (100, 20005)`,
      [chat.id],
    );
    await db.query(`ANALYZE messages`);
    const expected = 20_000 + 10 - 2;
    expect(await counted(chat.id, b)).toBe(expected);

    const sb = await chatSocket(t, b);
    const join = recordStatements(db, (parameters) => Boolean(parameters?.includes(chat.id)));
    let joined: Joined;
    try {
      joined = await ok<Joined>(sb, C.JoinChat, { chatId: chat.id, limit: 1 });
    } finally {
      join.stop();
    }
    expect(joined.chat.unreadCount).toBe(expected);
    const counts = (calls: RecordedCall[]) =>
      calls.filter((call) => call.sql.includes('last_read_seq'));
    expect(counts(join.calls)).toHaveLength(1);

    // chatActivity to b's other socket, not joined, for a's next message.
    // (a joins: a's own 20010 messages after a's marker are the case this count does not help.)
    const [sa, away] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sa, C.JoinChat, { chatId: chat.id, limit: 1 });
    const activity = recordStatements(db, (parameters) => Boolean(parameters?.includes(chat.id)));
    try {
      const told = nextEvent<{ unreadCount: number }>(away, S.ChatActivity);
      await ok(sa, C.SendMessage, { chatId: chat.id, text: 'one more' });
      expect((await told).unreadCount).toBe(expected + 1);
    } finally {
      activity.stop();
    }
    expect(counts(activity.calls)).toHaveLength(1);
    // The latest message, b's 3 and the 2 deleted: a handful, where the range holds 20013.
    expect(await messageRowsRead(counts(join.calls)[0])).toBeLessThan(20);
    expect(await messageRowsRead(counts(activity.calls)[0])).toBeLessThan(20);
  }, 60_000);
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
