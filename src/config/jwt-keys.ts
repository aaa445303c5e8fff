import { Logger } from '@nestjs/common';
import { createPublicKey, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Algorithm } from 'jsonwebtoken';
import type { EnvSchema } from './env.schema.js';

export interface JwtKeys {
  /**
   * What verifies a token: the HS256 secret or the public key, read once. Given the text,
   * jsonwebtoken would parse it on every verify (a secret only after failing to read it as PEM).
   */
  verifyKey: KeyObject;
  /** What signs dev tokens; absent when only a public key is configured. */
  signKey?: string;
  algorithms: Algorithm[];
  issuer?: string;
  audience?: string;
}

const DEV_SECRET_FILE = 'jwt-secret';

export function resolveJwtKeys(env: EnvSchema): JwtKeys {
  const checks = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
  if (env.JWT_PUBLIC_KEY) {
    // Asymmetric keys only: a public key can never double as an HMAC secret (CVE-2015-9235).
    const key = publicKeyOf(env.JWT_PUBLIC_KEY.replace(/\\n/g, '\n'));
    return { verifyKey: key, algorithms: algorithmsFor(key), ...checks };
  }
  const secret = env.JWT_SECRET ?? devSecret(resolve(env.DATA_DIR));
  return {
    verifyKey: createSecretKey(Buffer.from(secret)),
    signKey: secret,
    algorithms: ['HS256'],
    ...checks,
  };
}

function publicKeyOf(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new Error('Invalid configuration:\n  - JWT_PUBLIC_KEY is not a readable PEM public key');
  }
}

/** RS256 for an RSA key, ES256 for a P-256 EC key; anything else stops the server at boot. */
function algorithmsFor(key: KeyObject): Algorithm[] {
  if (key.asymmetricKeyType === 'rsa') return ['RS256'];
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return ['ES256'];
  throw new Error(
    'Invalid configuration:\n  - JWT_PUBLIC_KEY must be an RSA or P-256 EC public key',
  );
}

/** A development secret made once and kept in DATA_DIR, so the server and `npm run token` agree. */
function devSecret(dataDir: string): string {
  const file = join(dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process made it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return readFileSync(file, 'utf8').trim();
    throw error;
  }
  new Logger('Config').warn(
    `JWT_SECRET is not set: generated a development secret in ${file}. Set JWT_SECRET or JWT_PUBLIC_KEY in production.`,
  );
  return secret;
}
