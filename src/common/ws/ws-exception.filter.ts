import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { toErrorBody } from '../errors/error-body.js';
import { ServerEvent } from '../../realtime/events.js';
import { RealtimeMetrics } from '../../metrics/realtime.metrics.js';

/**
 * Every failure of a socket handler, guard or pipe leaves through here: as `{ ok: false, error }`
 * on the acknowledgement, or, when the client sent no callback, as an `error` event.
 */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  constructor(private readonly metrics: RealtimeMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const error = toErrorBody(exception);
    this.metrics.answerError(this.metrics.seriesOf(host), error.code);
    // Handler arguments are (socket, data, ack?, pattern): the ack is there only if sent.
    const ack = host.getArgByIndex<unknown>(2);
    if (typeof ack === 'function') {
      (ack as (response: unknown) => void)({ ok: false, error });
      return;
    }
    const ws = host.switchToWs();
    ws.getClient<Socket>().emit(ServerEvent.Error, { event: ws.getPattern(), ...error });
  }
}
