import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { StateStore } from './state-store.js';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * A TTL long enough that a loaded machine (CI runs suites side by side) cannot stall a read past
 * it by accident: the checks that something is still there have hundreds of ms to spare.
 */
const TTL = 1000;

/** What every StateStore must do: the memory and the Redis store both run this suite. */
export function describeStateStore(
  name: string,
  make: () => StateStore,
  close: () => Promise<void> = () => Promise.resolve(),
): void {
  describe(`${name} state store`, () => {
    let store: StateStore;
    let ns = 0;
    let key: (k: string) => string;
    beforeEach(() => {
      store = make();
      const prefix = `test:${process.pid}:${Date.now()}:${ns++}:`;
      key = (k) => prefix + k;
    });
    afterAll(close);

    it('keeps set members until their TTL runs out, and extends them when added again', async () => {
      await store.addMembers(
        [
          { key: key('a'), member: 'x' },
          { key: key('a'), member: 'y' },
          { key: key('b'), member: 'z' },
        ],
        TTL,
      );
      expect((await store.members([key('a'), key('b'), key('none')])).map((m) => m.sort())).toEqual(
        [['x', 'y'], ['z'], []],
      );
      await wait(TTL / 2);
      await store.addMembers([{ key: key('a'), member: 'x' }], TTL);
      // y and z ran out at TTL; x, added again, lives until 1.5 TTL.
      await wait(TTL * 0.7);
      expect(await store.members([key('a'), key('b')])).toEqual([['x'], []]);
      await wait(TTL / 2);
      expect(await store.members([key('a')])).toEqual([[]]);
    });

    it('removes a member at once', async () => {
      await store.addMembers([{ key: key('s'), member: 'x' }], 10_000);
      await store.removeMember(key('s'), 'x');
      await store.removeMember(key('s'), 'never-there');
      expect(await store.members([key('s')])).toEqual([[]]);
    });

    it('keeps values for good or for their TTL, and deletes them', async () => {
      await store.set(key('forever'), '1');
      await store.set(key('brief'), '2', TTL);
      expect(await store.get([key('forever'), key('brief'), key('none')])).toEqual([
        '1',
        '2',
        null,
      ]);
      await wait(TTL * 1.2);
      expect(await store.get([key('forever'), key('brief')])).toEqual(['1', null]);
      await store.delete(key('forever'));
      expect(await store.get([key('forever')])).toEqual([null]);
    });

    it('swaps a value and returns the one it replaced', async () => {
      expect(await store.swap(key('v'), 'online')).toBeNull();
      expect(await store.swap(key('v'), 'away')).toBe('online');
      expect(await store.get([key('v')])).toEqual(['away']);
    });

    it('answers empty batches without a round trip', async () => {
      await store.addMembers([], 100);
      expect(await store.members([])).toEqual([]);
      expect(await store.get([])).toEqual([]);
    });
  });
}
