import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { MessageView } from '../../src/modules/chat/chat.types.js';
import {
  ChatClientEvent as C,
  Namespace,
  PresenceClientEvent as P,
} from '../../src/realtime/events.js';
import { makeGroup, ok } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser } from '../support/factories.js';
import { describeNeeding } from '../support/needs.js';
import { closeAllSockets, connect } from '../support/sockets.js';

/** How many runs PostgreSQL plans afresh before it weighs a prepared statement's generic plan. */
const CUSTOM_PLANS_BEFORE_CHOICE = 5;
const RUNS = CUSTOM_PLANS_BEFORE_CHOICE + 3;

interface PlanCounts {
  statement: string;
  generic_plans: string;
  custom_plans: string;
}

// The hot statements (prepared()) are prepared once per connection so that PostgreSQL plans them
// once. After five runs it goes on planning afresh unless the generic plan looks no dearer than
// the plans made for the values. Some texts defeat that choice whatever the data: `= ANY($1)` is
// costed for ten elements, so a chat view read through it for one chat was planned on every join
// (0.7 ms, more than its run). Here every chat is small, so every statement these paths run should
// settle on its generic plan. (Where chats differ in size a page of a small chat may rightly be
// planned for its values.) On one pooled connection, so every run lands on the session whose
// pg_prepared_statements is read.
describeNeeding('prepared statement plans', ['PostgreSQL'])('hot statements on PostgreSQL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DB_POOL_SIZE: '1' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('settle on a generic plan on the paths a client repeats', async () => {
    const [owner, member] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, owner, [member]);
    const s = await chatSocket(t, owner);
    // Not joined: typing there checks access first (the ACCESS statement).
    const away = await chatSocket(t, member);
    const presence = await connect(t.url, Namespace.Presence, { token: member.token });
    for (let i = 0; i < RUNS; i += 1) {
      const sent = await ok<MessageView>(s, C.SendMessage, { chatId: chat.id, text: `${i}` });
      await ok(s, C.JoinChat, { chatId: chat.id });
      await ok(s, C.JoinChat, { chatId: chat.id, sinceSeq: Math.max(0, sent.seq - 2) });
      await ok(s, C.GetMessages, { chatId: chat.id });
      await ok(s, C.GetMessages, { chatId: chat.id, before: sent.seq });
      await ok(s, C.GetMessages, { chatId: chat.id, after: Math.max(0, sent.seq - 3) });
      await ok(s, C.AddReaction, { messageId: sent.id, emoji: '👍' });
      await ok(s, C.ReadMessages, { chatId: chat.id, upToSeq: sent.seq });
      await ok(presence, P.GetOnlineUsers, {});
      await ok(away, C.Typing, { chatId: chat.id, isTyping: i % 2 === 0 });
    }
    const counts = await t.app
      .get(DataSource)
      .query<PlanCounts[]>(
        `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE NOT from_sql`,
      );
    const ran = counts.filter(
      (c) => Number(c.generic_plans) + Number(c.custom_plans) > CUSTOM_PLANS_BEFORE_CHOICE,
    );
    const summary = (c: PlanCounts) =>
      `${c.generic_plans} generic, ${c.custom_plans} custom: ${c.statement.replace(/\s+/g, ' ').slice(0, 160)}`;
    expect(ran.filter((c) => Number(c.generic_plans) === 0).map(summary)).toEqual([]);
    // Every hot statement of those paths ran on this connection (the check above is not empty).
    const texts = ran.map((c) => c.statement);
    for (const fragment of [
      /SELECT \$1::uuid AS chat_id, \$2::text AS sender_id/,
      /FROM chats c LEFT JOIN chat_members cm ON cm\.chat_id = c\.id AND cm\.user_id = \$2\s+WHERE c\.id = \$1$/,
      /WITH picked AS \(SELECT .* FROM chats c WHERE c\.id = \$1\)/s,
      // Pages: for a join (access already checked) and for history (access in the same statement).
      /WHERE m\.chat_id = \$1 AND m\.seq > \$2 ORDER BY m\.seq ASC LIMIT \$3\).*FROM page m/s,
      /WHERE m\.chat_id = \$1 ORDER BY m\.seq DESC LIMIT \$2\).*FROM page m/s,
      /WHERE m\.chat_id = \$1 AND m\.seq > \$2 .*cm\.user_id = \$4\s+WHERE c\.id = \$1\) g/s,
      /WHERE m\.chat_id = \$1 AND m\.seq < \$2 .*cm\.user_id = \$4\s+WHERE c\.id = \$1\) g/s,
      /WHERE m\.chat_id = \$1 ORDER BY m\.seq DESC LIMIT \$2\).*cm\.user_id = \$3\s+WHERE c\.id = \$1\) g/s,
      /WITH named AS \(.*UPDATE chat_members cm SET last_read_seq/s,
      /FROM messages m WHERE m\.id = \$1/,
      /FROM chat_members mine\s.*WHERE mine\.user_id = \$1/s,
    ]) {
      expect(texts.filter((text) => fragment.test(text))).toHaveLength(1);
    }
  }, 60_000);
});
