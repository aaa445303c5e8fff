import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { RedisClusterLink } from '../realtime/redis-cluster.adapter.js';
import { probeRedis } from '../redis/redis-probe.js';
import { REDIS, REDIS_CLUSTER } from '../redis/redis.tokens.js';
import { METRICS_PREFIX, MetricsRegistry } from './metrics.registry.js';
import { UpProbe } from './up-probe.js';

/** How long a scrape waits for Redis to answer before reporting it down. */
export const REDIS_PROBE_TIMEOUT_MS = 1000;

/** `redis_up`, only when REDIS_URL is set: whether Redis answers PING at scrape time. */
@Injectable()
export class RedisMetrics {
  constructor(
    registry: MetricsRegistry,
    @Inject(REDIS) redis: Redis | null,
    @Inject(REDIS_CLUSTER) cluster: RedisClusterLink | null,
  ) {
    if (!redis) return;
    const probe = new UpProbe(() => probeRedis(redis, cluster), REDIS_PROBE_TIMEOUT_MS);
    const up: Gauge = new Gauge({
      name: `${METRICS_PREFIX}redis_up`,
      help: `1 if Redis answered PING within ${REDIS_PROBE_TIMEOUT_MS} ms at scrape time and the Socket.IO adapter's connections are up, else 0.`,
      registers: [registry],
      collect: async () => up.set(await probe.check()),
    });
  }
}
