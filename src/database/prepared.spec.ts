import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeNeeding, proxyTo } from '../../test/support/needs.js';
import { prepared, PreparingClient, StatementClient } from './prepared.js';
import { timestampsAsText } from './timestamps.js';

describeNeeding('prepared statements', ['PostgreSQL'])('PreparingClient', () => {
  const client = new PreparingClient(process.env.DATABASE_URL);
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  const statements = async () =>
    (await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows
      .map((r) => r.statement)
      .filter((s) => s.includes('prepared-spec'));

  it('prepares a marked statement once per connection, and only marked ones', async () => {
    const hot = prepared(`SELECT $1::int + 1 AS n /* prepared-spec hot */`);
    const cold = `SELECT $1::int + 2 AS n /* prepared-spec cold */`;
    for (let i = 0; i < 3; i += 1) {
      expect((await client.query<{ n: number }>(hot, [i])).rows).toEqual([{ n: i + 1 }]);
      expect((await client.query<{ n: number }>(cold, [i])).rows).toEqual([{ n: i + 2 }]);
    }
    expect(await statements()).toEqual([hot]);
  });

  it('answers through a callback too, as pg-pool and TypeORM may call it', async () => {
    const hot = prepared(`SELECT $1::text AS v /* prepared-spec callback */`);
    const rows = await new Promise<unknown[]>((resolve, reject) =>
      client.query(hot, ['x'], (error: Error | null, result: { rows: unknown[] }) =>
        error ? reject(error) : resolve(result.rows),
      ),
    );
    expect(rows).toEqual([{ v: 'x' }]);
    expect(await statements()).toContain(hot);
  });

  it('reads the timestamps of a statement marked for views as text, prepared or not', async () => {
    const stamp = `'2026-12-06 01:17:48.815123+00'::timestamptz`;
    const marked = prepared(
      timestampsAsText(`SELECT ${stamp} AS at, $1::int AS n /* prepared-spec text */`),
    );
    const unmarked = `SELECT ${stamp} AS at, $1::int AS n /* prepared-spec date */`;
    expect((await client.query(marked, [1])).rows).toEqual([
      { at: '2026-12-06 01:17:48.815123+00', n: 1 },
    ]);
    expect((await client.query(unmarked, [1])).rows).toEqual([
      { at: new Date('2026-12-06T01:17:48.815Z'), n: 1 },
    ]);
    expect(await statements()).toContain(marked);
  });
});

describeNeeding('statement marks without preparing', ['PostgreSQL'])('StatementClient', () => {
  const client = new StatementClient(process.env.DATABASE_URL);
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it('reads marked timestamps as text and prepares nothing', async () => {
    const marked = prepared(
      timestampsAsText(`SELECT now() AS at, $1::int AS n /* statement-spec text */`),
    );
    const [row] = (await client.query<{ at: unknown }>(marked, [1])).rows;
    expect(typeof row.at).toBe('string');
    const [plain] = (await client.query<{ at: unknown }>(`SELECT now() AS at`, [])).rows;
    expect(plain.at).toBeInstanceOf(Date);
    const named = await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements');
    expect(named.rows).toEqual([{ n: 0 }]);
  });
});

describeNeeding('read timeout', ['PostgreSQL'])('StatementClient read timeout', () => {
  it('fails a statement the server does not answer, and drops its connection', async () => {
    const { proxy, url } = await proxyTo(process.env.DATABASE_URL!);
    const client = new StatementClient({ connectionString: url, readTimeoutMs: 300 });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    try {
      await client.connect();
      expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      proxy.stall();
      const startedAt = Date.now();
      const stalled = client.query('SELECT 2 AS n');
      const behind = client.query('SELECT 3 AS n');
      await expect(stalled).rejects.toThrow('Query read timeout');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
      expect(Date.now() - startedAt).toBeLessThan(2000);
      // What waited behind it fails too (its own timeout or the ended connection, whichever
      // comes first), and the client is ended: nothing more can queue behind the stall, and a
      // pool would discard it. Ended by us, it raises no 'error'.
      await expect(behind).rejects.toThrow(/Query read timeout|terminated/);
      await ended;
      await expect(client.query('SELECT 4 AS n')).rejects.toThrow();
      expect(errors).toEqual([]);
    } finally {
      proxy.resume();
      await proxy.stop();
    }
  });

  it('answers every statement in time, through a callback too, without firing', async () => {
    const client = new StatementClient({
      connectionString: process.env.DATABASE_URL,
      readTimeoutMs: 1000,
    });
    await client.connect();
    try {
      const slow = await client.query('SELECT pg_sleep(0.1) IS NULL AS slept');
      expect(slow.rows).toEqual([{ slept: false }]);
      const rows = await new Promise<unknown[]>((resolve, reject) =>
        client.query(
          'SELECT $1::int AS n',
          [7],
          (error: Error | null, result: { rows: unknown[] }) =>
            error ? reject(error) : resolve(result.rows),
        ),
      );
      expect(rows).toEqual([{ n: 7 }]);
      // Past the timeout, still connected and answering.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await client.query('SELECT 4 AS n')).rows).toEqual([{ n: 4 }]);
    } finally {
      await client.end();
    }
  });
});
