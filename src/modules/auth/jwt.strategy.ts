import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from '../users/users.service.js';
import { claimsToUser, JwtClaims } from './claims.js';

/** REST authentication: `Authorization: Bearer <jwt>`, same keys and checks as the sockets. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    const { verifyKey, algorithms, issuer, audience } = config.jwt;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken.verify, which takes a KeyObject; its typings
      // predate that.
      secretOrKey: verifyKey as unknown as Buffer,
      algorithms,
      issuer,
      audience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: JwtClaims): Promise<AuthUser> {
    const user = claimsToUser(claims);
    await this.users.remember(user);
    return user;
  }
}
