import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createTestApp, usingRedis, type TestApp } from '../support/create-test-app.js';

describe('health and API docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers GET /health without a token', async () => {
    const res = await request(t.url).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('reports the database (and Redis when configured) on GET /health/ready', async () => {
    const res = await request(t.url).get('/health/ready').expect(200);
    expect(res.body.details.database.status).toBe('up');
    if (usingRedis) expect(res.body.details.redis.status).toBe('up');
    else expect(res.body.details.redis).toBeUndefined();
  });

  it('listens with an accept queue of LISTEN_BACKLOG (4096), not Node default 511', () => {
    // For a listening socket, ss shows the accept queue's size as Send-Q. The kernel caps it at
    // net.core.somaxconn.
    const port = new URL(t.url).port;
    const line = execFileSync('ss', ['-ltnH', `sport = :${port}`])
      .toString()
      .trim();
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(Number(line.split(/\s+/)[2])).toBe(Math.min(4096, somaxconn));
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await request(t.url).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('serves the OpenAPI document at /docs-json with bearer auth and the REST routes', async () => {
    const res = await request(t.url).get('/docs-json').expect(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/users/me', '/api/auth/dev-token', '/health', '/health/ready']),
    );
    expect(
      res.body.paths['/api/users/me'].get.responses['200'].content['application/json'].schema.$ref,
    ).toBe('#/components/schemas/UserDto');
  });
});

describe('readiness with Redis configured but unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there, so Redis is "down" on any machine.
    t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stays live but reports not ready with redis down', async () => {
    await request(t.url).get('/health').expect(200);
    const res = await request(t.url).get('/health/ready').expect(503);
    expect(res.body.details.redis.status).toBe('down');
    expect(res.body.details.database.status).toBe('up');
  });
});
