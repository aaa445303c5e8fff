import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS } from '../../migrations/index.js';
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
 * Boots the real module graph on a random port, on a fresh PGlite directory (its database a copy
 * of a freshly migrated one: copyPgliteTemplate) or, when DATABASE_URL is set, on a fresh
 * PostgreSQL database created for this app alone.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'msg-test-'));
  const databaseUrl = options.reuse
    ? options.reuse.databaseUrl
    : usingPostgres
      ? await createDatabase(process.env.DATABASE_URL!)
      : undefined;
  if (!options.reuse && !usingPostgres) await copyPgliteTemplate(dataDir);
  return boot(options, dataDir, databaseUrl);
}

async function boot(
  options: TestAppOptions,
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<TestApp> {
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

/** Set once a template could not be made or used here: this process's apps then start fresh. */
let templateUnusable = false;
/** Where this process's template is: its key is worked out once. */
let template: string | undefined;

/**
 * A fresh PGlite database costs an initdb, 2.5-5 s of WebAssembly, before its migrations run; a
 * copy of a migrated one opens in half a second. So an app that finds no template for the current
 * migrations and PGlite version (the first of a run, or of each Jest worker that starts at once)
 * first boots a throwaway app on a fresh directory (the same path as any app: initdb, then the
 * migrations at start-up), closes it, and renames that directory into place as the template;
 * apps start on a copy of its database, and run the migrations that are left: none. Of two
 * processes building at once the first rename wins (a rename onto a directory that is not empty
 * fails), and the other's is dropped. Only `pgdata` is copied: a development secret, files and
 * the rest of DATA_DIR still start empty. Fresh directories are still made by `npm start`
 * (.ci/smoke.sh) and the migration check in CI. A template that cannot be made or copied is
 * given up for the rest of the process: its apps then get fresh databases, as before. Templates
 * of earlier migrations stay in the temp directory (about 40 MB each) until it is cleaned.
 */
async function copyPgliteTemplate(dataDir: string): Promise<void> {
  if (templateUnusable) return;
  template ??= join(tmpdir(), `msg-test-pglite-${templateKey()}`);
  const source = join(template, 'pgdata');
  if (!existsSync(source)) {
    const building = mkdtempSync(join(tmpdir(), 'msg-test-template-'));
    try {
      // No Redis: the template is the database alone.
      const app = await boot({ env: { REDIS_URL: '' } }, building, undefined);
      await app.close({ keepData: true });
      renameSync(building, template);
    } catch {
      // Another process's rename came first, or the app did not start (its own test will say).
      rmSync(building, { recursive: true, force: true });
    }
  }
  try {
    cpSync(source, join(dataDir, 'pgdata'), { recursive: true });
  } catch {
    templateUnusable = true;
    rmSync(join(dataDir, 'pgdata'), { recursive: true, force: true });
  }
}

/** What a template is made of: the migrations' code and PGlite's version. */
function templateKey(): string {
  const hash = createHash('sha256');
  for (const migration of MIGRATIONS) hash.update(`${migration.name}\n${migration.toString()}\n`);
  try {
    const pglite = join(process.cwd(), 'node_modules', '@electric-sql', 'pglite', 'package.json');
    hash.update((JSON.parse(readFileSync(pglite, 'utf8')) as { version: string }).version);
  } catch {
    hash.update('unknown pglite');
  }
  // Per user: another user's template on a shared temp directory could not be read.
  return `${process.getuid?.() ?? 'u'}-${hash.digest('hex').slice(0, 16)}`;
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
