import { Injectable } from '@nestjs/common';
import type { AppSocket } from '../../common/ws/app-socket.js';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { toErrorBody } from '../../common/errors/error-body.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { ConnectErrorData, ServerEvent } from '../../realtime/events.js';
import { handshakeRefusal } from '../../realtime/handshake-refusal.js';
import { UsersService } from '../users/users.service.js';
import { TokenService } from './token.service.js';

type Next = (error?: Error) => void;

// setTimeout cannot wait longer than this; a longer expiry is re-armed when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The Socket.IO middleware of every namespace: authenticates the handshake before the socket
 * connects (Nest guards do not run on connection) and keeps the user on `socket.data.user`; and,
 * once the socket has connected, disconnects it when its token expires.
 */
@Injectable()
export class SocketAuthenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  readonly middleware = (socket: AppSocket, next: Next): void => {
    this.authenticate(socket).then(
      (user) => {
        socket.data.user = user;
        next();
      },
      (error: unknown) => next(connectError(error)),
    );
  };

  /**
   * For every socket that got through all the middlewares. Not armed by the middleware: a later
   * one (the sockets-per-user limit) may still refuse the socket, which then never disconnects,
   * and a client could pile refused handshakes, each holding a timer and a listener, on one
   * connection.
   */
  readonly connected = (socket: AppSocket): void => {
    const user = socket.data.user;
    if (user && socket.connected) this.expireAt(socket, user);
  };

  private async authenticate(socket: AppSocket): Promise<AuthUser> {
    const user = this.tokens.verify(tokenOf(socket) ?? '');
    await this.users.remember(user);
    return user;
  }

  /** Arms the socket's expiry, disarmed when the socket disconnects. */
  private expireAt(socket: AppSocket, user: AuthUser): void {
    const wait = user.exp * 1000 - Date.now();
    const disarm = (): void => clearTimeout(timer);
    const timer = setTimeout(
      () => {
        socket.off('disconnect', disarm);
        if (user.exp * 1000 > Date.now()) return this.expireAt(socket, user);
        socket.emit(ServerEvent.Error, { code: ErrorCode.TokenExpired, message: 'token expired' });
        socket.disconnect();
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref();
    socket.once('disconnect', disarm);
  }
}

/** `auth.token`, then `Authorization: Bearer`, then the `token` query parameter. */
function tokenOf(socket: AppSocket): string | undefined {
  const { auth, headers, query } = socket.handshake;
  const fromAuth: unknown = (auth as Record<string, unknown> | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  const header = headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+\S/i.test(header)) {
    return header.replace(/^Bearer\s+/i, '').trim();
  }
  const fromQuery: unknown = query.token;
  return typeof fromQuery === 'string' && fromQuery ? fromQuery : undefined;
}

function connectError(error: unknown): Error & { data: ConnectErrorData } {
  const { code, message } = toErrorBody(error);
  const wire =
    code === ErrorCode.TokenExpired
      ? 'token expired'
      : code === ErrorCode.Unauthorized
        ? 'unauthorized'
        : message;
  return handshakeRefusal(code, wire);
}
