import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/auth-user.js';
import type { Joined } from '../../src/modules/chat/chat-sessions.js';
import { MessageService } from '../../src/modules/chat/message.service.js';
import { ChatClientEvent as C } from '../../src/realtime/events.js';
import { makeGroup, ok } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser } from '../support/factories.js';
import { closeAllSockets, emitAck } from '../support/sockets.js';
import { recordStatements } from '../support/statements.js';

// Everyone reconnecting at once: far more joins than pool connections, each of several queries.
// Joins are admitted a few at a time (DatabaseAdmission), so the rest wait their turn
// instead of waiting out the pool's checkout timeout and answering UNAVAILABLE.
describe('a storm of joinChat', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DB_POOL_SIZE: '2', DB_CONNECT_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('answers every one of 300 concurrent joins with its chat and missed messages', async () => {
    const [owner, member] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, owner, [member]);
    const s = await chatSocket(t, owner);
    for (let i = 1; i <= 5; i += 1) await ok(s, C.SendMessage, { chatId: chat.id, text: `${i}` });
    const messages = t.app.get(MessageService);
    const actor = { id: member.id, name: member.name, role: Role.Client };
    const joins = await Promise.allSettled(
      Array.from({ length: 300 }, () =>
        messages.join(actor, { chatId: chat.id, sinceSeq: 2, limit: 50 }),
      ),
    );
    const refused = joins.filter((j) => j.status === 'rejected');
    expect(refused.map((j) => String(j.reason))).toEqual([]);
    for (const join of joins) {
      if (join.status !== 'fulfilled') continue;
      expect(join.value.chat.id).toBe(chat.id);
      expect(join.value.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    }
  }, 60_000);

  it('reads the database twice per join: the chat with its access check, then the page', async () => {
    const [owner, member, stranger] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, owner, [member]);
    const db = t.app.get(DataSource);
    // A message stored directly: no notification or chatActivity work runs meanwhile.
    await db.query(
      `WITH bumped AS (UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING id, last_seq)
       INSERT INTO messages (chat_id, seq, sender_id, sender_role, type, text)
       SELECT id, last_seq, $2, 'CLIENT', 'TEXT', 'one' FROM bumped`,
      [chat.id, owner.id],
    );
    const [s, outsider] = [await chatSocket(t, member), await chatSocket(t, stranger)];
    // The statements that name this chat (presence work of the new sockets does not).
    const { statements, stop } = recordStatements(db, (parameters) =>
      Boolean(parameters?.includes(chat.id)),
    );
    try {
      const joined = await ok<Joined>(s, C.JoinChat, { chatId: chat.id, sinceSeq: 0 });
      expect(joined.chat.unreadCount).toBe(1);
      expect(joined.messages.map((m) => m.text)).toEqual(['one']);
      expect(statements).toHaveLength(2);
      statements.length = 0;
      const refused = await emitAck(outsider, C.JoinChat, { chatId: chat.id });
      expect(refused.error?.code).toBe('FORBIDDEN');
      expect(statements).toHaveLength(1);
    } finally {
      stop();
    }
  });
});
