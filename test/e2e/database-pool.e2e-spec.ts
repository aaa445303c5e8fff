import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { poolCounts } from '../../src/database/pool-counts.js';
import { settle, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { describeNeeding } from '../support/needs.js';

const IDLE_MS = 300;

// The pool grows with a burst and shrinks back after it, but not below DB_POOL_MIN: a burst after
// a quiet spell finds connections open, their statements prepared.
describeNeeding('the connection pool', ['PostgreSQL'])('the PostgreSQL pool', () => {
  let t: TestApp;
  let db: DataSource;
  const total = () => poolCounts(db)?.totalCount ?? -1;

  beforeAll(async () => {
    t = await createTestApp({
      env: { DB_POOL_SIZE: '5', DB_POOL_MIN: '2', DB_POOL_IDLE_MS: String(IDLE_MS) },
    });
    db = t.app.get(DataSource);
    // Five statements at once open all five connections.
    await Promise.all(Array.from({ length: 5 }, () => db.query('SELECT pg_sleep(0.05)')));
    expect(total()).toBe(5);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('closes connections above DB_POOL_MIN once unused for DB_POOL_IDLE_MS', async () => {
    await waitUntil(() => total() === 2, IDLE_MS * 10, 'the pool shrank to DB_POOL_MIN');
  });

  it('keeps DB_POOL_MIN connections open while idle', async () => {
    await waitUntil(() => total() === 2, IDLE_MS * 10, 'the pool shrank to DB_POOL_MIN');
    await settle(IDLE_MS * 3);
    expect(total()).toBe(2);
  });
});
