import type { Redis } from 'ioredis';
import { StateStore } from './state-store.js';

/**
 * The state in Redis, shared by every node. A set is a sorted set scored by each member's expiry,
 * so a member a crashed node added runs out on its own; the key itself expires with its newest
 * member.
 */
export class RedisStateStore extends StateStore {
  private readonly prefix: string;

  /** `keyPrefix` names the deployment (REDIS_KEY_PREFIX); state keys add `rt:` to it. */
  constructor(
    private readonly redis: Redis,
    keyPrefix = '',
  ) {
    super();
    this.prefix = `${keyPrefix}rt:`;
  }

  async addMembers(entries: { key: string; member: string }[], ttlMs: number): Promise<void> {
    if (entries.length === 0) return;
    const until = Date.now() + ttlMs;
    const batch = this.redis.pipeline();
    for (const { key, member } of entries) {
      batch.zadd(this.prefix + key, until, member);
      batch.pexpire(this.prefix + key, ttlMs);
    }
    check(await batch.exec());
  }

  async removeMember(key: string, member: string): Promise<void> {
    await this.redis.zrem(this.prefix + key, member);
  }

  async members(keys: string[]): Promise<string[][]> {
    if (keys.length === 0) return [];
    const now = Date.now();
    const batch = this.redis.pipeline();
    for (const key of keys) {
      batch.zremrangebyscore(this.prefix + key, '-inf', now);
      batch.zrangebyscore(this.prefix + key, `(${now}`, '+inf');
    }
    const results = check(await batch.exec());
    return keys.map((_, i) => results[i * 2 + 1] as string[]);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs) await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
    else await this.redis.set(this.prefix + key, value);
  }

  async get(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.redis.mget(keys.map((key) => this.prefix + key));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async swap(key: string, value: string): Promise<string | null> {
    return this.redis.set(this.prefix + key, value, 'GET');
  }

  onRestored(listener: () => void): void {
    let lost = false;
    this.redis.on('close', () => (lost = true));
    this.redis.on('ready', () => {
      if (!lost) return;
      lost = false;
      listener();
    });
  }
}

/** A pipeline's results, or its first error thrown. */
function check(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('redis pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
