import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AppSocket } from './app-socket.js';
import { DomainException } from '../errors/domain.exception.js';
import { ErrorCode } from '../errors/error-code.js';

/**
 * The handshake middleware authenticated the socket; this re-checks, per event, that it still
 * carries a user whose token has not expired since.
 */
@Injectable()
export class WsJwtGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToWs().getClient<AppSocket>().data.user;
    if (!user) throw new DomainException(ErrorCode.Unauthorized);
    if (user.exp * 1000 <= Date.now()) throw new DomainException(ErrorCode.TokenExpired);
    return true;
  }
}
