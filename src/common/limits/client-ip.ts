import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client's address: the peer's, or with `trustProxy` (a proxy such as nginx in front, which
 * sets the header) the first address of `X-Forwarded-For`.
 */
export function clientIp(
  remoteAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const forwarded = headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return remoteAddress ?? 'unknown';
}
