import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { toErrorBody } from '../errors/error-body.js';
import type { Reply } from './ws-answer.js';

/**
 * Every failure of a socket handler, guard or pipe leaves through here, as `{ ok: false, error }`
 * through the adapter's reply (handler arguments are socket, data, reply, event).
 */
@Catch()
export class WsExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    host.getArgByIndex<Reply>(2)({ ok: false, error: toErrorBody(exception) });
  }
}
