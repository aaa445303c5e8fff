import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckAttempt, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS } from './redis.tokens.js';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  check<Key extends string>(key: Key, timeoutMs: number): HealthCheckAttempt<Key> {
    return this.indicator
      .check(key)
      .attempt(async () => {
        await this.redis!.ping();
      })
      .withTimeout(timeoutMs);
  }
}
