import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RealtimeMetrics } from '../../metrics/realtime.metrics.js';

/**
 * Counts each event as it reaches its handler's enhancers, and lets it through. It is a guard
 * because guards are the first thing Nest runs per event: placed before WsJwtGuard, it also
 * counts the events that guard refuses.
 */
@Injectable()
export class WsMetricsGuard implements CanActivate {
  constructor(private readonly metrics: RealtimeMetrics) {}

  canActivate(context: ExecutionContext): true {
    this.metrics.receive(this.metrics.seriesOf(context));
    return true;
  }
}
