import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';

export interface AckOk<T> {
  ok: true;
  data: T;
}

/** Wraps a handler's return value in the acknowledgement envelope `{ ok: true, data }`. */
@Injectable()
export class WsAckInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<AckOk<unknown>> {
    return next.handle().pipe(map((data: unknown) => ({ ok: true as const, data: data ?? {} })));
  }
}
