import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckAttempt, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { RedisClusterLink } from '../realtime/redis-cluster.adapter.js';
import { probeRedis } from './redis-probe.js';
import { REDIS, REDIS_CLUSTER } from './redis.tokens.js';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(REDIS_CLUSTER) private readonly cluster: RedisClusterLink | null,
  ) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  check<Key extends string>(key: Key, timeoutMs: number): HealthCheckAttempt<Key> {
    return this.indicator
      .check(key)
      .attempt(() => probeRedis(this.redis!, this.cluster))
      .withTimeout(timeoutMs);
  }
}
