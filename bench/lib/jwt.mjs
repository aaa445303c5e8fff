import { createHmac, timingSafeEqual } from 'node:crypto';

/** @param {object} part */
const encode = (part) => Buffer.from(JSON.stringify(part)).toString('base64url');

/**
 * An HS256 token with the claims the server expects (sub, name, role, exp), signed like an
 * identity provider would (test/support/tokens.ts does the same with jsonwebtoken).
 * @param {{ id: string, name?: string, role: string }} user
 * @param {string} secret
 * @param {number} [ttlSeconds]
 */
export function signToken(user, secret, ttlSeconds = 6 * 3600) {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: user.id, name: user.name ?? user.id, role: user.role, exp })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/**
 * The claims of a valid, unexpired HS256 token, or null (the raw baseline's authentication).
 * @param {string} token
 * @param {string} secret
 * @returns {{ sub: string, name: string, role: string, exp: number } | null}
 */
export function verifyToken(token, secret) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? claims : null;
}
