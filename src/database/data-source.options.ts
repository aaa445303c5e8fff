import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';
import { pgliteDriver } from './pglite-pool.js';
import { PreparingClient, StatementClient } from './prepared.js';
import { TypeOrmNestLogger } from './typeorm-logger.js';

/**
 * PostgreSQL when DATABASE_URL is set, embedded PGlite in DATA_DIR/pgdata otherwise.
 * The same entities and migrations serve both; the schema only ever changes through migrations.
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Run at start-up by DatabaseModule, one node at a time (migrate.ts).
    migrationsRun: false,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+ and PGlite: no extension to install.
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
    logger: new TypeOrmNestLogger(),
    maxQueryExecutionTime: 1000,
  };
  const {
    connectTimeoutMs,
    statementTimeoutMs,
    poolSize,
    poolMin,
    poolIdleMs,
    preparedStatements,
  } = config.db;
  if (!config.databaseUrl) {
    return {
      ...common,
      driver: pgliteDriver(join(config.dataDir, 'pgdata'), connectTimeoutMs),
    };
  }
  return {
    ...common,
    url: config.databaseUrl,
    poolSize,
    connectTimeoutMS: connectTimeoutMs,
    applicationName: 'messaging-backend',
    extra: {
      // Hot statements (marked with prepared()) are planned once per connection, and timestamps
      // bound for views (timestampsAsText()) read as text.
      Client: preparedStatements ? PreparingClient : StatementClient,
      // Bound every statement so a stalled server answers UNAVAILABLE instead of hanging: the
      // server's own timeout, and ours (StatementClient's, not pg's query_timeout) past it.
      statement_timeout: statementTimeoutMs,
      readTimeoutMs: statementTimeoutMs + 1000,
      idle_in_transaction_session_timeout: statementTimeoutMs * 2,
      keepAlive: true,
      // pg-pool closes a connection unused for idleTimeoutMillis unless only `min` are left: a
      // burst after a quiet spell then finds connections with their statements prepared (with
      // none, the first second of sends after a 12 s pause had ack p99 9-11 ms, against 4-6).
      min: poolMin,
      idleTimeoutMillis: poolIdleMs,
      // The kept ones may sit idle for hours: TCP keepalive from 30 s of silence (not Linux's
      // 2 h) keeps a NAT's or load balancer's mapping for them, and finds a peer that is gone.
      keepAliveInitialDelayMillis: 30_000,
    },
  };
}
