import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

const logger = new Logger('RedisAdapter');

/** How long closing waits for Redis to confirm before it drops the connections. */
const QUIT_TIMEOUT_MS = 1000;

/** While Redis is away every broadcast fails: say so once, then once per this interval. */
const FAILURE_SUMMARY_MS = 10_000;

/** The adapter, and the two connections it rides on. */
export interface RedisClusterLink {
  adapter: ReturnType<typeof createAdapter>;
  /** Whether both the publisher and the subscriber are connected (readiness, metrics). */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * The Socket.IO Redis adapter (pub/sub): broadcasts, room changes and fetchSockets reach every
 * node. The adapter does not await its Redis calls, and an unhandled rejection would end the
 * process, so failed publishes and (un)subscriptions are logged here instead: while Redis is
 * away, events meant for other nodes are lost, local sockets keep being served, and delivery
 * resumes when it returns. The subscriber queues its subscriptions until connected and renews
 * them after every reconnect; the publisher fails fast.
 */
export function redisClusterAdapter(redis: Redis, keyPrefix: string): RedisClusterLink {
  const pub = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = subscriberOf(redis);
  logFailures(pub, ['publish'], 'event not sent to other nodes');
  logFailures(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'], 'subscription');
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => logger.error(`redis: ${error.message}`));
  }
  let closed: Promise<void> | undefined;
  return {
    adapter: createAdapter(pub, sub, { key: `${keyPrefix}socket.io` }),
    connected: () => pub.status === 'ready' && sub.status === 'ready',
    // Called once per namespace when the app closes; the clients are shared, so quit once.
    close: () => (closed ??= Promise.all([pub, sub].map(quit)).then(() => undefined)),
  };
}

/**
 * A connection for SUBSCRIBE only: it queues subscriptions until connected and renews them after
 * every reconnect. Without the ready check: ioredis 5 sends its INFO after a SUBSCRIBE issued
 * while the connection is being set up (Nest creates namespaces then), the server refuses it in
 * subscriber mode, and ioredis reconnects without the subscriptions, so the node never hears
 * the others again (redis/ioredis#2037). SUBSCRIBE needs no ready check anyway.
 */
export function subscriberOf(redis: Redis): Redis {
  return redis.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    // Its subscriptions wait in the queue for as long as Redis is away; they must not time out.
    commandTimeout: undefined,
    socketTimeout: undefined,
    // The main connection's false would drop, unanswered, SUBSCRIBEs a reconnect sent and a close
    // cut short: ioredis knows a channel only once Redis confirmed it, so nothing would
    // subscribe again and the node would stop hearing the others (redis/ioredis#2193).
    autoResendUnfulfilledCommands: true,
  });
}

type Method = 'publish' | 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe';

/**
 * Makes `methods` of `client` resolve (with 0) and log instead of rejecting: the first failure at
 * once, then how many more failed, once per FAILURE_SUMMARY_MS, so an outage under load does
 * not flood the log.
 */
function logFailures(client: Redis, methods: Method[], what: string): void {
  let unreported = 0;
  let summary: NodeJS.Timeout | undefined;
  const failed = (error: unknown): void => {
    if (client.status === 'end') return;
    if (summary) {
      unreported += 1;
      return;
    }
    logger.warn(`${what} failed: ${String(error)}`);
    summary = setInterval(() => {
      if (unreported === 0) {
        clearInterval(summary);
        summary = undefined;
        return;
      }
      logger.warn(`${what} failed ${unreported} more times in ${FAILURE_SUMMARY_MS / 1000} s`);
      unreported = 0;
    }, FAILURE_SUMMARY_MS).unref();
  };
  for (const method of methods) {
    const original = (Redis.prototype[method] as (...args: unknown[]) => Promise<unknown>).bind(
      client,
    );
    (client as unknown as Record<Method, unknown>)[method] = (...args: unknown[]) =>
      original(...args).catch((error: unknown) => {
        failed(error);
        return 0;
      });
  }
}

/** QUIT when connected (pending replies arrive first), else drop the connection at once. */
async function quit(client: Redis): Promise<void> {
  if (client.status !== 'ready') return client.disconnect();
  const timer = new Promise<void>((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS).unref());
  await Promise.race([client.quit().then(undefined, () => undefined), timer]);
  client.disconnect();
}
