import type { ErrorCode } from '../common/errors/error-code.js';
import type { ConnectErrorData } from './events.js';

/** What a namespace middleware passes to `next`: the client's `connect_error`, with `data`. */
export function handshakeRefusal(
  code: ErrorCode,
  message: string,
  extra: Omit<ConnectErrorData, 'code'> = {},
): Error & { data: ConnectErrorData } {
  return Object.assign(new Error(message), { data: { code, ...extra } });
}
