import { describe, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisStateStore } from './redis-state.store.js';
import { describeStateStore } from './state-store.contract.js';

// The same suite as the memory store, against the Redis at REDIS_URL (.ci/run sets it).
const url = process.env.REDIS_URL;
if (url) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  describeStateStore(
    'redis',
    () => new RedisStateStore(redis),
    async () => void (await redis.quit()),
  );
} else {
  console.warn('redis state store suite SKIPPED: it needs Redis (set REDIS_URL); .ci/run sets it.');
  describe.skip('redis state store', () => it('needs REDIS_URL', () => undefined));
}
