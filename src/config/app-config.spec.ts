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
    [{}, true],
    [{ JWT_SECRET: secret }, false],
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
  });

  it('stops at boot on an unreadable public key', () => {
    expect(() =>
      config({ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----' }),
    ).toThrow(/JWT_PUBLIC_KEY/);
  });
});
