import type { QueryRunner } from 'typeorm';
import { StatementClient } from './prepared.js';

/**
 * Runs `work` on the runner's connection with neither the server's statement and lock timeouts
 * nor ours (StatementClient's read timeout): for a migration that builds an index on a large
 * table, which takes minutes where the timeouts are set for statements of milliseconds. They come
 * back after, since the connection goes back to the pool. A failure to restore them does not hide
 * the work's own error (inside a transaction that failed, the rollback restores them).
 */
export async function withoutTimeouts<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
  const connection: unknown = await runner.connect();
  const client = connection instanceof StatementClient ? connection : undefined;
  const readTimeoutMs = client?.readTimeoutMs ?? 0;
  await runner.query('SET statement_timeout = 0');
  await runner.query('SET lock_timeout = 0');
  if (client) client.readTimeoutMs = 0;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await restore().catch(() => undefined);
    throw error;
  }
  await restore();
  return result;

  async function restore(): Promise<void> {
    if (client) client.readTimeoutMs = readTimeoutMs;
    await runner.query('RESET statement_timeout');
    await runner.query('RESET lock_timeout');
  }
}
