import { Global, Module } from '@nestjs/common';
import { MessageRateGuard } from './message-rate.guard.js';
import { MessageRateLimiter } from './message-rate.limiter.js';

/**
 * The per-user message rate, for @LimitMessageRate on socket and REST handlers. (The REST rate
 * guard sits in the global guard chain, in AuthModule, right after authentication.)
 */
@Global()
@Module({
  providers: [MessageRateLimiter, MessageRateGuard],
  exports: [MessageRateLimiter, MessageRateGuard],
})
export class LimitsModule {}
