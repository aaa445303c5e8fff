import { summarize, sumCounts } from './stats.mjs';
import { fromDist } from './servers.mjs';
import { spread } from './workers.mjs';

/**
 * @typedef {import('./measure.mjs').Context} Context
 * @typedef {import('./fixtures.mjs').BenchUser} BenchUser
 * @typedef {{ name: string, target: import('./measure.mjs').Target, workers: number[], connected: number }} Group
 */

/**
 * Connects `users` to the target's /chat namespace, spread round-robin over the load workers
 * (`offset` shifts the spread, so the two members of a pair land in different processes).
 * @param {Context} ctx
 * @param {{ target: 'nest' | 'raw', name: string, users: BenchUser[], offset?: number, rate?: number,
 *   concurrency?: number, progressEvery?: number }} o
 * @returns {Promise<Group & { failed: number, errors: Record<string, number>,
 *   handshake: import('./stats.mjs').Summary, samples: Float64Array[],
 *   startLag: import('./stats.mjs').Summary, seconds: number }>}
 */
export async function connectGroup(ctx, o) {
  const parts = spread(o.users, ctx.pool.size, o.offset ?? 0);
  const workers = parts.flatMap((part, w) => (part.length ? [w] : []));
  const url = `${ctx.servers[o.target].url}/chat`;
  const results = await ctx.pool.all('connect', (w) =>
    parts[w].length
      ? {
          group: o.name,
          url,
          users: parts[w],
          secret: ctx.secret,
          rate: o.rate ? (o.rate * parts[w].length) / o.users.length : undefined,
          concurrency: o.concurrency,
          progressEvery: o.progressEvery,
          localAddresses: ctx.localAddresses,
        }
      : null,
  );
  const errors = sumCounts(results.map((r) => r.errors));
  const connected = results.reduce((n, r) => n + r.connected, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  if (connected === 0 && o.users.length > 0) {
    throw new Error(`no socket of ${o.name} connected: ${JSON.stringify(errors)}`);
  }
  if (failed > 0)
    ctx.log(
      `  ${o.name}: ${failed} of ${o.users.length} sockets failed to connect ${JSON.stringify(errors)}`,
    );
  return {
    name: o.name,
    target: o.target,
    workers,
    connected,
    failed,
    errors,
    // A socket that never connected is an infinitely slow handshake, not a missing sample.
    handshake: summarize(
      results.map((r) => r.handshake),
      failed,
    ),
    samples: results.map((r) => r.handshake),
    startLag: summarize(results.map((r) => r.startLag)),
    seconds: Math.max(...results.map((r) => r.seconds)),
  };
}

/**
 * A group that queries PostgreSQL with `sql` instead of emitting to a server (`load` with it drives
 * the database alone): in one load process, as the app is one process, through one pool of the
 * app's size (DB_POOL_SIZE as the app reads it: the environment's, or its default), lent as the
 * app's pool lends. PostgreSQL only.
 * @param {Context} ctx
 * @param {{ name: string, url: string, sql: string, params: string[], users: BenchUser[] }} o
 * @returns {Promise<Group>}
 */
export async function connectDatabaseGroup(ctx, o) {
  const worker = 0;
  const { connected } = await ctx.pool.call(worker, 'connectDatabase', {
    group: o.name,
    url: o.url,
    sql: o.sql,
    params: o.params,
    users: o.users,
    connections:
      Number(process.env.DB_POOL_SIZE) ||
      new (await fromDist('src', 'config', 'env.schema.js')).EnvSchema().DB_POOL_SIZE,
  });
  return { name: o.name, target: 'sql', workers: [worker], connected };
}

/**
 * Every socket of the group emits `event` once (joinChat before measuring, and the like); with
 * `retry` (joins: idempotent), a refused one is tried once more. Reports a problem unless every
 * ack is finally OK.
 * @param {Context} ctx @param {Group} group @param {string} event
 * @param {'join' | 'join-since' | 'message' | object} payload @param {boolean} [retry]
 * @returns {Promise<Record<string, number>>} ack codes
 */
export async function emitEach(ctx, group, event, payload, retry = event === 'joinChat') {
  const results = await Promise.all(
    group.workers.map((w) =>
      ctx.pool.call(w, 'emitEach', { group: group.name, event, payload, retry }),
    ),
  );
  const retried = results.reduce((n, r) => n + r.retried, 0);
  if (retried) ctx.log(`  ${group.name} ${event}: ${retried} refused at first, tried again`);
  const codes = sumCounts(results.map((r) => r.codes));
  const bad = Object.entries(codes).filter(([k]) => k !== 'OK');
  if (bad.length) ctx.problem(`${group.name} ${event} answered ${JSON.stringify(codes)}`);
  return codes;
}

/** @param {Context} ctx @param {Group} group */
export async function listen(ctx, group) {
  await Promise.all(group.workers.map((w) => ctx.pool.call(w, 'listen', { group: group.name })));
}

/** @param {Context} ctx @param {Group} group */
export async function closeGroup(ctx, group) {
  await Promise.all(group.workers.map((w) => ctx.pool.call(w, 'close', { group: group.name })));
}
