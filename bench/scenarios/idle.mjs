/**
 * idle: a ramp of authenticated sockets (one user each, connecting at a fixed offered rate from
 * 127.0.0.2…17) to the target count; memory per socket is the growth of the server's RSS over
 * the ramp, divided by the sockets, after a settling pause. The raw server gets the same ramp
 * afterwards, for comparison.
 */
import { sleep } from '../lib/clock.mjs';
import { insertUsers, userIds } from '../lib/fixtures.mjs';
import { closeGroup, connectGroup } from '../lib/groups.mjs';
import { measured } from '../lib/measure.mjs';
import { rssBytes } from '../lib/proc.mjs';
import { cores, int, ms, table } from '../lib/report.mjs';

/** @param {{ smoke: boolean, args: Record<string, any>, files: number }} o */
export function params({ smoke, args, files }) {
  const wanted = Number(args['idle-sockets'] ?? (smoke ? 200 : 20_000));
  // Each socket is a file descriptor in the server; keep a margin for everything else.
  const sockets = Math.min(wanted, Math.max(100, files - 300));
  return {
    sockets,
    capped: sockets < wanted ? `open files limit ${files}` : null,
    // Offered connections per second: at 1000/s a 2-core machine running the app, PostgreSQL and
    // the generators falls behind within seconds (handshakes time out); 250/s it sustains.
    rate: Number(args['idle-rate'] ?? (smoke ? 400 : 250)),
    progressEvery: smoke ? 50 : 500,
    settleMs: smoke ? 500 : 5000,
  };
}

/** @param {import('../lib/fixtures.mjs').Db} db @param {ReturnType<typeof params>} p @param {{ runId: string }} o */
export async function prepare(db, p, { runId }) {
  const ids = userIds(runId, 'idle', p.sockets);
  await insertUsers(db, ids);
  return { users: ids.map((id) => ({ id, role: 'CLIENT' })) };
}

/**
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {{ users: import('../lib/fixtures.mjs').BenchUser[] }} fixtures
 */
export async function run(ctx, p, fixtures) {
  if (p.capped) ctx.log(`[idle] capped at ${p.sockets} sockets by the ${p.capped}`);
  /** @type {Record<string, any>} */
  const byTarget = {};
  for (const target of /** @type {const} */ (['nest', 'raw'])) {
    const server = ctx.servers[target];
    await sleep(1000);
    const rssBefore = rssBytes(server.pid) ?? 0;
    const name = `${target}:idle`;
    // One open-loop ramp over all sockets (chunks would pause the offered rate between them);
    // the workers report progress as they go.
    /** @type {Record<number, { done: number, failed: number }>} */
    const progress = {};
    let printedAt = 0;
    ctx.pool.onProgress = (w, message) => {
      progress[w] = message;
      if (Date.now() - printedAt < 2000) return;
      printedAt = Date.now();
      const done = Object.values(progress).reduce((n, m) => n + m.done, 0);
      const failedSoFar = Object.values(progress).reduce((n, m) => n + m.failed, 0);
      ctx.log(
        `[idle] ${target} ${done - failedSoFar} of ${fixtures.users.length} sockets connected (${failedSoFar} failed), rss ${int((rssBytes(server.pid) ?? 0) / 1048576)} MB`,
      );
    };
    const { result: group, resources: rampResources } = await measured(ctx, target, () =>
      connectGroup(ctx, {
        target,
        name,
        users: fixtures.users,
        rate: p.rate,
        concurrency: 2000,
        progressEvery: p.progressEvery,
      }),
    );
    ctx.pool.onProgress = null;
    const { connected, failed, workers } = group;
    ctx.log(
      `[idle] ${target} ${connected} sockets (${failed} failed) in ${group.seconds.toFixed(1)} s, handshake p50 ${ms(group.handshake.p50)} p99 ${ms(group.handshake.p99)} ms`,
    );
    const { resources: idleResources } = await measured(ctx, target, () => sleep(p.settleMs));
    const rssAfter = rssBytes(server.pid) ?? 0;
    const handshake = group.handshake;
    byTarget[target] = {
      sockets: connected,
      failed,
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
      bytesPerSocket: connected ? (rssAfter - rssBefore) / connected : null,
      handshake,
      startLagP99Ms: group.startLag.p99,
      ramp: rampResources,
      idle: idleResources,
    };
    await closeGroup(ctx, { name, target, workers, connected });
  }
  const nest = byTarget.nest;
  const kb = (/** @type {number | null} */ b) => (b === null ? '—' : (b / 1024).toFixed(1));
  return {
    key: nest.bytesPerSocket ?? Infinity,
    better: 'lower',
    headline: `idle: ${nest.sockets} sockets, ${kb(nest.bytesPerSocket)} KB RSS each, handshake p99 ${ms(nest.handshake.p99)} ms`,
    table: table(
      [
        'target',
        'sockets',
        'failed',
        'KB/socket',
        'RSS MB',
        'hs p50',
        'hs p99',
        'hs max',
        'gen lag p99',
        'ramp cpu',
        'pg cpu',
        'idle cpu',
        'idle eld p99',
      ],
      Object.entries(byTarget).map(([target, r]) => [
        target,
        int(r.sockets),
        int(r.failed),
        kb(r.bytesPerSocket),
        int(r.rssAfterBytes / 1048576),
        ms(r.handshake.p50),
        ms(r.handshake.p99),
        ms(r.handshake.max),
        ms(r.startLagP99Ms),
        cores(r.ramp.serverCpu),
        cores(r.ramp.pgCpu),
        cores(r.idle.serverCpu),
        ms(r.idle.eldP99Ms),
      ]),
    ),
    figures: { byTarget, rate: p.rate, capped: p.capped },
    note: `${p.sockets} sockets offered at ${p.rate}/s; KB/socket = RSS growth / sockets after ${p.settleMs / 1000} s; ramp cpu during the ramp, idle cpu and eld after it`,
  };
}
