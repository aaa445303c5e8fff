import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from './app-config.js';
import { validateEnv } from './env.schema.js';

const config = (env: Record<string, string>): AppConfig =>
  AppConfig.fromEnv(validateEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cfg-')), ...env }));
const secret = 's'.repeat(32);

describe('AppConfig', () => {
  it.each([
    [{}, false],
    [{ JWT_SECRET: secret }, false],
    [{ AUTH_DEV_TOKENS: 'true' }, true],
    [{ JWT_SECRET: secret, AUTH_DEV_TOKENS: 'true' }, true],
    [{ AUTH_DEV_TOKENS: 'false' }, false],
    [{ NODE_ENV: 'production', JWT_SECRET: secret }, false],
  ])('dev tokens with %j: %s', (env, enabled) => {
    expect(config(env).devTokensEnabled).toBe(enabled);
  });

  it('picks RS256 for an RSA public key and ES256 for a P-256 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(config({ JWT_PUBLIC_KEY: rsa }).jwt.algorithms).toEqual(['RS256']);
    expect(config({ JWT_PUBLIC_KEY: ec }).jwt.algorithms).toEqual(['ES256']);
    expect(config({ JWT_PUBLIC_KEY: ec }).jwt.verifyKey.type).toBe('public');
  });

  it('reads the verify key once: a secret as a secret key, not text to parse per token', () => {
    const { verifyKey, signKey } = config({ JWT_SECRET: secret }).jwt;
    expect(verifyKey.type).toBe('secret');
    expect(verifyKey.export().toString()).toBe(secret);
    expect(signKey).toBe(secret);
  });

  it('turns a limit off at 0 and reads connections and chats per minute as rates with that burst', () => {
    const off = config({
      LIMIT_MESSAGES_PER_SECOND: '0',
      LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '0',
      LIMIT_CHATS_PER_MINUTE: '0',
    });
    expect(off.limits).toMatchObject({ messages: null, connectionsPerIp: null, chats: null });
    const on = config({ LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '120', LIMIT_MESSAGES_BURST: '7' });
    expect(on.limits.connectionsPerIp).toEqual({ perSecond: 2, burst: 120 });
    expect(on.limits.chats).toEqual({ perSecond: 0.5, burst: 30 });
    expect(on.limits.messages).toEqual({ perSecond: 10, burst: 7 });
  });

  it('stops at boot on an unreadable public key', () => {
    expect(() =>
      config({ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----' }),
    ).toThrow(/JWT_PUBLIC_KEY/);
  });
});
