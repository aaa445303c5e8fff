import { createTestApp, type TestApp } from './create-test-app.js';
import { TcpProxy } from './tcp-proxy.js';

import { proxyTo } from './needs.js';

export { describeNeeding, proxyTo, type Service } from './needs.js';

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
