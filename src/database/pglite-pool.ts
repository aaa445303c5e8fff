import { PGlite } from '@electric-sql/pglite';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const INT8_OID = 20;

type Callback<T> = (error: Error | null, result?: T) => void;
type Release = (error?: unknown) => void;

interface PgLikeResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: unknown[];
}

/**
 * A `pg.Pool` look-alike over one PGlite instance, for TypeORM's postgres driver.
 *
 * PGlite is a single connection, so the pool hands out that connection to one query runner at a
 * time: a transaction's BEGIN ... COMMIT can never interleave with another runner's statements.
 * (typeorm-pglite shares the instance between runners without such a lock, and keeps one
 * instance per process, which rules out two data directories in one process.)
 */
export class PGlitePool extends EventEmitter {
  private readonly db: Promise<PGlite>;
  private readonly waiters: Array<() => void> = [];
  private busy = false;
  private closed = false;

  constructor(
    dataDir: string | undefined,
    private readonly acquireTimeoutMs: number,
  ) {
    super();
    // int8 as a string, like pg: counts and ids above 2^53 must not become BigInt.
    const parsers = { [INT8_OID]: (value: string): string => value };
    // PGlite makes its own directory, not the ones above it (a DATA_DIR not made yet).
    if (dataDir) mkdirSync(dirname(dataDir), { recursive: true });
    this.db = PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers });
  }

  /** pg.Pool's counters, for metrics and for a shutdown waiting for the database to go quiet: one connection, idle unless lent, checkouts queued. */
  get totalCount(): number {
    return this.closed ? 0 : 1;
  }
  get idleCount(): number {
    return this.closed || this.busy ? 0 : 1;
  }
  get waitingCount(): number {
    return this.waiters.length;
  }

  connect(callback: (error: Error | null, client?: PGliteClient, release?: Release) => void): void {
    this.acquire().then(
      async () => {
        try {
          const client = new PGliteClient(await this.db);
          callback(null, client, () => this.releaseLock());
        } catch (error) {
          this.releaseLock();
          callback(error as Error);
        }
      },
      (error: Error) => callback(error),
    );
  }

  async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
    await this.acquire();
    try {
      return await new PGliteClient(await this.db).query(sql, params);
    } finally {
      this.releaseLock();
    }
  }

  end(callback?: Callback<void>): void {
    this.closed = true;
    this.db
      .then((db) => db.close())
      .then(
        () => callback?.(null),
        (error: Error) => callback?.(error),
      );
  }

  private acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('Cannot use a pool after calling end'));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(new Error('timeout exceeded when trying to connect'));
      }, this.acquireTimeoutMs);
      this.waiters.push(grant);
    });
  }

  private releaseLock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** The "connection" TypeORM holds between acquire and release. */
class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  /** pg's signatures: `query(sql, params?)` as a promise, or with a trailing callback. */
  query(
    sql: string,
    paramsOrCallback?: unknown[] | Callback<PgLikeResult>,
    callback?: Callback<PgLikeResult>,
  ): Promise<PgLikeResult> {
    const params = Array.isArray(paramsOrCallback) ? paramsOrCallback : undefined;
    const done = typeof paramsOrCallback === 'function' ? paramsOrCallback : callback;
    const result = this.run(sql, params);
    if (!done) return result;
    // Callback style: the error goes to the callback only, never as an unhandled rejection.
    return result.then(
      (r) => (done(null, r), r),
      (error: Error) => (done(error), undefined as unknown as PgLikeResult),
    );
  }

  private async run(sql: string, params: unknown[] | undefined): Promise<PgLikeResult> {
    if (params && params.length > 0) return adapt(sql, await this.db.query(sql, params));
    // exec runs multi-statement scripts; like pg, answer with the last statement's result.
    const results = await this.db.exec(sql);
    return adapt(sql, results[results.length - 1]);
  }
}

function adapt(
  sql: string,
  result: { rows: unknown[]; affectedRows?: number; fields: unknown[] } | undefined,
): PgLikeResult {
  const rows = result?.rows ?? [];
  const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
  return {
    rows,
    // pg counts the rows a SELECT returns; PGlite reports 0 affected rows for it.
    rowCount: command === 'SELECT' ? rows.length : (result?.affectedRows ?? rows.length),
    command,
    fields: result?.fields ?? [],
  };
}

/** The `driver` option for TypeORM: an object whose `Pool` is our PGlite pool. */
export function pgliteDriver(dataDir: string | undefined, acquireTimeoutMs: number): unknown {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super(dataDir, acquireTimeoutMs);
      }
    },
  };
}
