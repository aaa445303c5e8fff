import { now, sleep } from './clock.mjs';
import { cpuSeconds, CpuMeter, diskReadKB, postgresProcesses } from './proc.mjs';
import { cores, int, ms } from './report.mjs';
import { summarize, sumCounts } from './stats.mjs';

/**
 * @typedef {import('./servers.mjs').RunningServer} RunningServer
 * @typedef {import('./workers.mjs').WorkerPool} WorkerPool
 * @typedef {import('./db.mjs').BenchDatabase} BenchDatabase
 * @typedef {import('./stats.mjs').Summary} Summary
 *
 * @typedef {object} Context
 * @property {boolean} smoke
 * @property {number} durationMs      measured window of one step
 * @property {number} sloMs           a step passes while p99 stays at or under this
 * @property {number} maxSteps
 * @property {string} secret
 * @property {WorkerPool} pool
 * @property {{ nest: RunningServer, raw: RunningServer }} servers
 * @property {BenchDatabase} db
 * @property {string[]} localAddresses
 * @property {(text: string) => void} log
 * @property {(text: string) => void} problem  something the harness did not expect (a refused ack,
 *   a socket that would not connect): logged, and a --smoke run then exits non-zero
 * @property {Record<string, any>} args
 * @property {string} resultsDir
 * @property {string} stamp
 *
 * @typedef {object} Resources
 * @property {number | null} serverCpu   cores used by the server under test
 * @property {number | null} pgCpu       cores used by PostgreSQL backends of the bench database
 * @property {number | null} pgAllCpu    cores used by every postgres process on the machine
 * @property {number | null} genCpu      cores used by the load generators
 * @property {number | null} eldP99Ms    event-loop delay p99 of the server under test
 * @property {number | null} diskReadKBps  KB/s read from the machine's disks meanwhile, by any
 *   process (swap-ins too, where there is swap)
 */

/**
 * Waits for the app to go quiet before a scenario: what the previous one left behind (sockets
 * going offline after the presence grace period, fan-outs of those changes) must not be measured
 * as this one's. Waits `minMs`, then until the app uses under 5% of a core for two half-seconds
 * in a row, at most `maxMs`.
 * @param {Context} ctx @param {{ minMs: number, maxMs: number }} o
 */
export async function settle(ctx, o) {
  const pid = ctx.servers.nest.pid;
  const started = Date.now();
  await sleep(o.minMs);
  let quiet = 0;
  while (quiet < 2 && Date.now() - started < o.maxMs) {
    const before = cpuSeconds(pid) ?? 0;
    await sleep(500);
    quiet = (cpuSeconds(pid) ?? 0) - before < 0.025 ? quiet + 1 : 0;
  }
  const waited = Date.now() - started;
  if (waited > o.minMs + 1500)
    ctx.log(`  waited ${(waited / 1000).toFixed(1)} s for the app to settle`);
}

/**
 * What a step drives: the app, the raw server, or (`sql`) PostgreSQL alone, with no server between
 * the load generators and the database.
 * @typedef {'nest' | 'raw' | 'sql'} Target
 */

/**
 * Measures CPU (server, PostgreSQL, generators) and event-loop delay around `work`; for `sql`,
 * no server's (null).
 * @template T @param {Context} ctx @param {Target} target @param {() => Promise<T>} work
 * @returns {Promise<{ result: T, resources: Resources }>}
 */
export async function measured(ctx, target, work) {
  const server = target === 'sql' ? null : ctx.servers[target];
  const pg = () => (ctx.db.kind === 'postgres' ? postgresProcesses() : []);
  const meter = new CpuMeter(() => {
    const all = pg();
    return {
      server: server ? [server.pid] : [],
      pg: target !== 'raw' ? all.filter((p) => p.database === ctx.db.name).map((p) => p.pid) : [],
      pgAll: all.map((p) => p.pid),
      gen: ctx.pool.pids,
    };
  });
  await server?.resetEld();
  const readBefore = diskReadKB();
  const startedAt = performance.now();
  meter.start();
  const result = await work();
  const cpu = meter.stop();
  const readAfter = diskReadKB();
  const wall = (performance.now() - startedAt) / 1000;
  const eldP99Ms = server ? await server.readEld() : null;
  return {
    result,
    resources: {
      serverCpu: cpu.server,
      pgCpu: cpu.pg,
      pgAllCpu: cpu.pgAll,
      genCpu: cpu.gen,
      eldP99Ms,
      // A rate over the whole window, as the CPU figures are: the window takes in a step's
      // lead-in and its last answers, which its counts of answers leave out.
      diskReadKBps:
        readBefore === null || readAfter === null || wall <= 0
          ? null
          : (readAfter - readBefore) / wall,
    },
  };
}

