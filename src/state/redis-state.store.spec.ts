import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
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

  describe('redis state store, when Redis goes away', () => {
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    let client: Redis | undefined;
    afterAll(async () => {
      client?.disconnect();
      await proxy.stop();
    });

    it('tells its listeners when Redis can be reached again, and only then', async () => {
      await proxy.start();
      const viaProxy = new URL(url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      client = new Redis(viaProxy.toString(), {
        maxRetriesPerRequest: 1,
        retryStrategy: () => 50,
      });
      client.on('error', () => undefined);
      const store = new RedisStateStore(client);
      let restored = 0;
      store.onRestored(() => restored++);
      await until(() => client?.status === 'ready');
      expect(restored).toBe(0);
      await proxy.stop();
      await until(() => client?.status !== 'ready');
      await proxy.start();
      await until(() => restored === 1);
      expect(client.status).toBe('ready');
    });
  });
} else {
  console.warn('redis state store suite SKIPPED: it needs Redis (set REDIS_URL); .ci/run sets it.');
  describe.skip('redis state store', () => it('needs REDIS_URL', () => undefined));
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
