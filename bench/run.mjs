/**
 * npm run bench [-- --scenario <name>[,<name>…]] [--duration <s>] [--smoke] [--db pglite|postgres]
 *   [--repeat <n>]
 *
 * Starts the application (dist/src/main.js) and the raw Socket.IO baseline itself, drives them
 * from separate load-generator processes, prints progress, a table and a headline per scenario,
 * and writes every figure to bench/results/<timestamp>.json. See README "Benchmarks".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDatabase, checkpoint, databaseEnv, prepareDatabase } from './lib/db.mjs';
import { openFilesLimit } from './lib/proc.mjs';
import { fromDist, ROOT, startApp, startRaw } from './lib/servers.mjs';
import { WorkerPool } from './lib/workers.mjs';
import { settle } from './lib/measure.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const SCENARIOS = ['overhead', 'send', 'fanout', 'idle', 'history', 'recovery'];

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    duration: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    db: { type: 'string' },
    workers: { type: 'string' },
    slo: { type: 'string', default: '100' },
    'max-steps': { type: 'string' },
    profile: { type: 'string' },
    'history-rows': { type: 'string' },
    'history-chat-rows': { type: 'string' },
    'idle-sockets': { type: 'string' },
    'idle-rate': { type: 'string' },
    'fanout-sizes': { type: 'string' },
    'recovery-clients': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [--scenario ${SCENARIOS.join('|')}|all] [--duration <s per step>] [--smoke]
  [--db pglite|postgres] [--workers <n>] [--slo <ms>] [--max-steps <n>] [--profile <scenario>]
  [--repeat <n> (each scenario n times, interleaved; the headline is the median run)]
  [--history-rows <n>] [--history-chat-rows <n>] [--idle-sockets <n>] [--idle-rate <per s>]
  [--fanout-sizes <n,n,…>] [--recovery-clients <n>] [--no-build]`);
  process.exit(0);
}

const smoke = Boolean(args.smoke);
const dbKind = /** @type {'pglite' | 'postgres'} */ (
  args.db ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite')
);
if (dbKind !== 'pglite' && dbKind !== 'postgres') throw new Error('--db is pglite or postgres');
if (args.profile && !SCENARIOS.includes(args.profile))
  throw new Error(`--profile names a scenario`);
const selected = args.scenario === 'all' ? SCENARIOS : String(args.scenario).split(',');
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat is a whole number ≥ 1');
/** Every selected scenario once per round, `repeat` rounds: repeated runs interleave. */
const rounds = () =>
  Array.from({ length: repeat }, (_, round) => selected.map((name) => ({ name, round }))).flat();
/** @param {string} name @param {number} round */
const taskKey = (name, round) => `${name}#${round}`;

/**
 * The median of a scenario's runs by its headline figure (`key`, `better` 'higher' or 'lower';
 * of an even count, the worse middle run), with every run kept beside it when there were several.
 * A run without a figure counts as the worst.
 * @param {any[]} list
 */