/**
 * @typedef {object} StepRow
 * @property {Target} target
 * @property {string} label
 * @property {number} rate           offered per second
 * @property {number} offered
 * @property {number} ok
 * @property {number} lost           emitted but never answered, or not emitted: its socket was dropped
 * @property {number} dropped        sockets the server closed during the step (reconnected after it)
 * @property {Record<string, number>} errors  answered with an error, by code
 * @property {number} achieved       answered OK per second
 * @property {Summary} ack
 * @property {Summary | null} delivery
 * @property {number} deliveriesPerSecond
 * @property {number | null} emitLagP99Ms
 * @property {Resources} resources
 * @property {boolean} pass
 */

/**
 * Each step offers its load this long before what it records. Steps of the app and of the raw
 * server are interleaved, so each server, and PostgreSQL, sits idle for ten seconds or more
 * while the other is measured; a machine that reclaims memory left untouched (the VMs these
 * figures come from page out what was untouched for 6 s on one, 60 s on another) then pages code
 * and data back in from disk as the load resumes, and the first half-second stalls. Measured
 * without a lead-in, a step after an idle spell failed at 280 messages/s with p99 160 ms, and the
 * same rate passed at once when tried again with p99 9 ms. Steady load is what a step measures.
 */
const LEAD_IN_MS = 1000;

/**
 * One step at a fixed offered rate: every worker that holds sockets of `group` emits its share,
 * interleaved with the others', after LEAD_IN_MS of the same load; with `receivers`, deliveries are
 * collected afterwards (`perMessage` of them expected for each acknowledged message; those that
 * did not come count as infinitely late).
 * @param {Context} ctx
 * @param {{ target: Target, label?: string, group: string, workers: number[], kind: string,
 *   rate: number, durationMs?: number, textBytes?: number, limit?: number,
 *   receivers?: { perMessage: number } }} o
 * @returns {Promise<StepRow>}
 */
export async function loadStep(ctx, o) {
  const durationMs = o.durationMs ?? ctx.durationMs;
  const step = `${o.target}${Math.round(now())}`;
  const drainMs = Math.max(2000, ctx.sloMs * 20);
  const dropsBefore = await dropsSoFar(ctx);
  const { result: parts, resources } = await measured(ctx, o.target, () => {
    const startAt = now() + 100;
    return Promise.all(
      o.workers.map((w, i) =>
        ctx.pool.call(w, 'load', {
          group: o.group,
          kind: o.kind,
          rate: o.rate / o.workers.length,
          durationMs,
          drainMs,
          step,
          // Each worker a share of one interval later than the one before: together they emit
          // evenly spaced, not in bunches of one per worker.
          startAt: startAt + (i * 1000) / o.rate,
          leadInMs: ctx.smoke ? 0 : LEAD_IN_MS,
          textBytes: o.textBytes,
          limit: o.limit,
        }),
      ),
    );
  });
  const ok = parts.reduce((n, p) => n + p.ok, 0);
  const lost = parts.reduce((n, p) => n + p.lost, 0);
  const errors = sumCounts(parts.map((p) => p.codes));
  delete errors.OK;
  let delivery = null;
  let deliveriesPerSecond = 0;
  if (o.receivers) {
    // Deliveries may trail the last ack a little: wait for them, up to a second.
    const expectedNow = ok * o.receivers.perMessage;
    for (const until = Date.now() + 1000; Date.now() < until;) {
      const counts = await ctx.pool.all('delivered', () => ({ step }));
      if (counts.reduce((n, c) => n + c.count, 0) >= expectedNow) break;
      await sleep(50);
    }
    const collected = await ctx.pool.all('collect', () => ({ step }));
    const received = collected.reduce((n, c) => n + c.latency.length, 0);
    const expected = ok * o.receivers.perMessage;
    delivery = summarize(
      collected.map((c) => c.latency),
      expected - received,
    );
    // Delivered per second: the acknowledged rate times the room, less what never arrived.
    const achievedNow = parts.reduce((n, p) => n + p.achieved, 0);
    deliveriesPerSecond =
      achievedNow * o.receivers.perMessage * (expected > 0 ? Math.min(1, received / expected) : 0);
  }
  // A server that drops clients (its slow-consumer cap closes a socket that stops reading: a load
  // generator out of CPU), senders or receivers, fails the step; they come back for the next.
  const dropped = (await dropsSoFar(ctx)) - dropsBefore;
  if (dropped > 0) await revive(ctx, o, dropped);
  const ack = summarize(
    parts.map((p) => p.latency),
    lost,
  );
  const achieved = parts.reduce((n, p) => n + p.achieved, 0);
  const emitLag = summarize(parts.map((p) => p.emitLag));
  const errorCount = Object.values(errors).reduce((n, v) => n + v, 0);
  // Refusals are the harness's business (a payload the contract no longer accepts, a limiter left
  // on); slowness and losses are the server's, and only fail the step.
  if (errorCount > 0)
    ctx.problem(`${o.group} ${o.kind} at ${o.rate}/s answered ${JSON.stringify(errors)}`);
  const pass =
    (ack.p99 ?? Infinity) <= ctx.sloMs &&
    (!delivery || (delivery.p99 ?? Infinity) <= ctx.sloMs) &&
    errorCount === 0 &&
    lost === 0 &&
    dropped === 0 &&
    achieved >= 0.95 * o.rate;
  return {
    target: o.target,
    label: o.label ?? o.target,
    rate: o.rate,
    offered: parts.reduce((n, p) => n + p.offered, 0),
    ok,
    lost,
    dropped,
    errors,
    achieved,
    ack,
    delivery,
    deliveriesPerSecond,
    emitLagP99Ms: emitLag.p99,
    resources,
    pass,
  };
}

