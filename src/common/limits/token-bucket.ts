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

  /** Gives back a token taken for an action another limit then refused. */
  refund(): void {
    this.tokens = Math.min(this.limit.burst, this.tokens + 1);
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
 * One token bucket per key (user, IP address), in memory, at most `maxKeys` of them. Each `take()`
 * looks at `sweepStep` more buckets and forgets the full ones, so keys seen once do not pile up
 * and no call walks the whole map. The map is in least-recently-used order: at the cap the key
 * idle longest is forgotten (it starts again with a full bucket). That fails open for the idlest
 * key rather than refusing keys never seen, which would lock out newcomers whenever someone
 * cycles through more than `maxKeys` addresses.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Where the sweep goes on; Map iterators see entries added after them. */
  private cursor: Iterator<[string, TokenBucket]> | undefined;

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = 100_000,
    private readonly sweepStep = 2,
  ) {}

  /** 0 when `key` may act now, else the milliseconds to wait. */
  take(key: string, now = Date.now()): number {
    this.sweep(now);
    let bucket = this.buckets.get(key);
    if (bucket) {
      // Most recently used last.
      this.buckets.delete(key);
    } else {
      bucket = new TokenBucket(this.limit, now);
      if (this.buckets.size >= this.maxKeys) this.forgetLeastRecentlyUsed();
    }
    this.buckets.set(key, bucket);
    return bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (let i = 0; i < this.sweepStep; i += 1) {
      this.cursor ??= this.buckets.entries();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        return;
      }
      const [key, bucket] = next.value;
      if (bucket.isFull(now)) this.buckets.delete(key);
    }
  }

  private forgetLeastRecentlyUsed(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}
