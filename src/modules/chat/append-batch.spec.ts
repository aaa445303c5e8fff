import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { AppendBatcher, STALLED_MS, type BatchedAppend } from './append-batch.js';
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

/** A batcher over `db`, and each chat's append added alone, its answer kept. */
function batcherOn(db: DataSource) {
  const batcher = new AppendBatcher<Row, string>(
    db,
    (row) => row.chat_id,
    () => Promise.reject(new Error('no message is stored alone here')),
  );
  const answers: Promise<string | null>[] = [];
  return {
    answers,
    add: (chatId: string) => answers.push(...batcher.add([append(chatId)])),
  };
}

describe('AppendBatcher', () => {
  it('keeps two statements in flight at most; what waits goes out together when one answers', async () => {
    const { db, sent } = heldDatabase();
    const { add, answers } = batcherOn(db);

    add('a');
    await turn();
    add('b');
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b']]);

    // Two in flight: these wait, across turns, for an answer.
    add('c');
    await turn();
    add('d');
    await turn();
    expect(sent).toHaveLength(2);

    sent[0].answer();
    await expect(answers[0]).resolves.toBe('a');
    // The statement's end is seen after its callers' answers, and sends on the next turn.
    await turn();
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b'], ['c', 'd']]);

    sent[1].answer();
    sent[2].answer();
    await expect(Promise.all(answers)).resolves.toEqual(['a', 'b', 'c', 'd']);
  });

  describe('with statements that hang', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    /** Two statements sent, and the next append waiting for them. */
    async function twoHung() {
      const { db, sent } = heldDatabase();
      const batcher = batcherOn(db);
      batcher.add('a');
      await turn();
      batcher.add('b');
      await turn();
      batcher.add('c');
      return { sent, ...batcher };
    }

    it('sends what waits once the two in flight have stalled', async () => {
      const { sent, answers } = await twoHung();
      jest.advanceTimersByTime(STALLED_MS - 1);
      await turn();
      expect(sent).toHaveLength(2);

      jest.advanceTimersByTime(1);
      await turn();
      expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b'], ['c']]);
      sent[2].answer();
      await expect(answers[2]).resolves.toBe('c');
    });

    it('frees no place twice when a stalled statement answers late', async () => {
      const { sent, add } = await twoHung();
      jest.advanceTimersByTime(STALLED_MS);
      await turn();
      sent[0].answer();
      sent[1].answer();
      sent[2].answer();
      await turn();
      await turn();
      add('d');
      await turn();
      add('e');
      await turn();
      add('f');
      await turn();
      expect(sent.map((s) => s.chatIds).slice(3)).toEqual([['d'], ['e']]);
    });
  });
});
