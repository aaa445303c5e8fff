import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { LimitMetrics } from '../../metrics/limit.metrics.js';
import { rateLimited } from './rate-limited.js';
import { KeyedRateLimiter } from './token-bucket.js';

/**
 * Message sends per user, shared by sendMessage on every namespace and the REST posts: one token
 * bucket per user in this node's memory (with N nodes a user spread over them gets up to N×).
 */
@Injectable()
export class MessageRateLimiter {
  private readonly buckets: KeyedRateLimiter | null;

  constructor(
    config: AppConfig,
    private readonly metrics: LimitMetrics,
  ) {
    const limit = config.limits.messages;
    this.buckets = limit ? new KeyedRateLimiter(limit) : null;
  }

  /** Takes one send from the user's bucket, or throws RATE_LIMITED. */
  take(userId: string): void {
    const wait = this.buckets?.take(userId) ?? 0;
    if (wait <= 0) return;
    this.metrics.refused('message_rate');
    throw rateLimited(wait, 'too many messages, slow down');
  }
}
