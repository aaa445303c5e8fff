import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's address. With `trustedProxies` = 0 the peer's. Behind N trusted proxies that each
 * append their peer to `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`), the Nth address
 * from the right: what the outermost trusted proxy saw. Addresses left of it are whatever the
 * client sent, so they are never read. Anything but an IP address there falls back to the peer.
 */
export function clientIp(
  remoteAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trustedProxies: number,
): string {
  const peer = remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const header = headers['x-forwarded-for'];
  if (!header) return peer;
  // Repeated headers are one list, in order (Node joins them with ', ' already for this one).
  const hops = (Array.isArray(header) ? header.join(',') : header).split(',');
  const candidate = hops[hops.length - trustedProxies]?.trim();
  return candidate && isIP(candidate) !== 0 ? candidate : peer;
}
