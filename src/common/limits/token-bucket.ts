/** `burst` tokens at most, refilled at `perSecond`; each allowed action takes one. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * A token bucket. `take()` answers 0 when the action may go (and takes a token), otherwise how
 * many milliseconds until a token is back; a refused action takes nothing.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limit: RateLimit,
    now = Date.now(),
  ) {
    this.tokens = limit.burst;
    this.at = now;
  }

  take(now = Date.now()): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond));
  }

  /** Full again: forgetting the bucket changes nothing. */
  isFull(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.limit.burst;
  }

  private refill(now: number): void {
    if (now <= this.at) return;
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + ((now - this.at) * this.limit.perSecond) / 1000,
    );
    this.at = now;
  }
}

/**
 * One token bucket per key (user, IP address), in memory. Full buckets are forgotten in a sweep
 * at most once per `sweepMs`, so keys seen once do not pile up.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweptAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly sweepMs = 60_000,
    now = Date.now(),
  ) {
    this.sweptAt = now;
  }

  /** 0 when `key` may act now, else the milliseconds to wait. */
  take(key: string, now = Date.now()): number {
    if (now - this.sweptAt >= this.sweepMs) this.sweep(now);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.limit, now)));
    return bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }
}
