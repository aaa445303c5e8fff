import { Logger } from '@nestjs/common';
import { MigrationExecutor, type DataSource } from 'typeorm';

/** The advisory lock every node of a deployment takes to migrate: any constant, the same for all. */
const MIGRATION_LOCK = 4_051_807_211;
const POLL_MS = 200;

/**
 * Runs the pending migrations. On a PostgreSQL server, one node at a time: nodes that start
 * together on a database that needs migrating would otherwise run the same migration at once,
 * and all but one would fail to start. The lock is a session advisory lock, tried (not waited
 * for, which statement_timeout would cut short) on a connection of its own until it is free; a
 * node that dies holding it releases it with its connection. Embedded PGlite belongs to one
 * process and needs none.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  if (!(dataSource.options as { url?: string }).url) {
    await dataSource.runMigrations();
    return;
  }
  const lock = dataSource.createQueryRunner();
  try {
    await acquire(lock);
    try {
      // On the lock's own connection: with DB_POOL_SIZE=1 there is no second one to migrate on.
      const executor = new MigrationExecutor(dataSource, lock);
      executor.transaction = dataSource.options.migrationsTransactionMode ?? 'all';
      await executor.executePendingMigrations();
    } finally {
      // A failed unlock must not hide the migration's own error; the lock goes with the session.
      await lock
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
        .catch((error: unknown) =>
          new Logger('Migrations').warn(`could not release the migration lock: ${String(error)}`),
        );
    }
  } finally {
    await lock.release();
  }
}

async function acquire(lock: ReturnType<DataSource['createQueryRunner']>): Promise<void> {
  for (let waited = false; ; waited = true) {
    const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK,
    ])) as { locked: boolean }[];
    if (locked) return;
    if (!waited) new Logger('Migrations').log('another node is migrating the database; waiting');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
