import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ClientEvent, Namespace, ServerEvent } from '../../src/realtime/events.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { closeAllSockets, connect, connectError, emitAck, nextEvent } from '../support/sockets.js';
import {
  TEST_JWT_SECRET,
  tokenFor,
  uniqueId,
  unsignedToken,
  type SignOptions,
  type TestUser,
} from '../support/tokens.js';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'messaging';

describe('socket handshake authentication', () => {
  let t: TestApp;
  const valid = (
    user: TestUser = { id: uniqueId(), role: 'CLIENT' },
    options: SignOptions = {},
  ): string => tokenFor(user, { issuer: ISSUER, audience: AUDIENCE, ...options });

  beforeAll(async () => {
    t = await createTestApp({ env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it.each(Object.values(Namespace))(
    'accepts an authenticated connection on %s',
    async (namespace) => {
      const socket = await connect(t.url, namespace, { token: valid() });
      expect(socket.connected).toBe(true);
    },
  );

  it.each([['auth'], ['header'], ['query']] as const)('takes the token from %s', async (via) => {
    const id = uniqueId();
    const socket = await connect(t.url, Namespace.Chat, {
      token: valid({ id, role: 'CLIENT' }),
      via,
    });
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toEqual({
      ok: true,
      data: { id, name: id, role: 'CLIENT' },
    });
  });

  it('prefers auth.token over the Authorization header', async () => {
    const id = uniqueId();
    const socket = await connect(t.url, Namespace.Chat, {
      auth: { token: valid({ id, role: 'CLIENT' }) },
      headers: { authorization: 'Bearer not-a-token' },
    });
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ data: { id } });
  });

  it.each(Object.values(Namespace))(
    'refuses a handshake without a token as unauthorized on %s',
    async (namespace) => {
      const error = await connectError(t.url, namespace);
      expect(error.message).toBe('unauthorized');
      expect(error.data).toEqual({ code: 'UNAUTHORIZED' });
    },
  );

  it('refuses an expired token as token expired', async () => {
    const error = await connectError(t.url, Namespace.Chat, {
      token: valid(undefined, { expiresIn: -10 }),
    });
    expect(error.message).toBe('token expired');
    expect(error.data).toEqual({ code: 'TOKEN_EXPIRED' });
  });

  const refusals: [string, () => string][] = [
    [
      'a wrong signature',
      () => valid(undefined, { secret: 'another-secret-another-secret-another-secret' }),
    ],
    ['alg: none', () => unsignedToken({ id: uniqueId(), role: 'CLIENT' })],
    ['a missing exp', () => valid(undefined, { noExp: true })],
    ['a wrong issuer', () => valid(undefined, { issuer: 'https://evil.example.test' })],
    ['a wrong audience', () => valid(undefined, { audience: 'someone-else' })],
    ['an unknown role', () => valid({ id: uniqueId(), role: 'ROOT' })],
    ['a garbage token', () => 'abc.def.ghi'],
    ['a signed payload that is not an object', () => jwt.sign('just a string', TEST_JWT_SECRET)],
    [
      'an RS256 token when HS256 is configured',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return valid(undefined, {
          secret: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
          algorithm: 'RS256',
        });
      },
    ],
  ];
  const everywhere = refusals.flatMap(([name, token]) =>
    Object.values(Namespace).map((ns): [string, string, () => string] => [name, ns, token]),
  );
  it.each(everywhere)('refuses %s as unauthorized on %s', async (_name, namespace, token) => {
    const error = await connectError(t.url, namespace, { token: token() });
    expect(error.message).toBe('unauthorized');
    expect(error.data).toEqual({ code: 'UNAUTHORIZED' });
  });

  it('accepts PERFORMER as SPECIALIST', async () => {
    const id = uniqueId();
    const socket = await connect(t.url, Namespace.Chat, {
      token: valid({ id, role: 'PERFORMER' }),
    });
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({
      data: { id, role: 'SPECIALIST' },
    });
  });

  it('creates a user on first sight and refreshes name and role from each new token', async () => {
    const id = uniqueId();
    const first = await connect(t.url, Namespace.Chat, {
      token: valid({ id, role: 'CLIENT', name: 'Ann' }),
    });
    await expect(emitAck(first, ClientEvent.WhoAmI, {})).resolves.toMatchObject({
      data: { name: 'Ann', role: 'CLIENT' },
    });
    const second = await connect(t.url, Namespace.Chat, {
      token: valid({ id, role: 'MODERATOR', name: 'Ann B.' }),
    });
    await expect(emitAck(second, ClientEvent.WhoAmI, {})).resolves.toEqual({
      ok: true,
      data: { id, name: 'Ann B.', role: 'MODERATOR' },
    });
  });

  it('tells a live socket its token expired and disconnects it at exp', async () => {
    const socket = await connect(t.url, Namespace.Chat, {
      token: valid(undefined, { expiresIn: 2 }),
    });
    const error = nextEvent(socket, ServerEvent.Error, 5000);
    const disconnected = nextEvent<string>(socket, 'disconnect', 5000);
    await expect(error).resolves.toEqual({ code: 'TOKEN_EXPIRED', message: 'token expired' });
    await expect(disconnected).resolves.toBe('io server disconnect');
  });

  it('keeps a socket whose token is still valid connected', async () => {
    const socket = await connect(t.url, Namespace.Chat, {
      token: valid(undefined, { expiresIn: 3600 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.connected).toBe(true);
    await expect(emitAck(socket, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ ok: true });
  });
});
