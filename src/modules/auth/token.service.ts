import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import jsonwebtoken from 'jsonwebtoken';
import type { AuthUser, Role } from '../../common/auth/auth-user.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { AppConfig } from '../../config/app-config.js';
import { claimsToUser, JwtClaims } from './claims.js';

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

/** Verifies and (in development) issues tokens, with an explicit algorithm list throughout. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  verify(token: string): AuthUser {
    const { verifyKey, algorithms, issuer, audience } = this.config.jwt;
    let claims: JwtClaims | string;
    try {
      // jsonwebtoken itself: JwtService's options take only the key's text, parsed per call.
      claims = jsonwebtoken.verify(token, verifyKey, { algorithms, issuer, audience });
    } catch (error) {
      if (error instanceof jsonwebtoken.TokenExpiredError)
        throw new DomainException(ErrorCode.TokenExpired);
      throw new DomainException(ErrorCode.Unauthorized);
    }
    // A signed payload that is not an object has no claims to read.
    if (typeof claims === 'string') throw new DomainException(ErrorCode.Unauthorized);
    return claimsToUser(claims);
  }

  /** Signs a token with the configured secret; undefined when only a public key is configured. */
  sign(
    user: { id: string; name: string; role: Role; email?: string },
    ttlSeconds = DEFAULT_TTL_SECONDS,
  ): string {
    const { signKey, issuer, audience } = this.config.jwt;
    if (!signKey) {
      throw new DomainException(ErrorCode.NotFound, 'token signing is not configured');
    }
    return this.jwt.sign(
      {
        sub: user.id,
        name: user.name,
        role: user.role,
        ...(user.email ? { email: user.email } : {}),
      },
      {
        secret: signKey,
        algorithm: 'HS256',
        expiresIn: ttlSeconds,
        ...(issuer ? { issuer } : {}),
        ...(audience ? { audience } : {}),
      },
    );
  }
}