/** How many sockets the server has closed, in every worker, since the run began. @param {Context} ctx */
async function dropsSoFar(ctx) {
  const held = await ctx.pool.all('status', () => ({}));
  return held.reduce((n, h) => n + h.unexpectedDisconnects, 0);
}

/**
 * Reconnects (and joins again) every socket the server dropped.
 * @param {Context} ctx @param {{ group: string, rate: number }} o @param {number} dropped
 */
async function revive(ctx, o, dropped) {
  const back = await ctx.pool.all('revive', () => ({}));
  const revived = back.reduce((n, b) => n + b.revived, 0);
  const failed = back.reduce((n, b) => n + b.failed, 0);
  const errors = sumCounts(back.map((b) => b.errors));
  ctx.log(
    `  ${o.group} at ${o.rate}/s: the server dropped ${dropped} sockets; reconnected ${revived}`,
  );
  if (failed > 0)
    ctx.problem(
      `${o.group}: ${failed} dropped sockets did not come back ${JSON.stringify(errors)}`,
    );
}

/** @param {StepRow} row */
export function stepLine(row) {
  const errs = Object.entries(row.errors)
    .map(([c, n]) => `${c}×${n}`)
    .join(' ');
  return [
    `${row.label.padEnd(10)} offered ${int(row.rate)}/s`,
    `ok ${int(row.achieved)}/s`,
    `ack p50 ${ms(row.ack.p50)} p99 ${ms(row.ack.p99)} ms`,
    row.delivery
      ? `delivery p99 ${ms(row.delivery.p99)} ms (${int(row.deliveriesPerSecond)}/s)`
      : '',
    `cpu ${cores(row.resources.serverCpu)}${row.resources.pgCpu !== null ? ` pg ${cores(row.resources.pgCpu)}` : ''} gen ${cores(row.resources.genCpu)}`,
    `eld p99 ${ms(row.resources.eldP99Ms)} ms`,
    row.resources.diskReadKBps ? `disk read ${diskPerOk(row)} KB/ok` : '',
    row.lost ? `lost ${row.lost}` : '',
    row.dropped ? `dropped ${row.dropped} sockets` : '',
    errs ? `errors ${errs}` : '',
    row.pass ? 'ok' : 'FAIL',
  ]
    .filter(Boolean)
    .join(' | ');
}

/**
 * Kilobytes read from disk per answered request in a step (the machine's read rate over its
 * answer rate): about what each request went to the disk for where its pages were not in memory
 * (the OS page cache, PostgreSQL's buffers). Machine-wide, so a process paging its code back in
 * counts too: the raw server's steps, which read no database, show that background.
 * @param {StepRow} r
 */
function diskPerOk(r) {
  const rate = r.resources.diskReadKBps;
  if (rate === null) return 'n/a';
  return r.achieved > 0 ? (rate / r.achieved).toFixed(1) : '—';
}

