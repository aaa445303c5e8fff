import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { AppSocket } from './app-socket.js';

/** The authenticated user of the socket that sent the event. */
export const WsUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser =>
    context.switchToWs().getClient<AppSocket>().data.user as AuthUser,
);
