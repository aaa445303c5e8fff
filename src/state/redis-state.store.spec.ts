import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeNeeding, proxyTo } from '../../test/support/needs.js';
import type { TcpProxy } from '../../test/support/tcp-proxy.js';
import { RedisStateStore } from './redis-state.store.js';
import { describeStateStore } from './state-store.contract.js';

// The same suite as the memory store, against the Redis at REDIS_URL (.ci/run sets it).
describeNeeding('redis state store', ['Redis'])('redis state store', () => {
  const url = process.env.REDIS_URL!;
  let redis: Redis | undefined;
  describeStateStore(
    'redis',
    () => new RedisStateStore((redis ??= new Redis(url, { maxRetriesPerRequest: 1 }))),
    async () => void (await redis?.quit()),
  );

  describe('redis state store, when Redis goes away', () => {
    let proxy: TcpProxy | undefined;
    let client: Redis | undefined;
    afterAll(async () => {
      client?.disconnect();
      await proxy?.stop();
    });

    it('tells its listeners when Redis can be reached again, and only then', async () => {
      const via = await proxyTo(url);
      proxy = via.proxy;
      client = new Redis(via.url, {
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
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
