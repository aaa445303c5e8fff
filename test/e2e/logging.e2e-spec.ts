import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { AsyncLocalStorage } from 'node:async_hooks';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser } from '../support/factories.js';

/**
 * nestjs-pino's request context (not exported: read from its own module). Each request run
 * inside it would switch on promise hooks for the whole process on Node 20, which every socket
 * event then pays for.
 */
async function pinoRequestContext(): Promise<AsyncLocalStorage<unknown> & { enabled?: boolean }> {
  const entry = createRequire(import.meta.url).resolve('nestjs-pino');
  const storage = entry.replace(/[/\\]cjs[/\\]index\.js$/, '/esm/storage.js');
  return ((await import(pathToFileURL(storage).href)) as { storage: AsyncLocalStorage<unknown> })
    .storage;
}

describe('request logging', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves HTTP requests outside an AsyncLocalStorage', async () => {
    const context = await pinoRequestContext();
    expect(typeof context.getStore).toBe('function');
    const user = await makeUser(t);
    await request(t.url).get('/health').expect(200);
    await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${user.token}`)
      .expect(200);
    await request(t.url).get('/api/users/me').expect(401);
    expect(context.enabled).not.toBe(true);
  });
});
