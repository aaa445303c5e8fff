import { CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { AppSocket } from '../ws/app-socket.js';
import { MessageRateLimiter } from './user-rate.limiters.js';

/**
 * Refuses a message send over the user's rate before validation or any database work, so a
 * refused send writes nothing. Runs after authentication (socket or REST), which sets the user.
 */
@Injectable()
export class MessageRateGuard implements CanActivate {
  constructor(private readonly limiter: MessageRateLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    const user =
      context.getType() === 'ws'
        ? context.switchToWs().getClient<AppSocket>().data.user
        : context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (user) this.limiter.take(user.id);
    return true;
  }
}

/**
 * On every handler that writes to a message, socket or REST: sends, edits, deletes and reactions
 * (each of which is broadcast to the chat).
 */
export const LimitMessageRate = (): MethodDecorator => UseGuards(MessageRateGuard);
