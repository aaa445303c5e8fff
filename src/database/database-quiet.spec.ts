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
  return { driver: { master } } as unknown as DataSource;
}

describe('databaseQuiet', () => {
  it('counts running and waiting queries as busy', () => {
    expect(databaseBusy(withPool({ checkedOut: 0 }))).toBe(false);
    expect(databaseBusy(withPool({ checkedOut: 1 }))).toBe(true);
    expect(databaseBusy(withPool({ checkedOut: 0, waiting: 1 }))).toBe(true);
  });

  it('waits for the work in flight to finish, and then for a quiet spell', async () => {
    const pool = { checkedOut: 1 };
    setTimeout(() => (pool.checkedOut = 0), 100);
    const started = Date.now();
    await expect(databaseQuiet(withPool(pool), { quietMs: 50, withinMs: 5000 })).resolves.toBe(
      true,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('gives up after its time, saying the database never went quiet', async () => {
    await expect(
      databaseQuiet(withPool({ checkedOut: 1 }), { quietMs: 10, withinMs: 100 }),
    ).resolves.toBe(false);
  });
});
