/**
 * history: getMessages with a random `before` cursor (a page of 50) on one chat of 1,000,000
 * messages in a messages table of 10,000,000, at stepped offered rates. The big chat's rows are
 * interleaved with 9,000 other chats' (one row in ten is its), as a chat's messages are in a
 * table that many chats write to. The seed is made once, in SQL (INSERT … SELECT
 * generate_series in batches), and reused while a marker row in bench_seed says it is complete.
 * Beside the app, two floors: the raw server answering with a page of the same size from memory,
 * and (PostgreSQL) the page's rows read alone by plain pg. Before the steps the table and the
 * chat's index entries are read once, so that the headline's pages come from memory
 * (readIntoCache).
 */
import { now } from '../lib/clock.mjs';
import { withClient } from '../lib/db.mjs';
import { insertUsers } from '../lib/fixtures.mjs';
import { closeGroup, connectDatabaseGroup, connectGroup } from '../lib/groups.mjs';
import { loadStep, ramp, rates, STEP_HEADER, stepCells, stepLine } from '../lib/measure.mjs';
import { diskReadKB } from '../lib/proc.mjs';
import { int, ms, table } from '../lib/report.mjs';

/** Ids of the seeded chats: this prefix, then the chat number in 12 hex digits (0 is the big one). */
const PREFIX = 'b1570000-0000-4000-8000-';
const BIG_CHAT = `${PREFIX}000000000000`;
const READERS = ['bench-hist-a', 'bench-hist-b'];
const OTHER_CHAT_ROWS = 1000;
/**
 * The rows of the app's page as its statement selects them (its columns; `limit` + 1 tells
 * whether there is more), without the access check, reply summaries, reactions and files the
 * app's statement adds: what reading the rows costs without the app, on this machine.
 */
const PAGE_SQL = `SELECT id, chat_id, seq, sender_id, sender_role, type, text, reply_to_id,
  client_message_id, is_deleted, deleted_at, edited_at, created_at
  FROM messages WHERE chat_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3::int + 1`;

/** @param {{ smoke: boolean, args: Record<string, any>, db: { kind: string } }} o */
export function params({ smoke, args, db }) {
  // PGlite (single-threaded WebAssembly) seeds ~20k rows/s: 10M rows would take most of an hour.
  const scaled = db.kind === 'pglite';
  const totalRows = Number(
    args['history-rows'] ?? (smoke ? 10_000 : scaled ? 1_000_000 : 10_000_000),
  );
  const chatRows = Number(
    args['history-chat-rows'] ?? (smoke ? 1_000 : scaled ? 100_000 : 1_000_000),
  );
  if (!(chatRows > 0 && totalRows >= chatRows && totalRows % chatRows === 0)) {
    throw new Error('--history-rows must be a multiple of --history-chat-rows');
  }
  return {
    totalRows,
    chatRows,
    readers: smoke ? 4 : 20,
    limit: 50,
    rates: smoke ? [50, 100] : rates(100, 2, 8),
    batch: 500_000,
  };
}

