import { AuthUser, Role, ROLES } from '../../common/auth/auth-user.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { clip } from '../../common/text/clip.js';
import { isUserId } from '../../common/validation/is-user-id.decorator.js';

export interface JwtClaims {
  sub?: unknown;
  name?: unknown;
  role?: unknown;
  exp?: unknown;
  email?: unknown;
}

const MAX_NAME_LENGTH = 200;

/** The caller described by a verified token; refuses tokens that lack what the contract needs. */
export function claimsToUser(claims: JwtClaims): AuthUser {
  const { sub, name, role, exp, email } = claims;
  // Not text (a NUL, an unpaired surrogate): PostgreSQL would refuse the first, and store the
  // second as U+FFFD, so two subjects would become one user.
  if (!isUserId(sub)) {
    throw new DomainException(ErrorCode.Unauthorized, 'token has no valid sub claim');
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new DomainException(ErrorCode.Unauthorized, 'token has no exp claim');
  }
  const parsedRole = toRole(role);
  if (!parsedRole)
    throw new DomainException(ErrorCode.Unauthorized, 'token has no valid role claim');
  // A display name is only shown: made text rather than refused.
  const text = typeof name === 'string' ? name.replaceAll(NUL, '').toWellFormed().trim() : '';
  const displayName = text || sub;
  const user: AuthUser = {
    id: sub,
    name: clip(displayName, MAX_NAME_LENGTH),
    role: parsedRole,
    exp,
  };
  // Optional: where EMAIL notifications go. Anything that is not plainly an address is ignored.
  if (typeof email === 'string' && email.length <= 254 && EMAIL.test(email) && isText(email)) {
    user.email = email;
  }
  return user;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const NUL = '\u0000';

function isText(value: string): boolean {
  return !value.includes(NUL) && value.isWellFormed();
}

function toRole(role: unknown): Role | undefined {
  if (role === 'PERFORMER') return Role.Specialist;
  return ROLES.find((r) => r === role);
}
