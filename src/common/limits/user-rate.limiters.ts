import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { LimitMetrics, type LimitName } from '../../metrics/limit.metrics.js';
import { rateLimited } from './rate-limited.js';
import { KeyedRateLimiter, type RateLimit } from './token-bucket.js';

/**
 * One token bucket per user in this node's memory (with N nodes a user spread over them gets up
 * to N×), for actions that every other member of a chat hears about.
 */
abstract class UserRateLimiter {
  private readonly buckets: KeyedRateLimiter | null;

  protected constructor(
    limit: RateLimit | null,
    private readonly metrics: LimitMetrics,
    private readonly name: LimitName,
    private readonly message: string,
  ) {
    this.buckets = limit ? new KeyedRateLimiter(limit) : null;
  }

  /** Takes one action from the user's bucket, or throws RATE_LIMITED. */
  take(userId: string): void {
    const wait = this.buckets?.take(userId) ?? 0;
    if (wait <= 0) return;
    this.metrics.refused(this.name);
    throw rateLimited(wait, this.message);
  }
}

/**
 * Message writes per user (`LIMIT_MESSAGES_*`): sends on every namespace and over REST, edits,
 * deletes and reactions, in one bucket.
 */
@Injectable()
export class MessageRateLimiter extends UserRateLimiter {
  constructor(config: AppConfig, metrics: LimitMetrics) {
    super(config.limits.messages, metrics, 'message_rate', 'too many messages, slow down');
  }
}

/**
 * Chats a user creates (`LIMIT_CHATS_PER_MINUTE`): createChat and its REST route, and the chats
 * that come with an order or a dispute. Each tells every member (`chatCreated`, with the member
 * list), so a user adding hundreds of others to chat after chat would otherwise be limited only
 * by the request rates.
 */
@Injectable()
export class ChatCreationLimiter extends UserRateLimiter {
  constructor(config: AppConfig, metrics: LimitMetrics) {
    super(config.limits.chats, metrics, 'chat_rate', 'too many chats created, slow down');
  }
}
