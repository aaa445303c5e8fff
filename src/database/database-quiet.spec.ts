import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { databaseBusy, databaseQuiet } from './database-quiet.js';

/** A data source whose pool has `checkedOut` connections in use. */
function withPool(pool: { checkedOut: number; waiting?: number }): DataSource {
  const master = {
    totalCount: 2,
    get idleCount() {
      return 2 - pool.checkedOut;
    },
    get waitingCount() {
      return pool.waiting ?? 0;
    },
  };
  return { isInitialized: true, driver: { master } } as unknown as DataSource;
}

describe('databaseQuiet', () => {
  it('counts running and waiting queries as busy', () => {
    expect(databaseBusy(withPool({ checkedOut: 0 }))).toBe(false);
    expect(databaseBusy(withPool({ checkedOut: 1 }))).toBe(true);
    expect(databaseBusy(withPool({ checkedOut: 0, waiting: 1 }))).toBe(true);
  });

  it('waits while work is in flight, and resolves once it has finished', async () => {
    const pool = { checkedOut: 1 };
    let settled = false;
    const quiet = databaseQuiet(withPool(pool), { quietMs: 20, withinMs: 10_000 }).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    pool.checkedOut = 0;
    await expect(quiet).resolves.toBe(true);
  });

  it('gives up after its time, saying the database never went quiet', async () => {
    await expect(
      databaseQuiet(withPool({ checkedOut: 1 }), { quietMs: 10, withinMs: 100 }),
    ).resolves.toBe(false);
  });
});
