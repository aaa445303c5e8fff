/**
 * send: persisted sendMessage into many 2-member (DIRECT) chats, both members joined; the ack is
 * timed at the sender, the delivery (newMessage) at the other member, in another load process.
 * The raw server answers the same events without a database, side by side.
 */
import { insertDirectChats, insertUsers, userIds } from '../lib/fixtures.mjs';
import { closeGroup, connectGroup, emitEach, listen } from '../lib/groups.mjs';
import { loadStep, ramp, rates, STEP_HEADER, stepCells, stepLine } from '../lib/measure.mjs';
import { ms, round, table } from '../lib/report.mjs';

/** @param {{ smoke: boolean }} o */
export function params({ smoke }) {
  return smoke
    ? { pairs: 5, rates: [20, 40], textBytes: 100, warmupMs: 0 }
    : { pairs: 200, rates: rates(200, 1.4, 14), textBytes: 100, warmupMs: 3000 };
}

/** @param {import('../lib/fixtures.mjs').Db} db @param {ReturnType<typeof params>} p @param {{ runId: string }} o */
export async function prepare(db, p, { runId }) {
  const a = userIds(runId, 'send-a', p.pairs);
  const b = userIds(runId, 'send-b', p.pairs);
  await insertUsers(db, [...a, ...b]);
  const chats = await insertDirectChats(
    db,
    a.map((id, i) => [id, b[i]]),
  );
  return {
    senders: chats.map((chatId, i) => ({ id: a[i], role: 'CLIENT', chatId })),
    receivers: chats.map((chatId, i) => ({ id: b[i], role: 'CLIENT', chatId })),
  };
}

/**
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {{ senders: import('../lib/fixtures.mjs').BenchUser[], receivers: import('../lib/fixtures.mjs').BenchUser[] }} fixtures
 */
export async function run(ctx, p, fixtures) {
  /** @type {Record<string, import('../lib/groups.mjs').Group>} */
  const senders = {};
  /** @type {import('../lib/groups.mjs').Group[]} */
  const all = [];
  for (const target of /** @type {const} */ (['nest', 'raw'])) {
    senders[target] = await connectGroup(ctx, {
      target,
      name: `${target}:send:a`,
      users: fixtures.senders,
    });
    // Offset 1: the other member of each chat sits in another load process.
    const receivers = await connectGroup(ctx, {
      target,
      name: `${target}:send:b`,
      users: fixtures.receivers,
      offset: 1,
    });
    await emitEach(ctx, senders[target], 'joinChat', 'join');
    await emitEach(ctx, receivers, 'joinChat', 'join');
    await listen(ctx, receivers);
    all.push(senders[target], receivers);
  }
  /** @param {'nest' | 'raw'} target @param {number} rate @param {number} [durationMs] */
  const step = (target, rate, durationMs) =>
    loadStep(ctx, {
      target,
      group: senders[target].name,
      workers: senders[target].workers,
      kind: 'send',
      rate,
      durationMs,
      textBytes: p.textBytes,
      receivers: { perMessage: 1 },
    });
  for (const target of /** @type {const} */ (['nest', 'raw'])) {
    if (p.warmupMs)
      ctx.log(`[send] warm-up ${stepLine(await step(target, p.rates[0], p.warmupMs))}`);
  }
  const { rows, best } = await ramp(ctx, 'send', {
    targets: ['nest', 'raw'],
    rates: p.rates.slice(0, ctx.maxSteps),
    refine: !ctx.smoke,
    step,
  });
  for (const group of all) await closeGroup(ctx, group);
  const nest = best.nest;
  return {
    key: nest ? nest.achieved : 0,
    better: 'higher',
    headline: nest
      ? `send: ${round(nest.achieved)} msg/s persisted, ack p99 ${ms(nest.ack.p99)} ms, delivery p99 ${ms(nest.delivery?.p99)} ms`
      : `send: no step held (p99 > ${ctx.sloMs} ms or losses already at ${p.rates[0]} msg/s)`,
    table: table(STEP_HEADER, rows.map(stepCells)),
    figures: {
      chats: p.pairs,
      textBytes: p.textBytes,
      nestMsgPerSecond: nest ? Math.round(nest.achieved) : 0,
      rawMsgPerSecond: best.raw ? Math.round(best.raw.achieved) : 0,
      best,
      rows,
    },
    note: `${p.pairs} DIRECT chats, both members joined, ${p.textBytes}-byte texts with clientMessageId; raw = same events, no database`,
  };
}
