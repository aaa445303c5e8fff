import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

describe('schema', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has an index leading with the columns of every foreign key', async () => {
    // Without one, each delete of a referenced row scans the referencing table (to cascade, or to
    // check): a table scan per deleted row.
    const unindexed = await t.app.get(DataSource).query<{ fk: string }[]>(
      `SELECT c.conname AS fk FROM pg_constraint c
       WHERE c.contype = 'f' AND NOT EXISTS (
         SELECT 1 FROM pg_index i
         WHERE i.indrelid = c.conrelid
           AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
       )
       ORDER BY 1`,
    );
    expect(unindexed).toEqual([]);
  });
});
