import jwt, { type Algorithm } from 'jsonwebtoken';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestUser {
  id: string;
  role: string;
  name?: string;
  email?: string;
}

export interface SignOptions {
  secret?: string;
  algorithm?: Algorithm;
  /** Seconds from now; negative for an already expired token. Default one hour. */
  expiresIn?: number;
  /** Leave `exp` out entirely. */
  noExp?: boolean;
  issuer?: string;
  audience?: string;
}

/** A token for `user`, signed like an identity provider would (HS256 with the test secret). */
export function tokenFor(user: TestUser, options: SignOptions = {}): string {
  const claims: Record<string, unknown> = {
    sub: user.id,
    name: user.name ?? user.id,
    role: user.role,
    ...(user.email ? { email: user.email } : {}),
  };
  if (!options.noExp) {
    claims.exp = Math.floor(Date.now() / 1000) + (options.expiresIn ?? 3600);
  }
  return jwt.sign(claims, options.secret ?? TEST_JWT_SECRET, {
    algorithm: options.algorithm ?? 'HS256',
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  });
}

/** An unsigned `alg: none` token carrying otherwise valid claims. */
export function unsignedToken(user: TestUser): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, name: user.id, role: user.role, exp })}.`;
}

let counter = 0;
/** A user id no other test uses. */
export function uniqueId(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
