import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Actor } from '../auth/actor.js';
import type { AppSocket } from './app-socket.js';

/** The authenticated user of the socket, with the socket as the request's origin. */
export const WsActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const socket = context.switchToWs().getClient<AppSocket>();
  const { id, name, role } = socket.data.user!;
  return { id, name, role, origin: socket.id };
});
