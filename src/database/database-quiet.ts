import type { DataSource } from 'typeorm';
import { poolCounts } from './pool-counts.js';

/** Whether a query is running, or waiting for a connection, on the data source's pool. */
export function databaseBusy(dataSource: DataSource): boolean {
  const pool = poolCounts(dataSource);
  return pool !== undefined && pool.totalCount - pool.idleCount + pool.waitingCount > 0;
}

/**
 * Resolves once the database has had nothing running or waiting for `quietMs` in a row — the
 * work requests started has finished, and so has what their events set off (notifications,
 * chatActivity) — or after `withinMs`; true when it went quiet.
 */
export async function databaseQuiet(
  dataSource: DataSource,
  { quietMs, withinMs, pollMs = 10 }: { quietMs: number; withinMs: number; pollMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  let quietSince = Date.now();
  for (;;) {
    if (databaseBusy(dataSource)) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