function medianRun(list) {
  /** @param {any} r */
  const score = (r) => {
    const sign = r.better === 'higher' ? -1 : 1;
    return typeof r.key === 'number' && !Number.isNaN(r.key) ? sign * r.key : Infinity;
  };
  const done = list
    .filter((r) => !r.error)
    .sort((x, y) => (score(x) === score(y) ? 0 : score(x) < score(y) ? -1 : 1));
  if (done.length === 0) return { error: list[0]?.error ?? 'no run' };
  const median = done[Math.floor(done.length / 2)];
  if (list.length === 1) return median;
  return {
    ...median,
    headline: `${median.headline} (median of ${done.length} runs)`,
    runs: list,
  };
}
for (const name of selected) {
  if (!SCENARIOS.includes(name))
    throw new Error(`unknown scenario ${name} (${SCENARIOS.join(', ')})`);
}

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const resultsDir = join(ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const t0 = Date.now();
/** @param {string} text */
const log = (text) => console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${text}`);
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

// Nothing may run unbounded: a smoke run has a minute or two, a full run a few hours (each, with
// --repeat).
const watchdog = setTimeout(
  () => {
    console.error(`bench: watchdog expired, stopping`);
    void cleanup().finally(() => process.exit(2));
  },
  (smoke ? 180 : 4 * 3600) * 1000 * repeat,
);
watchdog.unref();

/** @type {(() => Promise<void>)[]} */
const stoppers = [];
async function cleanup() {
  while (stoppers.length) {
    const stop = stoppers.pop();
    await stop?.().catch(() => undefined);
  }
}
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Builds dist/ when a source file is newer than dist/src/main.js. */
function ensureBuilt() {
  const main = join(ROOT, 'dist', 'src', 'main.js');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  /** @param {string} dir @returns {number} */
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  const sources = Math.max(
    newest(join(ROOT, 'src')),
    newest(join(ROOT, 'migrations')),
    statSync(join(ROOT, 'ormconfig.ts')).mtimeMs,
  );
  if (built >= sources && existsSync(join(ROOT, 'dist', 'ormconfig.js'))) return;
  if (args['no-build']) throw new Error('dist/ is missing or older than src/: run npm run build');
  log('building the application (dist/ is older than src/)');
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/**
 * Scenarios measured on servers started afresh: `idle` divides the growth of RSS over its ramp by
 * the sockets, and a heap that earlier scenarios grew (1000-member fan-outs) would take the new
 * sockets without growing: a full run once reported 9.1 KB per socket where `idle` alone gave 17.9.
 */
const FRESH_SERVERS = new Set(['idle']);

/** @returns {Promise<Record<string, string>>} */
async function limitsOff() {
  return (await fromDist('src', 'common', 'limits', 'limits-off.js')).LIMITS_OFF;
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return null;
  }
}

async function main() {
  ensureBuilt();
  const workers = Number(args.workers ?? Math.max(2, Math.min(4, cpus().length)));
  const files = openFilesLimit();
  log(
    `bench ${smoke ? '--smoke ' : ''}on ${dbKind}: ${selected.join(', ')}; ${cpus().length} cpus, load average ${load()}, open files limit ${files}`,
  );
  const db = await benchDatabase({ db: dbKind, name: smoke ? 'bench_smoke' : 'bench', log });
  const runId = Date.now().toString(36);
  const scenarioModules = Object.fromEntries(
    await Promise.all(
      selected.map(async (name) => [name, await import(`./scenarios/${name}.mjs`)]),
    ),
  );
  const paramsOf = Object.fromEntries(
    selected.map((name) => [name, scenarioModules[name].params({ smoke, args, db, files })]),
  );
  log(`preparing ${db.kind} database ${db.name} (migrations and fixtures)`);
  const secret = randomBytes(32).toString('base64url');
  const fixtures = await prepareDatabase({
    env: { ...databaseEnv(db), JWT_SECRET: secret },
    logFile: join(resultsDir, `${stamp}-prepare.log`),
    // Fixtures of their own for each repetition: a run changes them (recovery's missed messages).
    tasks: rounds().map(({ name, round }) => ({
      key: taskKey(name, round),
      scenario: name,
      params: paramsOf[name],
      runId: round === 0 ? runId : `${runId}r${round}`,
    })),
    log: (text) => log(`  ${text}`),
  });

  const appEnv = {
    ...databaseEnv(db),
    JWT_SECRET: secret,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // Rate limits would measure the limiter, not the server: all off (the app's own list).
    ...(await limitsOff()),
  };
  let starts = 0;
  /** The application and the raw server, started (again: each start logs to files of its own). */
  const startServers = async () => {
    starts += 1;
    const suffix = starts === 1 ? '' : `-${starts}`;
    const appLog = join(resultsDir, `${stamp}-app${suffix}.log`);
    log(`starting the application (log: ${appLog})`);
    const app = await startApp({ env: appEnv, logFile: appLog, profiling: Boolean(args.profile) });
    stoppers.push(app.stop);
    const baseline = await startRaw({
      secret,
      logFile: join(resultsDir, `${stamp}-raw${suffix}.log`),
    });
    stoppers.push(baseline.stop);
    return { nest: app, raw: baseline };
  };
  let { nest, raw } = await startServers();
  const pool = new WorkerPool(workers);
  stoppers.push(() => pool.close());
  log(
    `app pid ${nest.pid} at ${nest.url}, raw pid ${raw.pid} at ${raw.url}, ${workers} load workers`,
  );

  /** @type {string[]} */
  const problems = [];
  /** @type {import('./lib/measure.mjs').Context} */
  const ctx = {
    smoke,
    durationMs: Number(args.duration ?? (smoke ? 1 : 5)) * 1000,
    sloMs: Number(args.slo),
    maxSteps: Number(args['max-steps'] ?? 99),
    secret,
    pool,
    servers: { nest, raw },
    db,
    // Client sockets bind to 127.0.0.2…17 so 20,000 of them never run out of ephemeral ports.
    localAddresses: Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`),
    log,
    problem: (text) => {
      problems.push(text);
      log(`  problem: ${text}`);
    },
    args,
    resultsDir,
    stamp,
  };

  /** @type {Record<string, any[]>} */
  const runs = Object.fromEntries(selected.map((name) => [name, []]));
  let broken = false;
  for (const [index, { name, round }] of rounds().entries()) {
    // Presence keeps a user online for PRESENCE_GRACE_MS (5 s) after the last socket; the
    // previous scenario's users go offline then, with fan-out, and must do so before this one.
    if (index > 0)
      await settle(ctx, smoke ? { minMs: 0, maxMs: 5000 } : { minMs: 6000, maxMs: 60_000 });
    if (index > 0 && FRESH_SERVERS.has(name)) {
      log(
        `[${name}] restarting both servers: what earlier scenarios left in memory would count as free`,
      );
      await Promise.all([nest.stop(), raw.stop()]);
      ({ nest, raw } = await startServers());
      ctx.servers = { nest, raw };
    }
    await checkpoint(db, (text) => log(`[${name}] ${text}`));
    const loadAtStart = load();
    const which = repeat > 1 ? ` run ${round + 1} of ${repeat}` : '';
    log(`=== ${name}${which} (load average ${loadAtStart})`);
    const began = Date.now();
    const profiled = args.profile === name && round === 0 && nest.profile;
    try {
      if (profiled) await nest.profile?.('');
      const outcome = await scenarioModules[name].run(
        ctx,
        paramsOf[name],
        fixtures[taskKey(name, round)],
      );
      if (profiled) {
        const file = join(resultsDir, `${stamp}-${name}.cpuprofile`);
        if (await nest.profile?.(file)) {
          console.log(`\nCPU profile of the app during ${name}: ${file}\n`);
          console.log(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), 20));
        }
      }
      console.log(
        `\n${name}${which}${outcome.note ? ` — ${outcome.note}` : ''}\n${outcome.table}\n\n${outcome.headline}\n`,
      );
      runs[name].push({
        headline: outcome.headline,
        key: outcome.key,
        better: outcome.better,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: load(),
        seconds: (Date.now() - began) / 1000,
        ...outcome.figures,
      });
    } catch (error) {
      broken = true;
      console.error(
        `[${name}] harness error: ${error instanceof Error ? error.stack : String(error)}`,
      );
      runs[name].push({ error: String(error) });
      // Its sockets too: a later scenario reusing a group's name would otherwise inherit them
      // (once, 100 dead sockets whose joins each waited out a 30 s timeout).
      await pool.all('closeAll', () => ({})).catch((e) => log(`  closing its sockets: ${e}`));
    }
  }
  /** @type {Record<string, any>} */
  const results = Object.fromEntries(
    selected.map((name) => [name, { params: paramsOf[name], ...medianRun(runs[name]) }]),
  );

  await cleanup();
  const out = join(resultsDir, `${stamp}.json`);
  writeFileSync(
    out,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        seconds: (Date.now() - t0) / 1000,
        smoke,
        commit: gitCommit(),
        db: { kind: db.kind, name: db.name },
        machine: {
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          memoryBytes: totalmem(),
          node: process.version,
        },
        loadAverageAtStart: startLoad,
        loadAverageAtEnd: load(),
        settings: { durationMs: ctx.durationMs, sloMs: ctx.sloMs, workers, openFilesLimit: files },
        scenarios: results,
        problems,
      },
      (_key, value) =>
        value instanceof Float64Array ? undefined : value === Infinity ? 'Infinity' : value,
      2,
    ),
  );
  console.log('Headlines:');
  for (const name of selected)
    console.log(`  ${results[name].headline ?? `${name}: harness error`}`);
  log(`results: ${out}`);
  if (problems.length) {
    console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  // A smoke run proves the harness works: a scenario that threw, or acks it did not expect,
  // fail it. Full runs report slowness as figures, never as failure.
  return broken || (smoke && problems.length > 0) ? 1 : 0;
}

const startLoad = load();
main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`bench: ${error instanceof Error ? error.stack : String(error)}`);
    await cleanup();
    process.exit(1);
  },
);
