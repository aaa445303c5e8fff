import { describe, expect, it } from '@jest/globals';
import { KeyedQueue } from './keyed-queue.js';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedQueue', () => {
  it('runs tasks of one key in call order, even when earlier ones are slower', async () => {
    const queue = new KeyedQueue();
    const done: number[] = [];
    await Promise.all(
      [30, 10, 0].map((ms, i) => queue.run('a', async () => (await delay(ms), done.push(i)))),
    );
    expect(done).toEqual([0, 1, 2]);
  });

  it('runs different keys concurrently', async () => {
    const queue = new KeyedQueue();
    const done: string[] = [];
    await Promise.all([
      queue.run('slow', async () => (await delay(40), done.push('slow'))),
      queue.run('fast', async () => (await delay(1), done.push('fast'))),
    ]);
    expect(done).toEqual(['fast', 'slow']);
  });

  it('keeps going after a failed task and forgets idle keys', async () => {
    const queue = new KeyedQueue();
    await expect(queue.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run('k', () => Promise.resolve(7))).resolves.toBe(7);
    await delay(0);
    expect(queue.size).toBe(0);
  });

  it('runAll waits for every key and lets tasks sharing keys in any order both finish', async () => {
    const queue = new KeyedQueue();
    const done: string[] = [];
    await Promise.all([
      queue.runAll(['a', 'b'], async () => (await delay(20), done.push('ab'))),
      queue.runAll(['b', 'a'], async () => (await delay(1), done.push('ba'))),
      queue.run('a', async () => (await delay(1), done.push('a'))),
    ]);
    expect(done).toEqual(['ab', 'ba', 'a']);
    await delay(0);
    expect(queue.size).toBe(0);
  });

  it('runAll takes its turn on every key at the call: a later task on any of them waits', async () => {
    const queue = new KeyedQueue();
    const done: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // 'a' is busy, so runAll holds neither key yet; a task on 'b' after it still comes after it.
    const busy = queue.run('a', () => gate);
    const all = queue.runAll(['a', 'b'], () => Promise.resolve(void done.push('ab')));
    const later = queue.run('b', () => Promise.resolve(void done.push('b')));
    await delay(5);
    expect(done).toEqual([]);
    open();
    await Promise.all([busy, all, later]);
    expect(done).toEqual(['ab', 'b']);
  });

  it('runAll releases its keys when its task fails', async () => {
    const queue = new KeyedQueue();
    await expect(queue.runAll(['a', 'b'], () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(queue.run('b', () => Promise.resolve(1))).resolves.toBe(1);
    await delay(0);
    expect(queue.size).toBe(0);
  });
});
