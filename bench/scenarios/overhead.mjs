/**
 * overhead: an acknowledged event that touches no database (`typing` on a chat the socket has
 * joined: the auth'd socket, metrics and JWT guards, DTO validation and the ack interceptor, then
 * an in-memory typing store) against the raw server's ack handler for the same event, at rising
 * offered rates until p99 passes the SLO.
 */
import { closeGroup, connectGroup, emitEach } from '../lib/groups.mjs';
import { insertDirectChats, insertUsers, userIds } from '../lib/fixtures.mjs';
import { loadStep, ramp, rates, STEP_HEADER, stepCells, stepLine } from '../lib/measure.mjs';
import { int, round, table } from '../lib/report.mjs';

/** @param {{ smoke: boolean, args: Record<string, any> }} o */
export function params({ smoke }) {
  return smoke
    ? { pairs: 5, rates: [100, 200], warmupMs: 0 }
    : { pairs: 50, rates: rates(1000, 1.5, 14), warmupMs: 3000 };
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
  for (const group of Object.values(groups)) await closeGroup(ctx, group);
  const nest = best.nest?.achieved ?? 0;
  const raw = best.raw?.achieved ?? 0;
  return {
    key: raw > 0 ? nest / raw : 0,
    better: 'higher',
    headline: `overhead: nest ${round(nest)} msg/s, raw ${round(raw)} msg/s, ratio ${raw > 0 ? (nest / raw).toFixed(2) : 'n/a'}`,
    table: table(STEP_HEADER, rows.map(stepCells)),
    figures: {
      event: 'typing',
      sockets: fixtures.users.length,
      nestMsgPerSecond: Math.round(nest),
      rawMsgPerSecond: Math.round(raw),
      ratio: raw > 0 ? nest / raw : null,
      best,
      rows,
    },
    note: `event typing on a joined DIRECT chat; ${int(fixtures.users.length)} sockets per server; a step passes with ack p99 ≤ ${ctx.sloMs} ms, nothing lost, ≥ 95% of the offered rate answered`,
  };
}
