import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable, tap } from 'rxjs';
import { RealtimeMetrics } from '../../metrics/realtime.metrics.js';

export interface AckOk<T> {
  ok: true;
  data: T;
}

/**
 * Wraps a handler's return value in the acknowledgement envelope `{ ok: true, data }`, and times
 * the handler for metrics (failures are counted by WsExceptionFilter).
 */
@Injectable()
export class WsAckInterceptor implements NestInterceptor {
  constructor(private readonly metrics: RealtimeMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<AckOk<unknown>> {
    const series = this.metrics.seriesOf(context);
    const startedAt = performance.now();
    return next.handle().pipe(
      map((data: unknown) => {
        this.metrics.answerOk(series, startedAt);
        return { ok: true as const, data: data ?? {} };
      }),
      tap({ error: () => this.metrics.timeFailure(series, startedAt) }),
    );
  }
}
