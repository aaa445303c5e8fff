import { Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { REDIS } from '../redis/redis.tokens.js';
import { MemoryStateStore } from './memory-state.store.js';
import { NodeMemberships } from './node-memberships.js';
import { RedisStateStore } from './redis-state.store.js';
import { StateStore } from './state-store.js';

/** The shared state store: Redis when REDIS_URL is set, this node's memory otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: StateStore,
      inject: [REDIS, AppConfig],
      useFactory: (redis: Redis | null, config: AppConfig): StateStore =>
        redis ? new RedisStateStore(redis, config.redisKeyPrefix) : new MemoryStateStore(),
    },
    NodeMemberships,
  ],
  exports: [StateStore, NodeMemberships],
})
export class StateModule {}
