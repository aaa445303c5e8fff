/**
 * fanout: one sender into GROUP rooms of 10, 100 and 1000 joined members (the members are written
 * in SQL: createChat takes at most 500). The offered load is stepped in deliveries per second
 * (messages/s × members); every delivery is timed from the sender's scheduled time. The raw
 * server broadcasts the same Message to the same room, side by side.
 */
import { insertGroupChat, insertUsers, userIds } from '../lib/fixtures.mjs';
import { closeGroup, connectGroup, emitEach, listen } from '../lib/groups.mjs';
import { loadStep, ramp, rates, settle, STEP_HEADER, stepCells } from '../lib/measure.mjs';
import { int, ms, round, table } from '../lib/report.mjs';

/** @param {{ smoke: boolean, args: Record<string, any> }} o */
export function params({ smoke, args }) {
  const sizes = args['fanout-sizes']
    ? String(args['fanout-sizes']).split(',').map(Number)
    : smoke
      ? [3, 10]
      : [10, 100, 1000];
  return smoke
    ? { sizes, deliveryRates: [100, 200], textBytes: 100, connectRate: 500 }
    : { sizes, deliveryRates: rates(2000, 1.5, 12), textBytes: 100, connectRate: 200 };
}

/** @param {import('../lib/fixtures.mjs').Db} db @param {ReturnType<typeof params>} p @param {{ runId: string }} o */
export async function prepare(db, p, { runId }) {
  const rooms = [];
  for (const size of p.sizes) {
    const [sender] = userIds(runId, `fan${size}-s`, 1);
    const members = userIds(runId, `fan${size}-m`, size);
    await insertUsers(db, [sender, ...members]);
    const chatId = await insertGroupChat(db, sender, members, `bench fanout ${size}`);
    rooms.push({
      size,
      sender: { id: sender, role: 'CLIENT', chatId },
      members: members.map((id) => ({ id, role: 'CLIENT', chatId })),
    });
  }
  return { rooms };
}

/**
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {{ rooms: { size: number, sender: import('../lib/fixtures.mjs').BenchUser,
 *   members: import('../lib/fixtures.mjs').BenchUser[] }[] }} fixtures
 */
export async function run(ctx, p, fixtures) {
  /** @type {import('../lib/measure.mjs').StepRow[]} */
  const rows = [];
  /** @type {Record<number, Record<string, import('../lib/measure.mjs').StepRow | null>>} */
  const bestBySize = {};
  for (const [index, room] of fixtures.rooms.entries()) {
    // The previous room's members go offline after the presence grace period: not during this one.
    if (index > 0)
      await settle(ctx, ctx.smoke ? { minMs: 0, maxMs: 5000 } : { minMs: 6000, maxMs: 60_000 });
    /** @type {Record<string, import('../lib/groups.mjs').Group>} */
    const senders = {};
    /** @type {import('../lib/groups.mjs').Group[]} */
    const all = [];
    for (const target of /** @type {const} */ (['nest', 'raw'])) {
      // Paced: every member coming online tells every other member (presence), so a big room's
      // members connecting at once would measure that storm, not the fan-out.
      const members = await connectGroup(ctx, {
        target,
        name: `${target}:fan${room.size}:m`,
        users: room.members,
        rate: p.connectRate,
      });
      senders[target] = await connectGroup(ctx, {
        target,
        name: `${target}:fan${room.size}:s`,
        users: [room.sender],
      });
      await emitEach(ctx, members, 'joinChat', 'join');
      await emitEach(ctx, senders[target], 'joinChat', 'join');
      await listen(ctx, members);
      all.push(members, senders[target]);
    }
    ctx.log(`[fanout] room of ${room.size}: ${room.size} members joined on each server`);
    await settle(ctx, { minMs: 0, maxMs: ctx.smoke ? 5000 : 60_000 });
    /** @param {'nest' | 'raw'} target @param {number} deliveries @param {number} [durationMs] */
    const step = async (target, deliveries, durationMs) => {
      const row = await loadStep(ctx, {
        target,
        label: `${target} ×${room.size}`,
        group: senders[target].name,
        workers: senders[target].workers,
        kind: 'send',
        rate: Math.max(1, deliveries / room.size),
        durationMs,
        textBytes: p.textBytes,
        receivers: { perMessage: room.size },
      });
      return row;
    };
    // Warm-up: one short step on each (not in a smoke run).
    if (!ctx.smoke) {
      for (const target of /** @type {const} */ (['nest', 'raw'])) {
        await step(target, p.deliveryRates[0], 1000);
      }
    }
    const { rows: sizeRows, best } = await ramp(ctx, `fanout ${room.size}`, {
      targets: ['nest', 'raw'],
      rates: p.deliveryRates.slice(0, ctx.maxSteps),
      refine: !ctx.smoke,
      step,
    });
    rows.push(...sizeRows);
    bestBySize[room.size] = best;
    for (const group of all) await closeGroup(ctx, group);
  }
  const largest = Math.max(...p.sizes);
  const nest = bestBySize[largest]?.nest;
  const raw = bestBySize[largest]?.raw;
  const nestRate = nest?.deliveriesPerSecond ?? 0;
  const rawRate = raw?.deliveriesPerSecond ?? 0;
  return {
    key: nestRate,
    better: 'higher',
    headline: `fanout: ${largest} members, ${round(nestRate)} deliveries/s, p99 ${ms(nest?.delivery?.p99)} ms, raw ${round(rawRate)} deliveries/s, ratio ${rawRate > 0 ? (nestRate / rawRate).toFixed(2) : 'n/a'}`,
    table: table(
      STEP_HEADER.map((h) => (h === 'offered/s' ? 'msg/s' : h)),
      rows.map((r) => {
        const cells = stepCells(r);
        cells[1] = int(r.rate);
        return cells;
      }),
    ),
    figures: {
      sizes: p.sizes,
      bySize: Object.fromEntries(
        Object.entries(bestBySize).map(([size, best]) => [
          size,
          {
            nestDeliveriesPerSecond: Math.round(best.nest?.deliveriesPerSecond ?? 0),
            nestDeliveryP99Ms: best.nest?.delivery?.p99 ?? null,
            rawDeliveriesPerSecond: Math.round(best.raw?.deliveriesPerSecond ?? 0),
            rawDeliveryP99Ms: best.raw?.delivery?.p99 ?? null,
          },
        ]),
      ),
      rows,
    },
    note: `one sender per GROUP room, every member joined; steps of deliveries/s (msg/s × members); a step passes with ack and delivery p99 ≤ ${ctx.sloMs} ms and nothing lost`,
  };
}
