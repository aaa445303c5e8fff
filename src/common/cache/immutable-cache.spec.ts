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

  it('forgets the oldest entries beyond its size', async () => {
    const cache = new ImmutableCache<number, number>(2);
    for (const key of [1, 2, 3]) await cache.get(key, () => Promise.resolve(key));
    expect(cache.size).toBe(2);
    let reloaded = false;
    await cache.get(1, () => ((reloaded = true), Promise.resolve(1)));
    expect(reloaded).toBe(true);
  });
});
