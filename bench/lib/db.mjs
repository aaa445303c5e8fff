import { fork } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from './servers.mjs';

/**
 * @typedef {{ kind: 'postgres', url: string, name: string } | { kind: 'pglite', dataDir: string, name: string }} BenchDatabase
 */

/**
 * The database the run uses, created if needed. PostgreSQL: a database named `name` on the server
 * DATABASE_URL points at (`bench`, or `bench_smoke` for --smoke, so a smoke run never touches the
 * big history table); if it cannot be created there, DATABASE_URL's own database. PGlite: a data
 * directory under bench/.data.
 * @param {{ db: 'postgres' | 'pglite', name: string, log: (text: string) => void }} o
 * @returns {Promise<BenchDatabase>}
 */
export async function benchDatabase(o) {
  if (o.db === 'pglite') {
    const dataDir = join(ROOT, 'bench', '.data', o.name);
    mkdirSync(dataDir, { recursive: true });
    return { kind: 'pglite', dataDir, name: o.name };
  }
  const given = process.env.DATABASE_URL;
  if (!given) throw new Error('--db postgres needs DATABASE_URL (postgres://user@host:port/db)');
  const url = new URL(given);
  const admin = new pg.Client({ connectionString: given });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.name]);
    if (rows.length === 0) {
      await admin.query(`CREATE DATABASE "${o.name.replace(/"/g, '')}"`);
      o.log(`created database ${o.name}`);
    }
    url.pathname = `/${o.name}`;
    return { kind: 'postgres', url: url.toString(), name: o.name };
  } catch (error) {
    const own = decodeURIComponent(url.pathname.slice(1));
    o.log(`cannot use database ${o.name} (${String(error)}); using ${own} from DATABASE_URL`);
    return { kind: 'postgres', url: given, name: own };
  } finally {
    await admin.end();
  }
}

/**
 * Writes PostgreSQL's dirty pages out now (CHECKPOINT), so that a scenario does not meet a
 * checkpoint started by the WAL an earlier one wrote: one in the middle of a step tripled the ack
 * p50 of fixed-rate sends. Needs a superuser or pg_checkpoint; without them, says why and returns.
 * A PGlite database lives in the application's process and has nothing to flush from here.
 * @param {BenchDatabase} db @param {(text: string) => void} log
 */
export async function checkpoint(db, log) {
  if (db.kind !== 'postgres') return;
  const started = Date.now();
  try {
    await withClient(db.url, (client) => client.query('CHECKPOINT'));
    log(`checkpoint: ${Date.now() - started} ms`);
  } catch (error) {
    log(`checkpoint not taken (${String(error)}): a step may meet one PostgreSQL starts itself`);
  }
}

/**
 * Runs `work` on a client of its own, connected to `url` and ended afterwards, whatever happens.
 * @template T @param {string} url @param {(client: pg.Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The environment that points the application (and the TypeORM data source) at `db`.
 * @param {BenchDatabase} db @returns {Record<string, string>}
 */
export function databaseEnv(db) {
  return db.kind === 'postgres'
    ? { DATABASE_URL: db.url }
    : // Empty, not absent: a DATABASE_URL in ./.env must not win over the PGlite directory.
      { DATABASE_URL: '', DATA_DIR: db.dataDir };
}

/**
 * Migrates the database and lays down every scenario's fixtures, in a child process that opens
 * the application's own TypeORM data source (dist/ormconfig.js), so PGlite and PostgreSQL are
 * seeded through the same driver the app uses. With PGlite, the app must not be running.
 * @param {{ env: Record<string, string>,
 *   tasks: { key: string, scenario: string, params: object, runId: string }[],
 *   log: (text: string) => void, logFile: string }} o
 * @returns {Promise<Record<string, any>>} fixtures per task key
 */
export function prepareDatabase(o) {
  return new Promise((resolve, reject) => {
    const child = fork(join(ROOT, 'bench', 'lib', 'db-task.mjs'), [], {
      cwd: ROOT,
      env: { ...process.env, ...o.env, DB_STATEMENT_TIMEOUT_MS: '3600000', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // TypeORM's migration chatter goes to the log file, not the console.
    const log = createWriteStream(o.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let result = /** @type {Record<string, any> | null} */ (null);
    child.on('message', (/** @type {any} */ message) => {
      if (message.type === 'progress') o.log(message.text);
      if (message.type === 'done') result = message.fixtures;
      if (message.type === 'failed') reject(new Error(message.error));
    });
    child.on('exit', (code) => {
      log.end();
      if (result) resolve(result);
      else reject(new Error(`database preparation failed (exit ${code}; see ${o.logFile})`));
    });
    child.send({ tasks: o.tasks });
  });
}
