/**
 * overhead: an acknowledged event that touches no database (`typing` on a chat the socket has
 * joined: the auth'd socket, metrics and JWT guards, DTO validation and the ack interceptor, then
 * an in-memory typing store) against the raw server's ack handler for the same event, at rising
 * offered rates until p99 passes the SLO.
 */
import { closeGroup, connectGroup, emitEach } from '../lib/groups.mjs';
import { insertDirectChats, insertUsers, userIds } from '../lib/fixtures.mjs';
import { loadStep, ramp, rates, STEP_HEADER, stepCells, stepLine } from '../lib/measure.mjs';
import { cpuSeconds, mainThreadCpuSeconds } from '../lib/proc.mjs';
import { int, round, table } from '../lib/report.mjs';

/** @param {number} n */
const round1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

/** @param {{ smoke: boolean, args: Record<string, any> }} o */
export function params({ smoke }) {
  return smoke
    ? { pairs: 5, rates: [100, 200], warmupMs: 0, costRate: 100, costRounds: 1 }
    : { pairs: 50, rates: rates(1000, 1.5, 14), warmupMs: 3000, costRate: 5000, costRounds: 3 };
}

/** @param {import('../lib/fixtures.mjs').Db} db @param {ReturnType<typeof params>} p @param {{ runId: string }} o */
export async function prepare(db, p, { runId }) {
  const a = userIds(runId, 'ovh-a', p.pairs);
  const b = userIds(runId, 'ovh-b', p.pairs);
  await insertUsers(db, [...a, ...b]);
  const chats = await insertDirectChats(
    db,
    a.map((id, i) => [id, b[i]]),
  );
  return {
    users: chats.flatMap((chatId, i) => [
      { id: a[i], role: 'CLIENT', chatId },
      { id: b[i], role: 'CLIENT', chatId },
    ]),
  };
}

/**
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {{ users: import('../lib/fixtures.mjs').BenchUser[] }} fixtures
 */
export async function run(ctx, p, fixtures) {
  /** @type {Record<string, import('../lib/groups.mjs').Group>} */
  const groups = {};
  for (const target of /** @type {const} */ (['nest', 'raw'])) {
    groups[target] = await connectGroup(ctx, {
      target,
      name: `${target}:overhead`,
      users: fixtures.users,
    });
    // Joined, typing touches no database (the membership check is skipped for a joined socket).
    await emitEach(ctx, groups[target], 'joinChat', 'join');
  }
  /** @param {'nest' | 'raw'} target @param {number} rate @param {number} [durationMs] */
  const step = (target, rate, durationMs) =>
    loadStep(ctx, {
      target,
      group: groups[target].name,
      workers: groups[target].workers,
      kind: 'typing',
      rate,
      durationMs,
    });
  for (const target of /** @type {const} */ (['nest', 'raw'])) {
    if (p.warmupMs)
      ctx.log(`[overhead] warm-up ${stepLine(await step(target, p.rates[0], p.warmupMs))}`);
  }
  const { rows, best } = await ramp(ctx, 'overhead', {
    targets: ['nest', 'raw'],
    rates: p.rates.slice(0, ctx.maxSteps),
    refine: !ctx.smoke,
    step,
  });
  // CPU per event at one rate both servers hold with ease: the ramp's headline moves with the
  // machine's noise (±30% between runs of one build), the CPU an event costs much less. Rounds
  // interleave the servers; the lowest of each is the cost with the least interference.
  /** @type {Record<'nest' | 'raw', number[]>} */
  const cost = { nest: [], raw: [] };
  /** @type {Record<'nest' | 'raw', number[]>} the main thread's share of the step's CPU */
  const mainShare = { nest: [], raw: [] };
  for (let round = 0; round < p.costRounds; round++) {
    for (const target of /** @type {const} */ (['nest', 'raw'])) {
      const pid = ctx.servers[target].pid;
      const before = [cpuSeconds(pid) ?? 0, mainThreadCpuSeconds(pid) ?? 0];
      const row = await step(target, p.costRate);
      const all = (cpuSeconds(pid) ?? 0) - before[0];
      const main = (mainThreadCpuSeconds(pid) ?? 0) - before[1];
      const cpu = row.resources.serverCpu;
      const perEvent = cpu !== null && row.achieved > 0 ? (cpu * 1e6) / row.achieved : NaN;
      cost[target].push(perEvent);
      mainShare[target].push(all > 0 ? main / all : NaN);
      ctx.log(
        `[overhead] cost ${target} at ${p.costRate}/s: ${round1(perEvent)} µs CPU per event, ${Math.round((100 * main) / all)}% of it on the main thread`,
      );
    }
  }
  const costOf = (/** @type {'nest' | 'raw'} */ target) => Math.min(...cost[target]);
  for (const group of Object.values(groups)) await closeGroup(ctx, group);
  const nest = best.nest?.achieved ?? 0;
  const raw = best.raw?.achieved ?? 0;
  return {
    key: raw > 0 ? nest / raw : 0,
    better: 'higher',
    headline: `overhead: nest ${round(nest)} msg/s, raw ${round(raw)} msg/s, ratio ${raw > 0 ? (nest / raw).toFixed(2) : 'n/a'}`,
    table: `${table(STEP_HEADER, rows.map(stepCells))}\nCPU per event at ${int(p.costRate)}/s (lowest of ${p.costRounds}): nest ${round1(costOf('nest'))} µs, raw ${round1(costOf('raw'))} µs`,
    figures: {
      event: 'typing',
      sockets: fixtures.users.length,
      nestMsgPerSecond: Math.round(nest),
      rawMsgPerSecond: Math.round(raw),
      ratio: raw > 0 ? nest / raw : null,
      cpuPerEventMicros: {
        rate: p.costRate,
        nest: costOf('nest'),
        raw: costOf('raw'),
        runs: cost,
        mainThreadShare: mainShare,
      },
      best,
      rows,
    },
    note: `event typing on a joined DIRECT chat; ${int(fixtures.users.length)} sockets per server; a step passes with ack p99 ≤ ${ctx.sloMs} ms, nothing lost, ≥ 95% of the offered rate answered`,
  };
}
