import { describe } from '@jest/globals';
import { TcpProxy } from './tcp-proxy.js';

// What a suite needs from outside the process. No app in here: unit specs import it too.

export type Service = 'PostgreSQL' | 'Redis';

const configured: Record<Service, string | undefined> = {
  PostgreSQL: process.env.DATABASE_URL,
  Redis: process.env.REDIS_URL,
};
const variable: Record<Service, string> = { PostgreSQL: 'DATABASE_URL', Redis: 'REDIS_URL' };

/**
 * `describe` when every service a suite needs is configured, else `describe.skip` with a warning
 * that says why (.ci/run configures both, so CI never skips).
 */
export function describeNeeding(suite: string, services: Service[]): typeof describe.skip {
  const missing = services.filter((s) => !configured[s]);
  if (missing.length === 0) return describe;
  const needs = services.map((s) => `${s} (${variable[s]})`).join(' and ');
  console.warn(`${suite} suite SKIPPED: it needs ${needs}; .ci/run sets them.`);
  return describe.skip;
}

/** A started proxy to the server of `url`, and `url` rewritten to go through it. */
export async function proxyTo(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(url);
  const defaultPort = target.protocol.startsWith('redis') ? 6379 : 5432;
  const proxy = new TcpProxy(target.hostname, Number(target.port || defaultPort));
  await proxy.start();
  const via = new URL(target);
  via.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: via.toString() };
}
