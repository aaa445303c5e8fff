import { ExecutionContext, Injectable } from '@nestjs/common';
import { types } from 'node:util';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Observable } from 'rxjs';
import { DomainException } from '../errors/domain.exception.js';
import { ErrorCode } from '../errors/error-code.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Global REST guard: a valid bearer token unless the route is @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(
    context: ExecutionContext,
  ): boolean | Promise<boolean> | Observable<boolean> {
    // Sockets authenticate in their handshake middleware and WsJwtGuard, not through passport.
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown): TUser {
    // A database error comes from Node's own realm (the driver's socket), where `instanceof Error`
    // can fail (a test runner's VM): isNativeError tells it all the same.
    if (error) {
      throw error instanceof Error || types.isNativeError(error)
        ? error
        : new DomainException(ErrorCode.Unauthorized);
    }
    if (user) return user;
    if (info instanceof Error && info.name === 'TokenExpiredError') {
      throw new DomainException(ErrorCode.TokenExpired);
    }
    throw new DomainException(ErrorCode.Unauthorized);
  }
}
