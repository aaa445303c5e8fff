import { describe, expect, it } from '@jest/globals';
import { ImmutableCache } from './immutable-cache.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ImmutableCache', () => {
  it('loads a key once, also for concurrent look-ups', async () => {
    const cache = new ImmutableCache<string, number>(10);
    let loads = 0;
    const load = (): Promise<number> => (loads++, Promise.resolve(7));
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, await cache.get('k', load)]).toEqual([7, 7, 7]);
    expect(loads).toBe(1);
  });

  it('keeps neither failures nor nulls', async () => {
    const cache = new ImmutableCache<string, number>(10);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(cache.get('n', () => Promise.resolve(null))).resolves.toBeNull();
    await tick();
    expect(cache.size).toBe(0);
    await expect(cache.get('k', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('forgets the least recently used entries beyond its size', async () => {
    const cache = new ImmutableCache<number, number>(2);
    const loaded: number[] = [];
    const get = (key: number) => cache.get(key, () => (loaded.push(key), Promise.resolve(key)));
    for (const key of [1, 2, 1, 3, 1, 2]) await get(key);
    // 3 pushed out 2 (1 had just been used); 2 then pushed out 3.
    expect(loaded).toEqual([1, 2, 3, 2]);
    expect(cache.size).toBe(2);
  });
});
