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
import { summarize } from '../lib/stats.mjs';

/** @param {{ smoke: boolean, args: Record<string, any>, files: number }} o */
export function params({ smoke, args, files }) {
  const wanted = Number(args['idle-sockets'] ?? (smoke ? 200 : 20_000));
  // Each socket is a file descriptor in the server; keep a margin for everything else.
  const sockets = Math.min(wanted, Math.max(100, files - 300));
  return {
    sockets,
    capped: sockets < wanted ? `open files limit ${files}` : null,
    rate: smoke ? 400 : 1000,
    chunk: smoke ? 100 : 2500,
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
    /** @type {Float64Array[]} */
    const handshakes = [];
    let connected = 0;
    let failed = 0;
    const name = `${target}:idle`;
    /** @type {number[]} */
    const workers = [];
    const { resources: rampResources } = await measured(ctx, target, async () => {
      for (let from = 0; from < fixtures.users.length; from += p.chunk) {
        const part = fixtures.users.slice(from, from + p.chunk);
        const group = await connectGroup(ctx, {
          target,
          name,
          users: part,
          rate: p.rate,
          concurrency: 2000,
        });
        for (const w of group.workers) if (!workers.includes(w)) workers.push(w);
        connected += group.connected;
        failed += group.failed;
        handshakes.push(...group.samples);
        ctx.log(
          `[idle] ${target} ${connected} sockets (${failed} failed), handshake p99 of the last ${part.length}: ${ms(group.handshake.p99)} ms, rss ${int((rssBytes(server.pid) ?? 0) / 1048576)} MB`,
        );
      }
    });
    const { resources: idleResources } = await measured(ctx, target, () => sleep(p.settleMs));
    const rssAfter = rssBytes(server.pid) ?? 0;
    const handshake = summarize(handshakes);
    byTarget[target] = {
      sockets: connected,
      failed,
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
      bytesPerSocket: connected ? (rssAfter - rssBefore) / connected : null,
      handshake,
      ramp: rampResources,
      idle: idleResources,
    };
    await closeGroup(ctx, { name, target, workers, connected });
  }
  const nest = byTarget.nest;
  const kb = (/** @type {number | null} */ b) => (b === null ? '—' : (b / 1024).toFixed(1));
  return {
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
        cores(r.ramp.serverCpu),
        cores(r.ramp.pgCpu),
        cores(r.idle.serverCpu),
        ms(r.idle.eldP99Ms),
      ]),
    ),
    figures: { byTarget, rate: p.rate, capped: p.capped },
    note: `${p.sockets} sockets offered at ${p.rate}/s in chunks of ${p.chunk}; KB/socket = RSS growth / sockets after ${p.settleMs / 1000} s; ramp cpu during the ramp, idle cpu and eld after it`,
  };
}
