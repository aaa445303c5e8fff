import { applyDecorators, UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { AppValidationPipe } from '../validation/validation.pipe.js';
import { WsAckInterceptor } from './ws-ack.interceptor.js';
import { WsExceptionFilter } from './ws-exception.filter.js';
import { WsJwtGuard } from './ws-jwt.guard.js';
import { WsMetricsGuard } from './ws-metrics.guard.js';

/**
 * A Socket.IO gateway on `namespace` with the whole socket convention: event metrics, JWT
 * re-check, validation, ack envelope and error mapping. Nest applies no global enhancers to
 * gateways, so every gateway uses this decorator (gateway-conventions.spec.ts fails for one that
 * does not).
 */
export function RealtimeGateway(namespace: string): ClassDecorator {
  return applyDecorators(
    WebSocketGateway({ namespace }),
    // WsMetricsGuard first: it counts every event, those WsJwtGuard refuses included.
    UseGuards(WsMetricsGuard, WsJwtGuard),
    UsePipes(AppValidationPipe),
    UseInterceptors(WsAckInterceptor),
    UseFilters(WsExceptionFilter),
  );
}
