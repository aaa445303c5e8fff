/**
 * Child process of bench/lib/db.mjs: migrations, then each scenario's `prepare(db, params)`.
 * Progress and results go back over IPC.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './servers.mjs';

/** @param {string} text */
const log = (text) => process.send?.({ type: 'progress', text });

process.once('message', (/** @type {any} */ message) => {
  run(message).then(
    (fixtures) => {
      process.send?.({ type: 'done', fixtures }, () => process.exit(0));
    },
    (error) => {
      process.send?.({ type: 'failed', error: String(error?.stack ?? error) }, () =>
        process.exit(1),
      );
    },
  );
});

/** @param {{ tasks: { key: string, scenario: string, params: object, runId: string }[] }} message */
async function run({ tasks }) {
  const { default: dataSource } = await import(
    pathToFileURL(join(ROOT, 'dist', 'ormconfig.js')).href
  );
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    const migrated = await dataSource.runMigrations({ transaction: 'each' });
    if (migrated.length)
      log(`migrations: ${migrated.map((/** @type {any} */ m) => m.name).join(', ')}`);
    await runner.connect();
    /** @type {import('./fixtures.mjs').Db} */
    const db = {
      query: async (sql, params) => (await runner.query(sql, params, true)).records,
    };
    /** @type {Record<string, unknown>} */
    const fixtures = {};
    for (const { key, scenario, params, runId } of tasks) {
      const module = await import(
        pathToFileURL(join(ROOT, 'bench', 'scenarios', `${scenario}.mjs`)).href
      );
      fixtures[key] = module.prepare ? await module.prepare(db, params, { runId, log }) : null;
    }
    // Fresh statistics and no dead rows, as autovacuum would keep them in production. A server
    // with autovacuum off (this machine's is) otherwise plans on defaults, e.g. a sequential
    // scan of chat_members for every client coming online (12 ms instead of 0.06 ms), and scans
    // the dead rows earlier runs left (33 ms for an empty message_reactions after 100k deleted).
    const vacuumed = Date.now();
    await db.query('VACUUM (ANALYZE)');
    log(
      `dead rows removed, statistics refreshed (VACUUM ANALYZE, ${((Date.now() - vacuumed) / 1000).toFixed(1)} s)`,
    );
    return fixtures;
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}
