import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { AppendBatcher, type BatchedAppend } from './append-batch.js';
import { MessageType } from './entities/message.entity.js';

interface Row {
  ord: number;
  chat_id: string;
  member_ids: unknown;
}

/** A statement sent: its chat ids, and its answer to give. */
interface Sent {
  chatIds: string[];
  answer: () => void;
}

/** A database whose statements answer when the test says so, each row stored. */
function heldDatabase(): { db: DataSource; sent: Sent[] } {
  const sent: Sent[] = [];
  const query = (_sql: string, params: unknown[]) =>
    new Promise<Row[]>((resolve) => {
      const chatIds = [params[0]].flat() as string[];
      sent.push({
        chatIds,
        answer: () =>
          resolve(chatIds.map((chatId, i) => ({ ord: i + 1, chat_id: chatId, member_ids: [] }))),
      });
    });
  return { db: { query } as unknown as DataSource, sent };
}

function append(chatId: string): BatchedAppend {
  return {
    chatId,
    senderId: 'u1',
    senderRole: 'CLIENT',
    type: MessageType.Text,
    text: 'hi',
    clientMessageId: null,
    role: 'CLIENT',
  };
}

/** Until the event loop has turned (the batcher sends on setImmediate). */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('AppendBatcher', () => {
  it('keeps two statements in flight at most; what waits goes out together when one answers', async () => {
    const { db, sent } = heldDatabase();
    const batcher = new AppendBatcher<Row, string>(
      db,
      (row) => row.chat_id,
      () => Promise.reject(new Error('no message is stored alone here')),
    );

    const [a] = batcher.add([append('a')]);
    await turn();
    batcher.add([append('b')]);
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b']]);

    // Two in flight: these wait, across turns, for an answer.
    const [c] = batcher.add([append('c')]);
    await turn();
    batcher.add([append('d')]);
    await turn();
    expect(sent).toHaveLength(2);

    sent[0].answer();
    await expect(a).resolves.toBe('a');
    // The statement's end is seen after its callers' answers, and sends on the next turn.
    await turn();
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b'], ['c', 'd']]);

    sent[2].answer();
    await expect(c).resolves.toBe('c');
  });
});
