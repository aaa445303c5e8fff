import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeNeeding } from '../../test/support/needs.js';
import { prepared, PreparingClient } from './prepared.js';

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
});
