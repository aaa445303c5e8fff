import { ErrorCode } from '../../common/errors/error-code.js';
import { clientIp } from '../../common/limits/client-ip.js';
import { KeyedRateLimiter, type RateLimit } from '../../common/limits/token-bucket.js';
import { handshakeRefusal } from '../handshake-refusal.js';
import type { EngineSocket, Middleware, OnRefused } from './socket-types.js';

/**
 * New Engine.IO connections per client address (one per client, whatever namespaces it uses).
 * Only a namespace refusal reaches the client as connect_error data, so a connection over the
 * rate is let in, each namespace handshake on it is refused with RATE_LIMITED and
 * `retryAfterMs`, and the connection is closed once that is sent. A refused connection that
 * never asks for a namespace is closed after `graceMs` rather than Socket.IO's 45 s connectTimeout.
 */
export class ConnectionRate {
  private readonly perAddress: KeyedRateLimiter;
  /** Refused connections, with when their address may connect again. */
  private readonly refused = new WeakMap<EngineSocket, number>();

  constructor(
    limit: RateLimit,
    private readonly trustProxy: number,
    private readonly onRefused: OnRefused,
    private readonly graceMs = 2000,
  ) {
    this.perAddress = new KeyedRateLimiter(limit);
  }

  readonly onEngineConnection = (conn: EngineSocket): void => {
    const address = clientIp(conn.remoteAddress, conn.request.headers, this.trustProxy);
    const wait = this.perAddress.take(address);
    if (wait <= 0) return;
    this.onRefused('connection_rate');
    this.refused.set(conn, Date.now() + wait);
    const timer = setTimeout(() => conn.close(), this.graceMs).unref();
    conn.once('close', () => clearTimeout(timer));
  };

  readonly middleware: Middleware = (socket, next) => {
    const until = this.refused.get(socket.conn);
    if (until === undefined) return next();
    const retryAfterMs = Math.max(1, until - Date.now());
    next(
      handshakeRefusal(ErrorCode.RateLimited, 'too many connections', {
        retryAfterMs,
        details: { retryAfterMs },
      }),
    );
    // Socket.IO sends the refusal on the next tick; close the connection after it.
    setImmediate(() => socket.conn.close());
  };
}
