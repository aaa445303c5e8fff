import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Namespace, ClientEvent } from '../../src/realtime/events.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { ProbeModule } from '../support/probe.module.js';
import { closeAllSockets, connect, emitAck } from '../support/sockets.js';
import { tokenFor, uniqueId, unsignedToken } from '../support/tokens.js';

describe('REST authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeModule] });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('answers GET /api/users/me with the caller from the token', async () => {
    const id = uniqueId();
    const res = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${tokenFor({ id, role: 'PERFORMER', name: 'Pat' })}`)
      .expect(200);
    expect(res.body).toEqual({ id, name: 'Pat', role: 'SPECIALIST' });
  });

  it('refreshes name and role from each new token, also after another node changed them', async () => {
    const id = uniqueId();
    const me = async (token: string) =>
      (
        await request(t.url)
          .get('/api/users/me')
          .set('Authorization', `Bearer ${token}`)
          .expect(200)
      ).body as { role: string };
    const first = tokenFor({ id, role: 'CLIENT', name: 'Pat' });
    expect((await me(first)).role).toBe('CLIENT');
    // Another node, given a token of this user as ADMIN, wrote that meanwhile.
    await t.app.get(DataSource).query(`UPDATE users SET role = 'ADMIN' WHERE id = $1`, [id]);
    expect((await me(first)).role).toBe('ADMIN');
    // A new token, with the claims this node saw before: written all the same.
    const again = tokenFor({ id, role: 'CLIENT', name: 'Pat' }, { expiresIn: 3601 });
    expect((await me(again)).role).toBe('CLIENT');
  });

  it.each([
    ['a NUL character', `${'u'}\u0000x`],
    ['an unpaired surrogate', `u\ud800`],
  ])('answers a token whose sub holds %s with 401 UNAUTHORIZED', async (_what, sub) => {
    const res = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${tokenFor({ id: `${uniqueId()}${sub}`, role: 'CLIENT' })}`)
      .expect(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('keeps a name claim with a NUL character or an unpaired surrogate, made text', async () => {
    const id = uniqueId();
    const token = tokenFor({ id, role: 'CLIENT', name: 'A\u0000n\ud800n' });
    const res = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body).toEqual({ id, name: 'An\ufffdn', role: 'CLIENT' });
  });

  it('answers a request without a token with 401 UNAUTHORIZED', async () => {
    const res = await request(t.url).get('/api/users/me').expect(401);
    expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHORIZED', message: 'unauthorized' });
  });

  it('answers an expired token with 401 TOKEN_EXPIRED', async () => {
    const token = tokenFor({ id: uniqueId(), role: 'CLIENT' }, { expiresIn: -5 });
    const res = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'TOKEN_EXPIRED' });
  });

  it.each([
    ['alg: none', () => unsignedToken({ id: uniqueId(), role: 'ADMIN' })],
    [
      'a wrong signature',
      () => tokenFor({ id: uniqueId(), role: 'ADMIN' }, { secret: 'x'.repeat(40) }),
    ],
    ['a missing exp', () => tokenFor({ id: uniqueId(), role: 'ADMIN' }, { noExp: true })],
    ['an unknown role', () => tokenFor({ id: uniqueId(), role: 'GOD' })],
  ])('answers %s with 401 UNAUTHORIZED', async (_name, token) => {
    const res = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${token()}`)
      .expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });

  it('answers a role-restricted route with 403 FORBIDDEN for other roles', async () => {
    const res = await request(t.url)
      .get('/api/probe/admin')
      .set('Authorization', `Bearer ${tokenFor({ id: uniqueId(), role: 'MODERATOR' })}`)
      .expect(403);
    expect(res.body).toEqual({ statusCode: 403, code: 'FORBIDDEN', message: 'forbidden' });
  });

  it('lets the right role through a role-restricted route', async () => {
    await request(t.url)
      .get('/api/probe/admin')
      .set('Authorization', `Bearer ${tokenFor({ id: uniqueId(), role: 'ADMIN' })}`)
      .expect(200, { ok: true });
  });

  it('answers an unexpected error with 500 INTERNAL and no internals', async () => {
    const res = await request(t.url)
      .get('/api/probe/crash')
      .set('Authorization', `Bearer ${tokenFor({ id: uniqueId(), role: 'ADMIN' })}`)
      .expect(500);
    expect(res.body).toEqual({ statusCode: 500, code: 'INTERNAL', message: 'internal error' });
  });

  it('answers an unknown route with 404 NOT_FOUND in the contract shape', async () => {
    const res = await request(t.url)
      .get('/api/nowhere')
      .set('Authorization', `Bearer ${tokenFor({ id: uniqueId(), role: 'CLIENT' })}`)
      .expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const res = await request(t.url)
      .post('/api/auth/dev-token')
      .set('Content-Type', 'application/json')
      .send('{"userId":')
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  describe('POST /api/auth/dev-token', () => {
    it('issues a token that REST and sockets accept', async () => {
      const id = uniqueId();
      const { body } = await request(t.url)
        .post('/api/auth/dev-token')
        .send({ userId: id, name: 'Dev', role: 'PERFORMER' })
        .expect(200);
      const me = await request(t.url)
        .get('/api/users/me')
        .set('Authorization', `Bearer ${body.token}`)
        .expect(200);
      expect(me.body).toEqual({ id, name: 'Dev', role: 'SPECIALIST' });
      const socket = await connect(t.url, Namespace.Chat, { token: body.token as string });
      await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({
        data: { id },
      });
    });

    it('refuses a bad body with field details', async () => {
      const res = await request(t.url)
        .post('/api/auth/dev-token')
        .send({ userId: '', role: 'BOSS', extra: 1 })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect((res.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual([
        'extra',
        'name',
        'role',
        'userId',
      ]);
    });
  });
});

describe('REST authentication with dev tokens disabled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_DEV_TOKENS: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers POST /api/auth/dev-token with 404 NOT_FOUND', async () => {
    const res = await request(t.url)
      .post('/api/auth/dev-token')
      .send({ userId: 'u', name: 'n', role: 'ADMIN' })
      .expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers 404 NOT_FOUND to a body it would refuse, not what it would have accepted', async () => {
    const res = await request(t.url).post('/api/auth/dev-token').send({}).expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });
});
