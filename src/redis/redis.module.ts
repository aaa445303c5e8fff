import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { redisClusterAdapter, type RedisClusterLink } from '../realtime/redis-cluster.adapter.js';
import { REDIS, REDIS_CLUSTER } from './redis.tokens.js';

export { REDIS, REDIS_CLUSTER };

/** One shared Redis connection when REDIS_URL is set (null otherwise). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Redis | null => {
        if (!config.redisUrl) return null;
        const logger = new Logger('Redis');
        const redis = new Redis(config.redisUrl, {
          lazyConnect: false,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          // A command unanswered this long fails (UNAVAILABLE); a connection that receives
          // nothing for twice as long after a write is closed and made again, so a dead path
          // recovers (and the state store announces it is back) rather than waiting for TCP to
          // give up. Twice: a busy event loop must not recycle a healthy connection.
          commandTimeout: config.redisCommandTimeoutMs,
          socketTimeout: 2 * config.redisCommandTimeoutMs,
          // A command that failed was answered UNAVAILABLE: it must not be sent again, late, by
          // the next connection (the renewals after a reconnect put the state back instead).
          autoResendUnfulfilledCommands: false,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        });
        // Without a listener an 'error' event would kill the process when Redis goes away.
        redis.on('error', (error: Error) => logger.error(`redis: ${error.message}`));
        return redis;
      },
    },
    {
      // Closed by the Socket.IO adapter that uses it, or at shutdown here (closing is idempotent).
      provide: REDIS_CLUSTER,
      inject: [REDIS, AppConfig],
      useFactory: (redis: Redis | null, config: AppConfig): RedisClusterLink | null =>
        redis ? redisClusterAdapter(redis, config.redisKeyPrefix) : null,
    },
  ],
  exports: [REDIS, REDIS_CLUSTER],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(REDIS_CLUSTER) private readonly cluster: RedisClusterLink | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
