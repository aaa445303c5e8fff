import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { ChatView, MessagePage } from '../../src/modules/chat/chat.types.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { scrape, valueOf } from '../support/metrics.js';
import { auth, call, must } from '../support/orders.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

type ErrorResponse = { statusCode: number; code: string; message: string; details?: unknown };

/** A contract 429: RATE_LIMITED, details.retryAfterMs, and a Retry-After header in seconds. */
function expectRateLimited(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    statusCode: 429,
    code: 'RATE_LIMITED',
    message: expect.any(String),
    details: { retryAfterMs: expect.any(Number) },
  });
  const { retryAfterMs } = (res.body as ErrorResponse).details as { retryAfterMs: number };
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(Number(res.headers['retry-after'])).toBe(Math.ceil(retryAfterMs / 1000));
}

describe('REST throttling', () => {
  let t: TestApp;
  const fresh = () => tokenFor({ id: uniqueId(), role: 'CLIENT' });
  const me = (token: string, forwardedFor?: string) => {
    const req = request(t.url).get('/api/users/me').set('Authorization', `Bearer ${token}`);
    return forwardedFor ? req.set('X-Forwarded-For', forwardedFor) : req;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { LIMIT_REST_PER_MINUTE: '5', TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 RATE_LIMITED with retryAfterMs and Retry-After once a user passes LIMIT_REST_PER_MINUTE', async () => {
    const token = fresh();
    for (let i = 0; i < 5; i += 1) await me(token).expect(200);
    const refusals = async () =>
      valueOf(await scrape(t), 'messaging_limit_refusals_total', { limit: 'rest_rate' }) ?? 0;
    const before = await refusals();
    expectRateLimited(await me(token));
    expect(await refusals()).toBe(before + 1);
  });

  it('counts all routes of a user in one budget', async () => {
    const token = fresh();
    await me(token).expect(200);
    const paths = ['/api/chats', '/api/orders', '/api/notifications', '/api/presence/me'];
    for (const path of paths) {
      await request(t.url).get(path).set('Authorization', `Bearer ${token}`).expect(200);
    }
    expectRateLimited(
      await request(t.url).get('/api/chats').set('Authorization', `Bearer ${token}`),
    );
  });

  it('keeps a budget per user, whatever address they share', async () => {
    const [first, second] = [fresh(), fresh()];
    for (let i = 0; i < 5; i += 1) await me(first, '198.51.100.9').expect(200);
    expectRateLimited(await me(first, '198.51.100.9'));
    await me(second, '198.51.100.9').expect(200);
  });

  it('keys unauthenticated requests by address: the last X-Forwarded-For entry behind one trusted proxy', async () => {
    // The proxy appends the peer it saw; whatever comes before it is the client's to choose.
    const devToken = (clientSent: string, proxySaw: string) =>
      request(t.url)
        .post('/api/auth/dev-token')
        .set('X-Forwarded-For', `${clientSent}, ${proxySaw}`)
        .send({ userId: uniqueId(), name: 'Dev', role: 'CLIENT' });
    for (let i = 0; i < 5; i += 1) await devToken(`203.0.113.${i}`, '198.51.100.1').expect(200);
    expectRateLimited(await devToken('203.0.113.99', '198.51.100.1'));
    await devToken('203.0.113.0', '198.51.100.2').expect(200);
  });

  it('never throttles /health, /health/ready or /metrics', async () => {
    for (let i = 0; i < 8; i += 1) {
      await request(t.url).get('/health').expect(200);
      await request(t.url).get('/health/ready').expect(200);
      expect((await request(t.url).get('/metrics')).status).not.toBe(429);
    }
  });
});

describe('message rate over REST', () => {
  let t: TestApp;
  let a: TestClient, b: TestClient;
  let chat: ChatView;

  beforeAll(async () => {
    t = await createTestApp({
      env: { LIMIT_MESSAGES_PER_SECOND: '0.01', LIMIT_MESSAGES_BURST: '3' },
    });
    [a, b] = [await makeUser(t), await makeUser(t)];
    chat = await must<ChatView>(t, a, 'post', '/api/chats', {
      type: 'GROUP',
      title: 'Rate',
      memberIds: [b.id],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a message POST over the user’s rate with 429 RATE_LIMITED and Retry-After, storing nothing', async () => {
    const path = `/api/chats/${chat.id}/messages`;
    for (let i = 0; i < 3; i += 1) await must(t, a, 'post', path, { text: `m${i}` });
    const refused = await request(t.url).post(path).set(auth(a)).send({ text: 'one too many' });
    expectRateLimited(refused);
    const stored = await must<MessagePage>(t, b, 'get', path);
    expect(stored.items.map((m) => m.text)).toEqual(['m0', 'm1', 'm2']);
  });

  it('leaves other users sending', async () => {
    const res = await call(t, b, 'post', `/api/chats/${chat.id}/messages`, { text: 'still here' });
    expect(res.status).toBe(201);
  });
});
