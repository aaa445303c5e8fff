import { describeNeeding } from '../support/services.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ChatView, MessagePage, MessageView } from '../../src/modules/chat/chat.types.js';
import { ChatClientEvent as C } from '../../src/realtime/events.js';
import { makeGroup, ok } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { closeAllSockets, type ClientSocket } from '../support/sockets.js';

// Two app instances on one PostgreSQL database: nothing in-process (the per-chat queue) orders
// their sends, so only the database's row lock and unique constraints keep seq and idempotency.
// PGlite is one process's database and cannot be shared: this suite needs PostgreSQL.
const describePostgres = describeNeeding('chat-two-nodes', ['PostgreSQL']);

describePostgres('two nodes writing into one chat', () => {
  let node1: TestApp, node2: TestApp;
  let owner: TestClient;
  let senders: TestClient[];
  let chat: ChatView;

  beforeAll(async () => {
    node1 = await createTestApp();
    node2 = await createTestApp({ reuse: node1 });
    owner = await makeUser(node1);
    senders = await Promise.all(Array.from({ length: 10 }, () => makeUser(node1)));
    chat = await makeGroup(node1, owner, senders, 'Two nodes');
  });
  afterAll(async () => {
    closeAllSockets();
    await node2?.close({ keepData: true });
    await node1?.close();
  });

  async function allMessages(socket: ClientSocket): Promise<MessageView[]> {
    const all: MessageView[] = [];
    let page = await ok<MessagePage>(socket, C.GetMessages, {
      chatId: chat.id,
      after: 0,
      limit: 100,
    });
    all.push(...page.items);
    while (page.hasMore) {
      page = await ok<MessagePage>(socket, C.GetMessages, {
        chatId: chat.id,
        after: page.nextCursor,
        limit: 100,
      });
      all.push(...page.items);
    }
    return all;
  }

  it('numbers 20 × 25 concurrent sends through both nodes 1..500 with no gap or repeat', async () => {
    const sockets = await Promise.all(
      senders.flatMap((u) => [chatSocket(node1, u), chatSocket(node2, u)]),
    );
    const acks = await Promise.all(
      sockets.map(async (s, i) => {
        const seqs: number[] = [];
        for (let n = 0; n < 25; n += 1)
          seqs.push(
            (await ok<MessageView>(s, C.SendMessage, { chatId: chat.id, text: `${i}:${n}` })).seq,
          );
        return seqs;
      }),
    );
    expect(acks.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const stored = await allMessages(sockets[0]);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  }, 120_000);

  it('keeps one row per clientMessageId when the same send races through both nodes', async () => {
    const sender = senders[0];
    const [s1, s2] = [await chatSocket(node1, sender), await chatSocket(node2, sender)];
    for (let k = 0; k < 20; k += 1) {
      const payload = { chatId: chat.id, text: `dup ${k}`, clientMessageId: `two-nodes-${k}` };
      const [a, b] = await Promise.all([
        ok<MessageView>(s1, C.SendMessage, payload),
        ok<MessageView>(s2, C.SendMessage, payload),
      ]);
      expect(a.id).toBe(b.id);
    }
    const stored = await allMessages(s1);
    for (let k = 0; k < 20; k += 1) {
      expect(stored.filter((m) => m.clientMessageId === `two-nodes-${k}`)).toHaveLength(1);
    }
    const seqs = stored.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  }, 60_000);
});
