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
  it('keeps one statement in flight; what waits goes out together when it answers', async () => {
    const { db, sent } = heldDatabase();
    const { add, answers } = batcherOn(db);

    add('a');
    await turn();
    // One in flight: these wait, across turns, for its answer.
    add('b');
    await turn();
    add('c');
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a']]);

    sent[0].answer();
    await expect(answers[0]).resolves.toBe('a');
    await turn();
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b', 'c']]);

    sent[1].answer();
    await expect(Promise.all(answers)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('frees the place of an answered statement once', async () => {
    const { db, sent } = heldDatabase();
    const { add, answers } = batcherOn(db);
    add('a');
    await turn();
    add('b');
    sent[0].answer();
    await answers[0];

    // b is in flight: c waits for it.
    add('c');
    await turn();
    await turn();
    expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b']]);
  });

  it("sends the next statement before the answered one's callers hear", async () => {
    const { db, sent } = heldDatabase();
    const { add, answers } = batcherOn(db);
    add('a');
    await turn();
    add('b');
    let sentBeforeAnswer = 0;
    void answers[0].then(() => (sentBeforeAnswer = sent.length));

    sent[0].answer();
    await answers[0];
    expect(sentBeforeAnswer).toBe(2);
  });

  describe('with statements that hang', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    /** A statement sent, and the next append waiting for it. */
    async function oneHung() {
      const { db, sent } = heldDatabase();
      const batcher = batcherOn(db);
      batcher.add('a');
      await turn();
      batcher.add('b');
      return { sent, ...batcher };
    }

    it('sends what waits once the statement in flight has stalled', async () => {
      const { sent, answers } = await oneHung();
      jest.advanceTimersByTime(STALLED_MS - 1);
      await turn();
      expect(sent).toHaveLength(1);

      jest.advanceTimersByTime(1);
      await turn();
      expect(sent.map((s) => s.chatIds)).toEqual([['a'], ['b']]);
      sent[1].answer();
      await expect(answers[1]).resolves.toBe('b');
    });

    it('frees no place twice when a stalled statement answers late', async () => {
      const { sent, add } = await oneHung();
      jest.advanceTimersByTime(STALLED_MS);
      await turn();
      sent[0].answer();
      sent[1].answer();
      await turn();
      await turn();
      add('c');
      await turn();
      add('d');
      await turn();
      expect(sent.map((s) => s.chatIds).slice(2)).toEqual([['c']]);
    });
  });
});
