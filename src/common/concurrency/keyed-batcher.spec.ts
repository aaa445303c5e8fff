import { describe, expect, it } from '@jest/globals';
import { KeyedBatcher } from './keyed-batcher.js';

/** A flush that records its batches and finishes when told. */
function recording(maxItems?: number) {
  const flushed: [string, number[]][] = [];
  const pending: { finish: () => void; fail: (error: Error) => void }[] = [];
  const batcher = new KeyedBatcher<number>(
    (key, items) =>
      new Promise<void>((resolve, reject) => {
        flushed.push([key, [...items]]);
        pending.push({ finish: resolve, fail: reject });
      }),
    maxItems,
  );
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  return { batcher, flushed, pending, turn };
}

describe('KeyedBatcher', () => {
  it('flushes an item of an idle key at once, and what comes meanwhile together, in order', async () => {
    const { batcher, flushed, pending, turn } = recording();
    const first = batcher.add('a', 1);
    const rest = [batcher.add('a', 2), batcher.add('a', 3)];
    await turn();
    expect(flushed).toEqual([['a', [1]]]);
    pending[0].finish();
    await first;
    await turn();
    expect(flushed).toEqual([
      ['a', [1]],
      ['a', [2, 3]],
    ]);
    pending[1].finish();
    await Promise.all(rest);
    await turn();
    expect(batcher.size).toBe(0);
  });

  it('puts at most maxItems in a flush, the rest in the ones after', async () => {
    const { batcher, flushed, pending, turn } = recording(2);
    const all = [1, 2, 3, 4, 5, 6].map((item) => batcher.add('a', item));
    for (let i = 0; i < 4; i += 1) {
      await turn();
      pending[i].finish();
    }
    await Promise.all(all);
    expect(flushed.map(([, items]) => items)).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it('tells who waits for a key to be idle once its last flush is done, and at once when idle', async () => {
    const { batcher, pending, turn } = recording();
    await expect(batcher.whenIdle('a')).resolves.toBeUndefined();
    void batcher.add('a', 1);
    void batcher.add('a', 2);
    let idle = false;
    void batcher.whenIdle('a').then(() => (idle = true));
    await turn();
    pending[0].finish();
    await turn();
    expect(idle).toBe(false);
    pending[1].finish();
    await turn();
    expect(idle).toBe(true);
  });

  it('keeps keys apart', async () => {
    const { batcher, flushed, turn } = recording();
    void batcher.add('a', 1);
    void batcher.add('b', 2);
    await turn();
    expect(flushed).toEqual([
      ['a', [1]],
      ['b', [2]],
    ]);
  });

  it('fails the items of a failed flush only, and takes the next ones', async () => {
    const { batcher, flushed, pending, turn } = recording();
    const first = batcher.add('a', 1);
    const failing = [batcher.add('a', 2), batcher.add('a', 3)];
    await turn();
    pending[0].finish();
    await first;
    await turn();
    pending[1].fail(new Error('down'));
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const next = batcher.add('a', 4);
    await turn();
    expect(flushed.at(-1)).toEqual(['a', [4]]);
    pending[2].finish();
    await expect(next).resolves.toBeUndefined();
  });

  it('settles the items of a flush that throws at once', async () => {
    const batcher = new KeyedBatcher<number>(() => {
      throw new Error('at once');
    });
    await expect(batcher.add('a', 1)).rejects.toThrow('at once');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batcher.size).toBe(0);
  });
});
