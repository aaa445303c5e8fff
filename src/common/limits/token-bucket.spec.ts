import { describe, expect, it } from '@jest/globals';
import { KeyedRateLimiter, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(500);
    expect(bucket.take(200)).toBe(300);
  });

  it('refills at the sustained rate and never above the burst', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBe(100);
    expect(bucket.isFull(10_000)).toBe(true);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([0, 0, 100]);
  });

  it('takes nothing for a refused action', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 0);
    bucket.take(0);
    for (let i = 0; i < 10; i += 1) bucket.take(0);
    expect(bucket.take(1000)).toBe(0);
  });

  it('takes a refunded token back, never above the burst', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 2 }, 0);
    expect([bucket.take(0), bucket.take(0)]).toEqual([0, 0]);
    bucket.refund();
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBeGreaterThan(0);
    const full = new TokenBucket({ perSecond: 1, burst: 1 }, 0);
    full.refund();
    expect([full.take(0), full.take(0) > 0]).toEqual([0, true]);
  });

  it('answers at least 1 ms when refusing, however fast the refill', () => {
    const bucket = new TokenBucket({ perSecond: 1_000_000, burst: 1 }, 0);
    bucket.take(0);
    expect(bucket.take(0)).toBe(1);
  });

  it('does not go backwards when the clock does', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 1000);
    bucket.take(1000);
    expect(bucket.take(0)).toBeGreaterThan(0);
    expect(bucket.take(2000)).toBe(0);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps one bucket per key', () => {
    const limiter = new KeyedRateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1000);
    expect(limiter.take('b', 0)).toBe(0);
  });

  it('forgets full buckets a few per call and keeps the others', () => {
    const limiter = new KeyedRateLimiter({ perSecond: 1, burst: 100 }, 1000, 2);
    for (let i = 0; i < 50; i += 1) limiter.take(`once-${i}`, 0);
    for (let i = 0; i < 100; i += 1) limiter.take('busy', 0);
    expect(limiter.size).toBe(51);
    limiter.take('busy', 1000);
    expect(limiter.size).toBeGreaterThan(1);
    for (let i = 0; i < 30; i += 1) limiter.take('busy', 1000);
    expect(limiter.size).toBe(1);
    expect(limiter.take('busy', 1000)).toBeGreaterThan(0);
  });

  it('never holds more than maxKeys keys, however many it sees', () => {
    const limiter = new KeyedRateLimiter({ perSecond: 0.001, burst: 1 }, 100);
    for (let i = 0; i < 10_000; i += 1) limiter.take(`key-${i}`, 0);
    expect(limiter.size).toBe(100);
  });

  it('forgets the least recently used key at the cap and keeps limiting the others', () => {
    const limiter = new KeyedRateLimiter({ perSecond: 0.001, burst: 1 }, 3);
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key, 0)).toBe(0);
    expect(limiter.take('a', 0)).toBeGreaterThan(0);
    expect(limiter.take('d', 0)).toBe(0);
    expect(limiter.size).toBe(3);
    expect(limiter.take('a', 0)).toBeGreaterThan(0);
    expect(limiter.take('c', 0)).toBeGreaterThan(0);
    expect(limiter.take('d', 0)).toBeGreaterThan(0);
    expect(limiter.take('b', 0)).toBe(0);
  });
});
