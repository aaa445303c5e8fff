import type { DataSource } from 'typeorm';
import { waitUntil } from './chat.js';

// For races against a row another connection has locked (PostgreSQL only: PGlite has one
// connection, so nothing ever waits there).

/** Runs `change` in a transaction of its own that holds its locks until `commit` is called. */
export async function holdLocks(
  db: DataSource,
  change: string,
  params: unknown[],
): Promise<{ commit: () => Promise<void> }> {
  const runner = db.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  await runner.query(change, params);
  return {
    commit: async () => {
      await runner.commitTransaction();
      await runner.release();
    },
  };
}

/** Waits until a statement of the app waits for a lock. */
export function someoneWaitsForLock(db: DataSource): Promise<void> {
  return waitUntil(
    async () =>
      (
        await db.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      )[0].n > 0,
    5000,
    'a statement waited for the lock',
  );
}
