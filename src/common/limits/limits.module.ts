import { Global, Module } from '@nestjs/common';
import { MessageRateGuard } from './message-rate.guard.js';
import { ChatCreationLimiter, MessageRateLimiter } from './user-rate.limiters.js';

/**
 * The per-user message rate, for @LimitMessageRate on socket and REST handlers, and the chat
 * creation rate, which ChatService takes from as it makes a chat. (The REST rate guard sits in
 * the global guard chain, in AuthModule, right after authentication.)
 */
@Global()
@Module({
  providers: [MessageRateLimiter, MessageRateGuard, ChatCreationLimiter],
  exports: [MessageRateLimiter, MessageRateGuard, ChatCreationLimiter],
})
export class LimitsModule {}
