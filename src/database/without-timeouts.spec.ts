import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource, type QueryRunner } from 'typeorm';
import { describeNeeding } from '../../test/support/needs.js';
import { StatementClient } from './prepared.js';
import { withoutTimeouts } from './without-timeouts.js';

describeNeeding('timeouts lifted for a migration', ['PostgreSQL'])('withoutTimeouts', () => {
  // One connection, so every runner gets the same one back: the server cuts a statement at
  // 200 ms and a wait for a lock at 300 ms, our client at 400 ms.
  const db = new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL,
    poolSize: 1,
    extra: {
      Client: StatementClient,
      statement_timeout: 200,
      lock_timeout: 300,
      readTimeoutMs: 400,
    },
  });
  beforeAll(() => db.initialize());
  afterAll(() => db.destroy());

  const sleep = `SELECT pg_sleep(0.6)`;

  const before = { statement: '200ms', lock: '300ms', read: 400 };

  /** The timeouts of the runner's connection, or of the pool's one connection. */
  async function timeouts(
    given?: QueryRunner,
  ): Promise<{ statement: string; lock: string; read: number }> {
    const runner = given ?? db.createQueryRunner();
    try {
      const client = (await runner.connect()) as StatementClient;
      const show = async (name: string) =>
        ((await runner.query(`SHOW ${name}`)) as Record<string, string>[])[0][name];
      return {
        statement: await show('statement_timeout'),
        lock: await show('lock_timeout'),
        read: client.readTimeoutMs,
      };
    } finally {
      if (!given) await runner.release();
    }
  }

  it('lets a statement run past both timeouts, and puts them back after', async () => {
    await expect(db.query(sleep)).rejects.toThrow(/statement timeout/);
    const runner = db.createQueryRunner();
    try {
      // Past the server's 200 ms and our 400 ms: neither may cut it.
      const during = await withoutTimeouts(runner, async () => {
        await runner.query(sleep);
        return timeouts(runner);
      });
      expect(during).toEqual({ statement: '0', lock: '0', read: 0 });
    } finally {
      await runner.release();
    }
    expect(await timeouts()).toEqual(before);
    await expect(db.query(sleep)).rejects.toThrow(/statement timeout/);
  });

  it('puts them back after work that failed, and passes its error on', async () => {
    const runner = db.createQueryRunner();
    try {
      await expect(
        withoutTimeouts(runner, () => runner.query('SELECT * FROM no_such_table')),
      ).rejects.toThrow(/no_such_table/);
    } finally {
      await runner.release();
    }
    expect(await timeouts()).toEqual(before);
  });
});
