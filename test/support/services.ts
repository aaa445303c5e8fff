import { describe } from '@jest/globals';
import { createTestApp, type TestApp } from './create-test-app.js';
import { TcpProxy } from './tcp-proxy.js';

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

/**
 * A test app on its own PostgreSQL database, reached only through a proxy the test can cut (the
 * database is created and migrated directly first). `close` restores the proxy, then stops both.
 */
export async function createTestAppBehindDatabaseProxy(): Promise<{
  t: TestApp;
  proxy: TcpProxy;
  close: () => Promise<void>;
}> {
  const direct = await createTestApp();
  await direct.close({ keepData: true });
  const { proxy, url } = await proxyTo(direct.databaseUrl!);
  const t = await createTestApp({ reuse: direct, env: { DATABASE_URL: url } });
  return {
    t,
    proxy,
    close: async () => {
      await proxy.start().catch(() => undefined);
      await t.close();
      await proxy.stop();
    },
  };
}
