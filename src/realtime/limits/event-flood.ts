import { toErrorBody } from '../../common/errors/error-body.js';
import { rateLimited } from '../../common/limits/rate-limited.js';
import { TokenBucket, type RateLimit } from '../../common/limits/token-bucket.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { ServerEvent } from '../events.js';
import type { EngineSocket, OnRefused } from './socket-types.js';

/** Longer event names are not echoed back (no event of the contract comes close). */
const MAX_ECHOED_EVENT = 64;

/**
 * Client events per connection, all its namespaces together, unknown ones included. An event over
 * the rate does not reach its handler: it is answered RATE_LIMITED with `retryAfterMs`, through
 * its ack when it has one, else with an `error` event. An event no handler listens for on that
 * namespace is dropped unanswered, as it would be under the rate (Nest binds each handler as a
 * listener of the socket, so that is one lookup).
 */
export function limitEvents(limit: RateLimit, onRefused: OnRefused): (socket: AppSocket) => void {
  const buckets = new WeakMap<EngineSocket, TokenBucket>();
  return (socket) => {
    let bucket = buckets.get(socket.conn);
    if (!bucket) buckets.set(socket.conn, (bucket = new TokenBucket(limit)));
    const counted = bucket;
    socket.use((packet, next) => {
      const retryAfterMs = counted.take();
      if (retryAfterMs === 0) return next();
      onRefused('event_rate');
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
}
