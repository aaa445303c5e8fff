import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

const logger = new Logger('RedisAdapter');

/**
 * The Socket.IO Redis adapter (pub/sub): broadcasts, room changes and fetchSockets reach every
 * node. The publisher fails fast while Redis is away and its errors are logged, not thrown (the
 * adapter does not await publishes, and an unhandled rejection would end the process): events
 * meant for other nodes are lost during an outage, local sockets keep being served, and delivery
 * resumes when Redis returns. The subscriber queues its subscriptions until connected and
 * renews them after every reconnect.
 */
export function redisClusterAdapter(redis: Redis): {
  adapter: ReturnType<typeof createAdapter>;
  close: () => Promise<void>;
} {
  const pub = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  const publish = (channel: string, message: string | Buffer): Promise<number> =>
    Redis.prototype.publish.call(pub, channel, message);
  pub.publish = ((channel: string, message: string | Buffer) =>
    publish(channel, message).catch((error: unknown) => {
      logger.warn(`event not sent to other nodes: ${String(error)}`);
      return 0;
    }));
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => logger.error(`redis: ${error.message}`));
  }
  let closed: Promise<void> | undefined;
  return {
    adapter: createAdapter(pub, sub, { key: 'socket.io' }),
    // Called once per namespace when the app closes; the clients are shared, so quit once.
    close: () =>
      (closed ??= Promise.all(
        [pub, sub].map((c) => c.quit().then(undefined, () => c.disconnect())),
      ).then(() => undefined)),
  };
}
