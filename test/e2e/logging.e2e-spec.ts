import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser } from '../support/factories.js';

/**
 * nestjs-pino's request context (not exported: read from its own module). Each request run
 * inside it would switch on promise hooks for the whole process on Node 20, which every socket
 * event then pays for.
 */
async function pinoRequestContext(): Promise<AsyncLocalStorage<unknown>> {
  const entry = createRequire(import.meta.url).resolve('nestjs-pino');
  const storage = entry.replace(/[/\\]cjs[/\\]index\.js$/, '/esm/storage.js');
  return ((await import(pathToFileURL(storage).href)) as { storage: AsyncLocalStorage<unknown> })
    .storage;
}

describe('request logging', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs each HTTP request once, credentials redacted, outside any AsyncLocalStorage', async () => {
    const context = await pinoRequestContext();
    const entered = [jest.spyOn(context, 'run'), jest.spyOn(context, 'enterWith')];
    const stream = (
      PinoLogger.root as unknown as Record<symbol, { write: (line: string) => boolean }>
    )[pino.symbols.streamSym];
    const lines: string[] = [];
    const write = jest.spyOn(stream, 'write').mockImplementation((line: string) => {
      lines.push(line);
      return true;
    });
    const user = await makeUser(t);
    try {
      await request(t.url).get('/health').expect(200);
      await request(t.url)
        .get('/api/users/me?token=secret-in-url')
        .set('Authorization', `Bearer ${user.token}`)
        .expect(200);
      await request(t.url).get('/api/users/me?probe=anonymous').expect(401);
    } finally {
      write.mockRestore();
    }
    const logged = lines
      .map((line) => JSON.parse(line) as { msg: string; req: { url: string; headers: object } })
      .filter((entry) => entry.msg === 'request completed');
    // makeUser's own request may be logged meanwhile: only these three are looked at.
    const requests = logged.filter((entry) => /^\/(health|api\/users\/me\?)/.test(entry.req.url));
    expect(requests.map((entry) => entry.req.url)).toEqual([
      '/api/users/me?token=[REDACTED]',
      '/api/users/me?probe=anonymous',
    ]);
    expect(requests[0].req.headers).toMatchObject({ authorization: '[REDACTED]' });
    expect(lines.join('')).not.toContain('secret-in-url');
    expect(lines.join('')).not.toContain(user.token);
    for (const spy of entered) expect(spy).not.toHaveBeenCalled();
  });
});
