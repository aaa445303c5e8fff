import { applyDecorators, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { AppValidationPipe } from '../validation/validation.pipe.js';
import { WsExceptionFilter } from './ws-exception.filter.js';
import { WsJwtGuard } from './ws-jwt.guard.js';

/**
 * A Socket.IO gateway on `namespace` with the socket convention: JWT re-check, validation and
 * error mapping. Nest applies no global filter to gateways (Nest 12 does apply global pipes and
 * guards), so every gateway uses this decorator (gateway-conventions.spec.ts fails for one that
 * does not); the socket dispatcher runs the validation pipe once, though Nest lists it twice
 * (ws-dispatch.ts, ONCE_PER_PARAMETER). The ack envelope and the
 * event metrics are the socket adapter's (AuthenticatedIoAdapter), for every handler: they cost
 * no Nest interceptor (an rxjs pipeline per event).
 */
export function RealtimeGateway(namespace: string): ClassDecorator {
  return applyDecorators(
    WebSocketGateway({ namespace }),
    UseGuards(WsJwtGuard),
    UsePipes(AppValidationPipe),
    UseFilters(WsExceptionFilter),
  );
}
