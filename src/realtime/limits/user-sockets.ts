import { ErrorCode } from '../../common/errors/error-code.js';
import { handshakeRefusal } from '../handshake-refusal.js';
import type { Middleware } from './socket-types.js';

/**
 * At most `limit` sockets per user on this node, counting each namespace a client connects to.
 * Runs after authentication, as the last middleware: the next handshake is refused with
 * CONFLICT. A socket it lets through on an open connection is connected by Socket.IO on the next
 * tick, before any I/O could close it, so its 'disconnect' always gives the place back.
 */
export class UserSockets {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  readonly middleware: Middleware = (socket, next) => {
    const userId = socket.data.user?.id;
    if (!userId || socket.conn.readyState !== 'open') return next();
    const count = this.counts.get(userId) ?? 0;
    if (count >= this.limit) {
      return next(handshakeRefusal(ErrorCode.Conflict, 'too many connections'));
    }
    this.counts.set(userId, count + 1);
    socket.once('disconnect', () => {
      const left = (this.counts.get(userId) ?? 1) - 1;
      if (left > 0) this.counts.set(userId, left);
      else this.counts.delete(userId);
    });
    next();
  };
}