/** Table columns shared by the rate-stepped scenarios. */
export const STEP_HEADER = [
  'target',
  'offered/s',
  'ok/s',
  'ack p50',
  'ack p99',
  'ack p99.9',
  'deliv p50',
  'deliv p99',
  'deliv/s',
  'lost+err',
  'srv cpu',
  'pg cpu',
  'gen cpu',
  'eld p99',
  'disk KB/ok',
  'emit lag p99',
  'pass',
];

/** @param {StepRow} r */
export function stepCells(r) {
  const errs = Object.values(r.errors).reduce((n, v) => n + v, 0);
  return [
    r.label,
    int(r.rate),
    int(r.achieved),
    ms(r.ack.p50),
    ms(r.ack.p99),
    ms(r.ack.p999),
    r.delivery ? ms(r.delivery.p50) : '',
    r.delivery ? ms(r.delivery.p99) : '',
    r.delivery ? int(r.deliveriesPerSecond) : '',
    int(r.lost + errs),
    cores(r.resources.serverCpu),
    cores(r.resources.pgCpu),
    cores(r.resources.genCpu),
    ms(r.resources.eldP99Ms),
    diskPerOk(r),
    ms(r.emitLagP99Ms),
    r.pass ? 'yes' : 'no',
  ];
}

/**
 * Offered rates from `start`, multiplied by `factor` each step, at most `count` of them.
 * @param {number} start @param {number} factor @param {number} count
 */
export function rates(start, factor, count) {
  const out = [];
  let r = start;
  for (let i = 0; i < count; i++) {
    out.push(Math.round(r));
    r *= factor;
  }
  return out;
}

/** Bisection steps after the ramp (see ramp). */
const REFINE_STEPS = 2;

/**
 * The interleaved ramp: at each offered rate, one step on each target still standing (order
 * alternating from step to step so drift favours neither), until a target fails a step twice or the
 * rates run out; with `refine`, bisection steps between the last rate that held and the first that
 * did not (REFINE_STEPS, each a single try: a stall there only lowers the headline). With `lead`,
 * the ramp ends when that target stops (a baseline that only stands beside it goes no further).
 * Returns every row, and per target the best (highest passing) step.
 * @param {Context} ctx @param {string} scenario
 * @param {{ targets: ('nest' | 'raw')[], rates: number[], refine?: boolean, lead?: 'nest' | 'raw',
 *   step: (target: 'nest' | 'raw', rate: number) => Promise<StepRow> }} o
 */
export async function ramp(ctx, scenario, o) {
  /** @type {StepRow[]} */
  const rows = [];
  /** @type {Record<string, StepRow | null>} */
  const best = Object.fromEntries(o.targets.map((t) => [t, null]));
  const standing = new Set(o.targets);
  // In the ramp's own unit (fanout steps in deliveries/s while its rows count messages/s).
  /** @type {Record<string, number>} */
  const heldAt = {};
  /** @type {Record<string, number>} */
  const failedAt = {};
  for (
    let i = 0;
    i < o.rates.length && standing.size > 0 && (!o.lead || standing.has(o.lead));
    i++
  ) {
    const order = i % 2 === 0 ? o.targets : [...o.targets].reverse();
    for (const target of order) {
      if (!standing.has(target)) continue;
      let row = await o.step(target, o.rates[i]);
      rows.push(row);
      ctx.log(`[${scenario}] ${stepLine(row)}`);
      // A failure is confirmed by a second try at the same rate: one stall (a GC, a neighbour on
      // the machine) must not end a ramp.
      if (!row.pass) {
        row = await o.step(target, o.rates[i]);
        rows.push(row);
        ctx.log(`[${scenario}] ${stepLine(row)} (again)`);
      }
      if (row.pass) {
        best[target] = row;
        heldAt[target] = o.rates[i];
      } else {
        standing.delete(target);
        failedAt[target] = o.rates[i];
      }
    }
  }
  // Bisection between the last rate that held and the first that did not, REFINE_STEPS times
  // while they are over 10% apart: the ramp's factor alone would leave a quarter of a headline
  // to chance.
  if (o.refine) {
    for (const target of o.targets) {
      let held = heldAt[target];
      let failed = failedAt[target];
      for (let i = 0; held && failed && i < REFINE_STEPS && failed >= held * 1.1; i++) {
        const rate = Math.round((held + failed) / 2);
        const row = await o.step(target, rate);
        rows.push(row);
        ctx.log(`[${scenario}] ${stepLine(row)}`);
        if (row.pass) {
          best[target] = row;
          held = rate;
        } else {
          failed = rate;
        }
      }
    }
  }
  return { rows, best };
}