/** @param {import('../lib/fixtures.mjs').Db} db @param {ReturnType<typeof params>} p @param {{ log: (t: string) => void }} o */
export async function prepare(db, p, { log }) {
  await db.query(`CREATE TABLE IF NOT EXISTS bench_seed (
    name text PRIMARY KEY, total_rows bigint NOT NULL, chat_rows integer NOT NULL,
    chat_id uuid NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
  const readers = READERS.map((id) => ({
    id,
    role: 'CLIENT',
    chatId: BIG_CHAT,
    maxSeq: p.chatRows,
  }));
  const [marker] = await db.query(
    `SELECT total_rows, chat_rows FROM bench_seed WHERE name = 'history'`,
  );
  if (
    marker &&
    Number(marker.total_rows) === p.totalRows &&
    Number(marker.chat_rows) === p.chatRows
  ) {
    log(`history: reusing the seed (${p.chatRows} of ${p.totalRows} rows)`);
    return { readers };
  }
  const started = now();
  log(
    `history: seeding ${p.totalRows} messages, ${p.chatRows} of them in one chat (once; reused by later runs)`,
  );
  await db.query(`DELETE FROM bench_seed WHERE name = 'history'`);
  // A half-made or differently sized seed goes first (the cascade takes its messages).
  await db.query(`DELETE FROM chats WHERE id BETWEEN $1::uuid AND $2::uuid`, [
    BIG_CHAT,
    `${PREFIX}ffffffffffff`,
  ]);
  await insertUsers(db, READERS);
  const ratio = p.totalRows / p.chatRows;
  const others = p.totalRows - p.chatRows;
  const otherChats = Math.max(1, Math.ceil(others / OTHER_CHAT_ROWS));
  await db.query(
    `INSERT INTO chats (id, type, title, created_by, last_seq)
     SELECT ($1 || lpad(to_hex(n), 12, '0'))::uuid, 'GROUP',
            CASE WHEN n = 0 THEN 'bench history' ELSE 'bench history filler' END, $2,
            CASE WHEN n = 0 THEN $3::int ELSE ($4::int - 1 - (n - 1)) / $5::int + 1 END
     FROM generate_series(0, $6::int) AS n`,
    [PREFIX, READERS[0], p.chatRows, others, otherChats, others > 0 ? otherChats : 0],
  );
  await db.query(
    `INSERT INTO chat_members (chat_id, user_id, role)
     SELECT c.id, u.user_id, u.role FROM chats c
     CROSS JOIN (VALUES ($3, 'OWNER'), ($4, 'MEMBER')) AS u(user_id, role)
     WHERE c.id BETWEEN $1::uuid AND $2::uuid`,
    [BIG_CHAT, `${PREFIX}ffffffffffff`, READERS[0], READERS[1]],
  );
  // Foreign-key triggers off for the bulk insert where allowed (superuser): the rows are
  // consistent by construction, and checking 10M of them one by one doubles the time.
  const unchecked = await db.query(`SET session_replication_role = replica`).then(
    () => true,
    () => false,
  );
  try {
    for (let from = 0; from < p.totalRows; from += p.batch) {
      const to = Math.min(p.totalRows, from + p.batch) - 1;
      // Row g: every ratio-th row is the big chat's (seq g/ratio + 1); the others go round the
      // filler chats, k being g's rank among the filler rows.
      await db.query(
        `INSERT INTO messages (chat_id, seq, sender_id, sender_role, type, text, created_at)
         SELECT CASE WHEN g % $3 = 0 THEN $5::uuid
                     ELSE ($6 || lpad(to_hex(1 + (g - g / $3 - 1) % $4), 12, '0'))::uuid END,
                CASE WHEN g % $3 = 0 THEN g / $3 + 1 ELSE (g - g / $3 - 1) / $4 + 1 END,
                CASE WHEN g % 2 = 0 THEN $7 ELSE $8 END, 'CLIENT', 'TEXT',
                'history message ' || g || ' lorem ipsum dolor sit amet, consectetur adipiscing elit',
                timestamptz '2025-01-01 00:00:00+00' + g * interval '10 milliseconds'
         FROM generate_series($1::bigint, $2::bigint) AS g`,
        [from, to, ratio, otherChats, BIG_CHAT, PREFIX, READERS[0], READERS[1]],
      );
      log(`history: ${to + 1} / ${p.totalRows} rows (${((now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    if (unchecked) await db.query(`SET session_replication_role = DEFAULT`);
  }
  // VACUUM too: it sets the hint bits and the visibility map, which the first reads of a fresh
  // bulk load would otherwise do, writing pages back in the middle of a measurement.
  log('history: VACUUM ANALYZE');
  await db.query(`VACUUM (ANALYZE) messages`);
  await db.query(`VACUUM (ANALYZE) chats`);
  await db.query(
    `INSERT INTO bench_seed (name, total_rows, chat_rows, chat_id) VALUES ('history', $1, $2, $3)`,
    [p.totalRows, p.chatRows, BIG_CHAT],
  );
  log(`history: seeded in ${((now() - started) / 1000).toFixed(0)} s`);
  return { readers };
}

/**
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {{ readers: import('../lib/fixtures.mjs').BenchUser[] }} fixtures
 */
export async function run(ctx, p, fixtures) {
  const users = Array.from(
    { length: p.readers },
    (_, i) => fixtures.readers[i % fixtures.readers.length],
  );
  /** @type {Record<string, import('../lib/groups.mjs').Group>} */
  const groups = {};
  for (const target of /** @type {const} */ (['nest', 'raw'])) {
    groups[target] = await connectGroup(ctx, { target, name: `${target}:history`, users });
  }
  /** @param {'nest' | 'raw'} target @param {number} rate */
  const step = (target, rate) =>
    loadStep(ctx, {
      target,
      group: groups[target].name,
      workers: groups[target].workers,
      kind: 'history',
      rate,
      limit: p.limit,
    });
  await readIntoCache(ctx);
  // Warm-up (not in a smoke run): JIT, the pool's connections, the index's upper pages.
  if (!ctx.smoke)
    for (const target of /** @type {const} */ (['nest', 'raw'])) await step(target, p.rates[0]);
  const sql = await sqlAlone(ctx, p, users);
  const { rows, best } = await ramp(ctx, 'history', {
    targets: ['nest', 'raw'],
    rates: p.rates.slice(0, ctx.maxSteps),
    lead: 'nest',
    step,
  });
  for (const group of Object.values(groups)) await closeGroup(ctx, group);
  // Each target's step at the lightest rate (its second try, when the first met a stall).
  /** @param {'nest' | 'raw'} target */
  const lightest = (target) =>
    rows.filter((r) => r.target === target && r.rate === p.rates[0]).at(-1);
  const first = lightest('nest');
  if (!first) throw new Error('history: no step at the lightest rate (--max-steps 0?)');
  const raw = lightest('raw');
  const beside = [
    raw ? `raw p99 ${ms(raw.ack.p99)} ms` : '',
    sql ? `the SELECT alone p99 ${ms(sql.ack.p99)} ms` : '',
  ].filter(Boolean);
  return {
    key: first.ack.p99 ?? Infinity,
    better: 'lower',
    headline: `history: p50 ${ms(first.ack.p50)} ms, p99 ${ms(first.ack.p99)} ms${beside.length ? `; ${beside.join(', ')}` : ''}`,
    table: table(STEP_HEADER, [...(sql ? [sql] : []), ...rows].map(stepCells)),
    figures: {
      totalRows: p.totalRows,
      chatRows: p.chatRows,
      limit: p.limit,
      atRate: first.rate,
      p50Ms: first.ack.p50,
      p99Ms: first.ack.p99,
      rawP50Ms: raw?.ack.p50 ?? null,
      rawP99Ms: raw?.ack.p99 ?? null,
      sqlP50Ms: sql?.ack.p50 ?? null,
      sqlP99Ms: sql?.ack.p99 ?? null,
      maxRatePerSecond: best.nest ? Math.round(best.nest.achieved) : 0,
      sql,
      rows,
    },
    note: `${p.chatRows} of ${p.totalRows} rows; pages of ${p.limit} before a random seq; headline at the lightest step (${int(first.rate)}/s), ${p.readers} sockets; raw = a page of the same size built in memory, at the rates the app reached${sql ? "; sql = the page's rows alone (its inner SELECT, without the access check, reply, reactions and files) through plain pg in one load process, at the lightest rate before the ramp" : ''}`,
  };
}

/**
 * Reads the messages table and the big chat's entries of `UQ_messages_chat_seq` once
 * (PostgreSQL), so that the lightest step, the headline, finds them in memory, as a database
 * server that keeps serving the chat would. A page of 50 messages spread over the table reads
 * about 15 blocks of 8 KB that no other page reads, and the VMs these figures come from drop
 * page-cache blocks left untouched for a while (a DAMON `pageout` scheme: 60 s on one, 6 s on
 * another). Without this read, a run minutes after the last one (the full round) fetched about
 * 100 KB from disk per page, and one just after seeding next to nothing. Later steps come more
 * than a minute after it, and a machine that drops blocks after 6 s undoes it sooner: each step's
 * `disk KB/ok` says how much it still read from disk. The server's settings (`shared_buffers`)
 * are left alone; a PGlite database lives in the app's process. A failed read is logged, not
 * fatal: the steps then measure the cache as they find it.
 * @param {import('../lib/measure.mjs').Context} ctx
 */
async function readIntoCache(ctx) {
  const db = ctx.db;
  if (db.kind !== 'postgres') return;
  const started = now();
  const before = diskReadKB();
  try {
    await withClient(db.url, async (client) => {
      // A sequential scan of the heap (count(text) needs its rows), then an index-only scan of
      // the chat's entries in UQ_messages_chat_seq, the index a page is read by.
      await client.query(`SELECT count(text) FROM messages`);
      await client.query(`SELECT count(*) FROM messages WHERE chat_id = $1`, [BIG_CHAT]);
    });
  } catch (error) {
    ctx.log(`[history] the table was not read into memory first (${String(error)})`);
    return;
  }
  const after = diskReadKB();
  const read =
    before === null || after === null ? '' : `, ${int((after - before) / 1024)} MB of it from disk`;
  ctx.log(
    `[history] the table and the chat's index read into memory in ${((now() - started) / 1000).toFixed(1)} s${read}`,
  );
}

/**
 * The page's rows read with PostgreSQL alone, at the lightest rate (tried again if the step fails,
 * as the ramp's are), from a load process: the floor this machine puts under the app's figure.
 * Null on PGlite, which lives inside the app's process.
 * @param {import('../lib/measure.mjs').Context} ctx @param {ReturnType<typeof params>} p
 * @param {import('../lib/fixtures.mjs').BenchUser[]} users
 */
async function sqlAlone(ctx, p, users) {
  const db = ctx.db;
  if (db.kind !== 'postgres') return null;
  const group = await connectDatabaseGroup(ctx, {
    name: 'sql:history',
    url: db.url,
    sql: PAGE_SQL,
    params: ['chatId', 'before', 'limit'],
    users,
  });
  try {
    const step = () =>
      loadStep(ctx, {
        target: 'sql',
        group: group.name,
        workers: group.workers,
        kind: 'history',
        rate: p.rates[0],
        limit: p.limit,
      });
    let row = await step();
    ctx.log(`[history] ${stepLine(row)}`);
    if (!row.pass) {
      row = await step();
      ctx.log(`[history] ${stepLine(row)} (again)`);
    }
    return row;
  } finally {
    await closeGroup(ctx, group);
  }
}
