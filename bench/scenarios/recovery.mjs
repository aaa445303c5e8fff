/**
 * recovery: clients in GROUP chats connect and join, go away, miss messages sent meanwhile
 * (through the app, by one sender per chat), then all reconnect at the same instant and call
 * joinChat with the last seq they saw. Measured: time until the last client holds exactly the
 * messages it missed, per-client recovery times, and how many messages are missing.
 */
import { now } from '../lib/clock.mjs';
import { insertGroupChat, insertUsers, userIds } from '../lib/fixtures.mjs';
import { closeGroup, connectGroup, emitEach } from '../lib/groups.mjs';
import { measured, settle } from '../lib/measure.mjs';
import { cores, int, ms, table } from '../lib/report.mjs';
import { summarize, sumCounts } from '../lib/stats.mjs';
import { spread } from '../lib/workers.mjs';

/** @param {{ smoke: boolean, args: Record<string, any> }} o */
export function params({ smoke, args }) {
  return {
    clients: Number(args['recovery-clients'] ?? (smoke ? 40 : 5000)),
    chatSize: smoke ? 10 : 20,
    missed: smoke ? 5 : 20,
    connectRate: smoke ? 400 : 1000,
    deadlineMs: smoke ? 20_000 : 120_000,
  };
}

/** @param {import('../lib/fixtures.mjs').Db} db @param {ReturnType<typeof params>} p @param {{ runId: string }} o */
export async function prepare(db, p, { runId }) {
  const chats = Math.ceil(p.clients / p.chatSize);
  const clients = userIds(runId, 'rec-c', p.clients);
  const senders = userIds(runId, 'rec-s', chats);
  await insertUsers(db, [...clients, ...senders]);
  /** @type {import('../lib/fixtures.mjs').BenchUser[]} */
  const clientUsers = [];
  /** @type {import('../lib/fixtures.mjs').BenchUser[]} */
  const senderUsers = [];
  for (let c = 0; c < chats; c++) {
    const members = clients.slice(c * p.chatSize, (c + 1) * p.chatSize);
    const chatId = await insertGroupChat(db, senders[c], members, `bench recovery ${c}`);
    senderUsers.push({ id: senders[c], role: 'CLIENT', chatId });
    for (const id of members) clientUsers.push({ id, role: 'CLIENT', chatId });
  }
  return { clients: clientUsers, senders: senderUsers };
}

/**
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {{ clients: import('../lib/fixtures.mjs').BenchUser[], senders: import('../lib/fixtures.mjs').BenchUser[] }} fixtures
 */
export async function run(ctx, p, fixtures) {
  // 1. Every client comes online and joins its chat (seq 0 so far), then goes away.
  const online = await connectGroup(ctx, {
    target: 'nest',
    name: 'nest:recovery:online',
    users: fixtures.clients,
    rate: p.connectRate,
    concurrency: 2000,
  });
  await emitEach(ctx, online, 'joinChat', 'join');
  await closeGroup(ctx, online);
  ctx.log(`[recovery] ${online.connected} clients joined their chats and left`);
  // 2. The messages they miss: `missed` per chat, each sender one at a time in its chat.
  const senders = await connectGroup(ctx, {
    target: 'nest',
    name: 'nest:recovery:senders',
    users: fixtures.senders,
  });
  const sendStarted = now();
  for (let i = 0; i < p.missed; i++) await emitEach(ctx, senders, 'sendMessage', 'message');
  await closeGroup(ctx, senders);
  ctx.log(
    `[recovery] ${p.missed} messages sent into each of ${fixtures.senders.length} chats in ${((now() - sendStarted) / 1000).toFixed(1)} s`,
  );
  // Past the presence grace period, so the storm is not mixed with the clients going offline.
  await settle(ctx, ctx.smoke ? { minMs: 500, maxMs: 5000 } : { minMs: 6000, maxMs: 60_000 });
  // 3. All at once: new sockets, joinChat with sinceSeq 0, from every load process together.
  const parts = spread(
    fixtures.clients.map((c) => ({ ...c, sinceSeq: 0, expect: p.missed })),
    ctx.pool.size,
  );
  const startAt = now() + 1000;
  const { result, resources } = await measured(ctx, 'nest', () =>
    ctx.pool.all('recover', (w) =>
      parts[w].length
        ? {
            group: 'nest:recovery:back',
            url: `${ctx.servers.nest.url}/chat`,
            secret: ctx.secret,
            clients: parts[w],
            startAt,
            deadlineMs: p.deadlineMs,
            localAddresses: ctx.localAddresses,
            limit: 100,
          }
        : null,
    ),
  );
  await ctx.pool.all('close', () => ({ group: 'nest:recovery:back' }));
  const recovered = result.reduce((n, r) => n + r.recovered, 0);
  const missing = result.reduce((n, r) => n + r.missing, 0);
  const extra = result.reduce((n, r) => n + r.extra, 0);
  const connectErrors = result.reduce((n, r) => n + r.connectErrors, 0);
  const retries = result.reduce((n, r) => n + r.retries, 0);
  // Clients that never recovered (or never connected) count as infinitely late.
  const times = summarize(
    result.map((r) => r.latency),
    p.clients - recovered,
  );
  const connects = summarize(
    result.map((r) => r.connectLatency),
    p.clients - result.reduce((n, r) => n + r.connectLatency.length, 0),
  );
  const codes = sumCounts(result.map((r) => r.codes));
  const allSeconds = times.max !== null && Number.isFinite(times.max) ? times.max / 1000 : null;
  if (missing > 0 || extra > 0)
    ctx.problem(`recovery: ${missing} messages missing, ${extra} extra`);
  return {
    // A run that lost or duplicated messages is the worst, however fast.
    key: missing > 0 || extra > 0 ? Infinity : (allSeconds ?? Infinity),
    better: 'lower',
    headline:
      recovered === p.clients
        ? `recovery: ${p.clients} clients recovered in ${allSeconds?.toFixed(1)} s, ${missing} missing`
        : `recovery: ${recovered} of ${p.clients} clients recovered within ${p.deadlineMs / 1000} s, ${missing} missing`,
    table: table(
      [
        'clients',
        'recovered',
        'missing',
        'extra',
        'conn errors',
        'join retries',
        'acks',
        'connected p50',
        'connected p99',
        'p50',
        'p99',
        'all (s)',
        'app cpu',
        'pg cpu',
        'gen cpu',
        'eld p99',
      ],
      [
        [
          int(p.clients),
          int(recovered),
          int(missing),
          int(extra),
          int(connectErrors),
          int(retries),
          Object.entries(codes)
            .map(([k, v]) => `${k}×${v}`)
            .join(' '),
          ms(connects.p50),
          ms(connects.p99),
          ms(times.p50),
          ms(times.p99),
          allSeconds === null ? '—' : allSeconds.toFixed(2),
          cores(resources.serverCpu),
          cores(resources.pgCpu),
          cores(resources.genCpu),
          ms(resources.eldP99Ms),
        ],
      ],
    ),
    figures: {
      clients: p.clients,
      recovered,
      missing,
      extra,
      connectErrors,
      retries,
      codes,
      seconds: allSeconds,
      times,
      connects,
      resources,
    },
    note: `${p.clients} clients in chats of ${p.chatSize}, ${p.missed} missed messages each; times (ms) from the common start to a client's socket connected and to its complete joinChat ack; a refused joinChat is retried after 0.5–1.5 s, as a client would`,
  };
}
