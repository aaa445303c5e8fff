import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/auth/auth-user.js';
import { MessageService } from '../../src/modules/chat/message.service.js';
import { ChatClientEvent as C } from '../../src/realtime/events.js';
import { makeGroup, ok } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser } from '../support/factories.js';
import { closeAllSockets } from '../support/sockets.js';

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
    const s = await chatSocket(t, owner);
    await ok(s, C.SendMessage, { chatId: chat.id, text: 'one' });
    const messages = t.app.get(MessageService);
    const db = t.app.get(DataSource);
    const query = db.query.bind(db);
    const statements: string[] = [];
    db.query = ((sql: string, ...rest: unknown[]) => {
      // The message's notifications are counted meanwhile, by another path.
      if (!/FROM notifications/.test(sql)) statements.push(sql);
      return (query as (...args: unknown[]) => unknown)(sql, ...rest);
    }) as DataSource['query'];
    try {
      const actor = { id: member.id, name: member.name, role: Role.Client };
      const joined = await messages.join(actor, { chatId: chat.id, sinceSeq: 0, limit: 50 });
      expect(joined.chat.unreadCount).toBe(1);
      expect(joined.messages.map((m) => m.text)).toEqual(['one']);
      expect(statements).toHaveLength(2);
      // The check is the same: a user who is not a member is refused, and nothing more is read.
      statements.length = 0;
      const outsider = { id: stranger.id, name: stranger.name, role: Role.Client };
      await expect(
        messages.join(outsider, { chatId: chat.id, sinceSeq: 0, limit: 50 }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(statements).toHaveLength(1);
    } finally {
      db.query = query;
    }
  });
});
