import { toErrorBody } from '../../common/errors/error-body.js';
import { rateLimited } from '../../common/limits/rate-limited.js';
import { KeyedRateLimiter, TokenBucket, type RateLimit } from '../../common/limits/token-bucket.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { ServerEvent } from '../events.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { handshakeRefusal } from '../handshake-refusal.js';
import type { EngineSocket, Middleware, OnRefused } from './socket-types.js';

/** Longer event names are not echoed back (no event of the contract comes close). */
const MAX_ECHOED_EVENT = 64;

/**
 * Client events per connection, all its namespaces together, unknown ones included, and the
 * namespace handshakes it asks for: each is a packet the node must work on, and a client refused
 * a namespace may ask again and again on the same connection. Events are also counted per user,
 * all their connections on this node together: one user with LIMIT_SOCKETS_PER_USER connections
 * would otherwise have that many times the connection's rate.
 */
export class EventRate {
  private readonly perConnection = new WeakMap<EngineSocket, TokenBucket>();
  private readonly perUser: KeyedRateLimiter | null;

  constructor(
    private readonly limits: { connection: RateLimit | null; user: RateLimit | null },
    private readonly onRefused: OnRefused,
  ) {
    this.perUser = limits.user ? new KeyedRateLimiter(limits.user) : null;
  }

  /** A namespace handshake over the connection's rate is refused with RATE_LIMITED and `retryAfterMs`. */
  readonly middleware: Middleware = (socket, next) => {
    const retryAfterMs = this.bucketOf(socket.conn)?.take() ?? 0;
    if (retryAfterMs === 0) return next();
    this.onRefused('event_rate');
    next(
      handshakeRefusal(ErrorCode.RateLimited, 'too many events, slow down', {
        retryAfterMs,
        details: { retryAfterMs },
      }),
    );
  };

  /**
   * An event over either rate does not reach its handler: it is answered RATE_LIMITED with
   * `retryAfterMs`, through its ack when it has one, else with an `error` event. An event no
   * handler listens for on that namespace is dropped unanswered, as it would be under the rate
   * (Nest binds each handler as a listener of the socket, so that is one lookup).
   */
  readonly onConnection = (socket: AppSocket): void => {
    const bucket = this.bucketOf(socket.conn);
    const userId = this.perUser ? socket.data.user?.id : undefined;
    socket.use((packet, next) => {
      let retryAfterMs = bucket?.take() ?? 0;
      if (retryAfterMs !== 0) this.onRefused('event_rate');
      else if (userId !== undefined) {
        retryAfterMs = this.perUser!.take(userId);
        if (retryAfterMs !== 0) {
          // A refused event takes nothing: the connection's token goes back.
          bucket?.refund();
          this.onRefused('user_event_rate');
        }
      }
      if (retryAfterMs === 0) return next();
      const event: unknown = packet[0];
      if (typeof event !== 'string' || socket.listenerCount(event) === 0) return;
      const error = toErrorBody(rateLimited(retryAfterMs, 'too many events, slow down'));
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (response: unknown) => void)({ ok: false, error });
      else if (event.length <= MAX_ECHOED_EVENT)
        socket.emit(ServerEvent.Error, { event, ...error });
      else socket.emit(ServerEvent.Error, error);
    });
  };

  private bucketOf(conn: EngineSocket): TokenBucket | undefined {
    if (!this.limits.connection) return undefined;
    let bucket = this.perConnection.get(conn);
    if (!bucket) this.perConnection.set(conn, (bucket = new TokenBucket(this.limits.connection)));
    return bucket;
  }
}
