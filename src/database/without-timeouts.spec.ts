import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { describeNeeding } from '../../test/support/needs.js';
import { StatementClient } from './prepared.js';
import { withoutTimeouts } from './without-timeouts.js';

describeNeeding('timeouts lifted for a migration', ['PostgreSQL'])('withoutTimeouts', () => {
  // One connection, so every runner gets the same one back: the server cuts a statement at
  // 200 ms, our client at 400 ms.
  const db = new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL,
    poolSize: 1,
    extra: { Client: StatementClient, statement_timeout: 200, readTimeoutMs: 400 },
  });
  beforeAll(() => db.initialize());
  afterAll(() => db.destroy());

  const sleep = `SELECT pg_sleep(0.6)`;

  async function timeouts(): Promise<{ server: string; read: number }> {
    const runner = db.createQueryRunner();
    try {
      const client = (await runner.connect()) as StatementClient;
      const [{ statement_timeout }] = (await runner.query('SHOW statement_timeout')) as {
        statement_timeout: string;
      }[];
      return { server: statement_timeout, read: client.readTimeoutMs };
    } finally {
      await runner.release();
    }
  }

  it('lets a statement run past both timeouts, and puts them back after', async () => {
    await expect(db.query(sleep)).rejects.toThrow(/statement timeout/);
    const runner = db.createQueryRunner();
    try {
      // Past the server's 200 ms and our 400 ms: neither may cut it.
      await expect(withoutTimeouts(runner, () => runner.query(sleep))).resolves.toBeDefined();
    } finally {
      await runner.release();
    }
    expect(await timeouts()).toEqual({ server: '200ms', read: 400 });
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
    expect(await timeouts()).toEqual({ server: '200ms', read: 400 });
  });
});
