import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AppModule } from '../../src/app.module.js';
import { listen, setupApp } from '../../src/app.setup.js';
import { TEST_JWT_SECRET } from './tokens.js';

export interface TestApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`: REST under /api, sockets at /socket.io. */
  url: string;
  dataDir: string;
  /** The database of this app when running against PostgreSQL. */
  databaseUrl?: string;
  /** The Redis key prefix of this app: apps that reuse it form one cluster. */
  redisKeyPrefix: string;
  /** What a graceful shutdown does first: no new connections, every socket's transport closed. */
  closeConnections(): void;
  /** Stops the app; `keepData` leaves its PGlite directory or database for a restart. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  /** Environment overrides (strings, as in a real environment). */
  env?: Record<string, string>;
  /** Reuse the storage of an earlier app (a restart). */
  reuse?: Pick<TestApp, 'dataDir' | 'databaseUrl'> & { redisKeyPrefix?: string };
  /** Extra modules, e.g. probes that exercise shared conventions. */
  imports?: DynamicModule['imports'];
}

/** Whether the suites run against PostgreSQL (DATABASE_URL set) rather than embedded PGlite. */
export const usingPostgres = Boolean(process.env.DATABASE_URL);
export const usingRedis = Boolean(process.env.REDIS_URL);

/**
 * Boots the real module graph on a random port, on a fresh PGlite directory or, when
 * DATABASE_URL is set, on a fresh PostgreSQL database created for this app alone.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'msg-test-'));
  const databaseUrl = options.reuse
    ? options.reuse.databaseUrl
    : usingPostgres
      ? await createDatabase(process.env.DATABASE_URL!)
      : undefined;
  // Test apps of other suites share the Redis server, never its keys or channels.
  const redisKeyPrefix =
    options.env?.REDIS_KEY_PREFIX ?? options.reuse?.redisKeyPrefix ?? `t:${uniqueSuffix()}:`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    REDIS_URL: process.env.REDIS_URL ?? '',
    REDIS_KEY_PREFIX: redisKeyPrefix,
    JWT_SECRET: TEST_JWT_SECRET,
    AUTH_DEV_TOKENS: 'true',
    DB_CONNECT_TIMEOUT_MS: '1500',
    DB_STATEMENT_TIMEOUT_MS: '2000',
    ...options.env,
  };
  const root = AppModule.forRoot(env);
  root.imports = [...(root.imports ?? []), ...(options.imports ?? [])];
  const app = await NestFactory.create(root, { bufferLogs: true, abortOnError: false });
  const server = setupApp(app);
  await listen(app, 0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    dataDir,
    databaseUrl,
    redisKeyPrefix,
    closeConnections: () => server.closeConnections(),
    async close({ keepData = false } = {}) {
      await app.close();
      if (keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (databaseUrl) await dropDatabase(process.env.DATABASE_URL!, databaseUrl);
    },
  };
}

/** A fresh, empty database next to the one `adminUrl` names; returns its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `t_${uniqueSuffix()}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function uniqueSuffix(): string {
  return `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
