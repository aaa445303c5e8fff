import { ErrorCode } from '../../common/errors/error-code.js';
import { handshakeRefusal } from '../handshake-refusal.js';
import type { Middleware, OnRefused } from './socket-types.js';

/**
 * At most `limit` sockets per user on this node, counting each namespace a client connects to.
 * Runs after authentication, as the last middleware: the next handshake is refused with
 * CONFLICT. The place is given back once, on the socket's 'disconnect' or its connection's
 * 'close', whichever comes first: a connection that closes between this middleware and Socket.IO
 * adding the socket (it re-checks on the next tick) is cleaned up without any 'disconnect'.
 */
export class UserSockets {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly onRefused: OnRefused = () => undefined,
  ) {}

  readonly middleware: Middleware = (socket, next) => {
    const userId = socket.data.user?.id;
    if (!userId || socket.conn.readyState !== 'open') return next();
    const count = this.counts.get(userId) ?? 0;
    if (count >= this.limit) {
      this.onRefused('sockets_per_user');
      return next(handshakeRefusal(ErrorCode.Conflict, 'too many connections'));
    }
    this.counts.set(userId, count + 1);
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      socket.off('disconnect', release);
      socket.conn.off('close', release);
      const left = (this.counts.get(userId) ?? 1) - 1;
      if (left > 0) this.counts.set(userId, left);
      else this.counts.delete(userId);
    };
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    next();
  };

  /** Sockets counted for `userId`. */
  held(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }
}
