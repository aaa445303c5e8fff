import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';

// Requests the framework refuses before any handler of ours: each gets the contract's body, a
// client error's code, and nothing of the request written back.
describe('REST refusals outside the handlers', () => {
  let t: TestApp;
  let user: TestClient;
  const as = (u: TestClient) => ({ Authorization: `Bearer ${u.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    user = await makeUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers an unknown route 404 without repeating its URL', async () => {
    const res = await request(t.url).get('/api/no-such-route?token=sekrit-value').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(JSON.stringify(res.body)).not.toContain('sekrit');
    expect(JSON.stringify(res.body)).not.toContain('no-such-route');
  });

  it('answers a path that cannot be decoded 400 without repeating it', async () => {
    const res = await request(t.url)
      .delete('/api/messages/00000000-0000-4000-8000-000000000001/reactions/%E0%A4%A')
      .set(as(user))
      .expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      details: [{ field: 'path', constraints: { valid: expect.any(String) } }],
    });
    expect(JSON.stringify(res.body)).not.toContain('%E0');
  });

  it('answers an upload in a multipart type it does not take 400, not 500', async () => {
    const res = await request(t.url)
      .post('/api/files')
      .set(as(user))
      .set('Content-Type', 'multipart/mixed; boundary=x')
      .send('--x\r\n\r\nhi\r\n--x--\r\n')
      .expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      details: [{ field: 'body', constraints: { valid: expect.any(String) } }],
    });
  });

  it('names what was wrong with an upload in fixed words, not the field it came in', async () => {
    const res = await request(t.url)
      .post('/api/files')
      .set(as(user))
      .attach('photo', Buffer.from('hi'), { filename: 'a.txt', contentType: 'text/plain' })
      .expect(400);
    const message = 'unexpected file field (send the file as "file")';
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message,
      details: [{ field: 'file', constraints: { valid: message } }],
    });
  });

  it.each([
    ['{"type": "GROUP", ', 'body is not valid JSON'],
    ['null', 'body must be a JSON object'],
    ['"GROUP"', 'body must be a JSON object'],
    ['5', 'body must be a JSON object'],
  ])(
    'answers the body %s 400 with the contract details, naming the body: %s',
    async (body, message) => {
      const res = await request(t.url)
        .post('/api/chats')
        .set(as(user))
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message,
        details: [{ field: 'body', constraints: { valid: message } }],
      });
    },
  );

  it.each([
    ['post', '/api/notifications/read-all'],
    ['post', '/api/notifications/00000000-0000-4000-8000-000000000001/read'],
    ['post', '/api/presence/heartbeat'],
  ] as const)(
    'refuses a field in the body of %s %s, which takes none, as its socket twin does',
    async (method, path) => {
      const res = await request(t.url)[method](path).set(as(user)).send({ everything: true });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [
          { field: 'everything', constraints: { whitelistValidation: expect.any(String) } },
        ],
      });
      // Without a body, or with an empty one, it is not refused for it.
      const none = await request(t.url)[method](path).set(as(user));
      const empty = await request(t.url)[method](path).set(as(user)).send({});
      expect([none.body.code, empty.body.code]).not.toContain('VALIDATION_FAILED');
    },
  );

  it('answers a lone surrogate in free-form data 400, not 500', async () => {
    const admin = await makeUser(t, 'ADMIN');
    const res = await request(t.url)
      .post('/api/notifications')
      .set(as(admin))
      .set('Content-Type', 'application/json')
      .send(
        `{"userId":"${user.id}","type":"IN_APP","subject":"s","message":"m","data":{"k":"\\ud800"}}`,
      )
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});
