import type { Redis } from 'ioredis';
import type { RedisClusterLink } from '../realtime/redis-cluster.adapter.js';

/**
 * Resolves when Redis answers PING on the shared connection and the adapter's publisher and
 * subscriber are connected too: a node whose adapter lost Redis is deaf to the other nodes,
 * whatever its main connection says.
 */
export async function probeRedis(redis: Redis, cluster: RedisClusterLink | null): Promise<void> {
  await redis.ping();
  if (cluster && !cluster.connected()) {
    throw new Error('the Socket.IO Redis adapter is not connected');
  }
}
