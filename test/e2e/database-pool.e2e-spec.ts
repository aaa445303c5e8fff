import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { settle, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { scrape, valueOf } from '../support/metrics.js';
import { describeNeeding } from '../support/needs.js';

// Long enough that the five connections are all open before the first one's idle time is up.
const IDLE_MS = 1000;

// The pool grows with a burst and shrinks back after it, but not below DB_POOL_MIN: a burst after
// a quiet spell finds connections open, their statements prepared.
describeNeeding('the connection pool', ['PostgreSQL'])('the PostgreSQL pool', () => {
  let t: TestApp;
  /** Open connections, as /metrics tells them. */
  const total = async () => valueOf(await scrape(t), 'messaging_db_pool_connections') ?? Number.NaN;

  beforeAll(async () => {
    t = await createTestApp({
      env: { DB_POOL_SIZE: '5', DB_POOL_MIN: '2', DB_POOL_IDLE_MS: String(IDLE_MS) },
    });
    // Five statements at once open all five connections.
    const db = t.app.get(DataSource);
    await Promise.all(Array.from({ length: 5 }, () => db.query('SELECT pg_sleep(0.05)')));
    expect(await total()).toBe(5);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('closes connections above DB_POOL_MIN once unused for DB_POOL_IDLE_MS', async () => {
    await waitUntil(async () => (await total()) === 2, IDLE_MS * 5, 'the pool shrank to 2');
  });

  it('keeps DB_POOL_MIN connections open while idle', async () => {
    await waitUntil(async () => (await total()) === 2, IDLE_MS * 5, 'the pool shrank to 2');
    await settle(IDLE_MS * 2);
    expect(await total()).toBe(2);
  });
});
