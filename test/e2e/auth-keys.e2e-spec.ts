import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { ClientEvent, Namespace } from '../../src/realtime/events.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { closeAllSockets, connect, connectError, emitAck } from '../support/sockets.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ISSUER = 'https://id.example.test';
const AUDIENCE = 'messaging';

describe('JWT_PUBLIC_KEY (RS256), issuer and audience, on REST and sockets', () => {
  let t: TestApp;
  const rs = (overrides: { issuer?: string; audience?: string } = {}): string =>
    tokenFor(
      { id: uniqueId(), role: 'CLIENT' },
      { secret: privatePem, algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, ...overrides },
    );

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        JWT_SECRET: '',
        JWT_PUBLIC_KEY: publicPem,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
      },
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('accepts an RS256 token signed by the matching private key', async () => {
    const token = rs();
    await request(t.url).get('/api/users/me').set('Authorization', `Bearer ${token}`).expect(200);
    const socket = await connect(t.url, Namespace.Chat, { token });
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ ok: true });
  });

  it('refuses an HS256 token signed with the public key as its secret (algorithm confusion)', async () => {
    const forged = tokenFor(
      { id: uniqueId(), role: 'ADMIN' },
      { secret: publicPem, algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE },
    );
    await request(t.url).get('/api/users/me').set('Authorization', `Bearer ${forged}`).expect(401);
    expect((await connectError(t.url, Namespace.Chat, { token: forged })).data).toEqual({
      code: 'UNAUTHORIZED',
    });
  });

  it.each([
    ['a wrong issuer', { issuer: 'https://evil.example.test' }],
    ['a wrong audience', { audience: 'another-service' }],
  ])('refuses %s on REST', async (_name, overrides) => {
    const res = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${rs(overrides)}`)
      .expect(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('turns dev tokens off when a real key is configured', async () => {
    await request(t.url)
      .post('/api/auth/dev-token')
      .send({ userId: 'x', name: 'x', role: 'ADMIN' })
      .expect(404);
  });
});

describe('Origin allow-list on the Socket.IO handshake', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.test' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const token = (): string => tokenFor({ id: uniqueId(), role: 'CLIENT' });

  it('accepts an allowed Origin and clients that send none', async () => {
    await expect(
      connect(t.url, Namespace.Chat, {
        token: token(),
        headers: { origin: 'https://app.example.test' },
      }),
    ).resolves.toBeDefined();
    await expect(connect(t.url, Namespace.Chat, { token: token() })).resolves.toBeDefined();
  });

  it('refuses a WebSocket from another Origin', async () => {
    await expect(
      connect(t.url, Namespace.Chat, {
        token: token(),
        headers: { origin: 'https://evil.example.test' },
      }),
    ).rejects.toBeDefined();
  });
});
