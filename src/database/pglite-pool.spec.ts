import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlitePool } from './pglite-pool.js';

type Client = {
  query(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number; command: string }>;
};

function checkout(pool: PGlitePool): Promise<[Client, () => void]> {
  return new Promise((resolve, reject) =>
    pool.connect((error, client, release) =>
      error ? reject(error) : resolve([client as Client, release!]),
    ),
  );
}

describe('PGlitePool', () => {
  let pool: PGlitePool;
  beforeAll(async () => {
    pool = new PGlitePool(undefined, 500);
    await pool.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  });
  afterAll(async () => {
    await new Promise((resolve) => pool.end(resolve));
  });

  it('reports rows, rowCount and command like pg', async () => {
    await pool.query('INSERT INTO t VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    const update = await pool.query('UPDATE t SET v = $1 WHERE id > $2', ['z', 0]);
    expect(update).toMatchObject({ command: 'UPDATE', rowCount: 2 });
    const select = await pool.query('SELECT id, v FROM t ORDER BY id');
    expect(select.rows).toEqual([
      { id: 1, v: 'z' },
      { id: 2, v: 'z' },
    ]);
  });

  it('never lets another runner run statements inside an open transaction', async () => {
    const [a, releaseA] = await checkout(pool);
    await a.query('BEGIN');
    await a.query('INSERT INTO t VALUES ($1, $2)', [10, 'a']);
    const b = checkout(pool).then(async ([client, release]) => {
      const rows = (await client.query('SELECT count(*)::int AS n FROM t WHERE id = $1', [10]))
        .rows;
      release();
      return rows[0]?.n;
    });
    await a.query('ROLLBACK');
    releaseA();
    // B ran after A's rollback, not inside A's transaction.
    await expect(b).resolves.toBe(0);
  });

  it('times out a checkout that waits longer than the acquire timeout', async () => {
    const [, release] = await checkout(pool);
    await expect(checkout(pool)).rejects.toThrow(/timeout exceeded when trying to connect/);
    release();
    const [, again] = await checkout(pool);
    again();
  });

  it("reports pg's pool counts: one connection, idle unless lent, and who waits", async () => {
    expect([pool.totalCount, pool.idleCount, pool.waitingCount]).toEqual([1, 1, 0]);
    const [, release] = await checkout(pool);
    const waiting = checkout(pool);
    expect([pool.totalCount, pool.idleCount, pool.waitingCount]).toEqual([1, 0, 1]);
    release();
    const [, releaseNext] = await waiting;
    expect([pool.idleCount, pool.waitingCount]).toEqual([0, 0]);
    releaseNext();
    expect([pool.idleCount, pool.waitingCount]).toEqual([1, 0]);
  });
});

describe('PGlitePool on disk', () => {
  it('makes the directories above its data directory (a DATA_DIR not made yet)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pglite-pool-'));
    const dataDir = join(root, 'not', 'made', 'pgdata');
    try {
      const pool = new PGlitePool(dataDir, 500);
      const result = await pool.query('SELECT 1 AS one');
      expect(result.rows).toEqual([{ one: 1 }]);
      await new Promise((resolve) => pool.end(resolve));
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
