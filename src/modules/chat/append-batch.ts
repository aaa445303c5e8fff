import type { DataSource } from 'typeorm';
import { prepared } from '../../database/prepared.js';
import { timestampsAsText } from '../../database/timestamps.js';
import { canAccessChatSql } from './chat.policy.js';
import type { MessageType } from './entities/message.entity.js';

/** A plain message (no reply, no attachments) waiting for its batch, and who sends it. */
export interface BatchedAppend {
  chatId: string;
  senderId: string;
  senderRole: string;
  type: MessageType;
  text: string | null;
  clientMessageId: string | null;
  /** The role access is checked for (the sender's). */
  role: string;
}

/**
 * The chat's member ids as of the append, read with the inserted row `alias`: what the message's
 * events need (notifications, chatActivity) comes with it, fresh, at no extra round trip. As JSON,
 * which the driver hands to JSON.parse: its parser of PostgreSQL arrays reads character by
 * character, a millisecond per message in a chat of a thousand.
 */
export function memberIdsOf(alias: string): string {
  return `${memberIds(alias)} AS member_ids`;
}

function memberIds(alias: string): string {
  return `COALESCE((SELECT json_agg(cm.user_id) FROM chat_members cm WHERE cm.chat_id = ${alias}.chat_id), '[]'::json)`;
}

/** At most this many messages per statement. */
const MAX_BATCH = 256;

/**
 * At most this many statements in flight: what is added meanwhile waits for it, and goes with
 * everything else that waited, in the next. That next statement goes out as soon as the last has
 * succeeded (one that failed holds its place through its retries), before the last one's callers
 * are answered (a turn of the event loop later), so PostgreSQL stores one batch while the node
 * publishes the one before. Without a cap, every turn of the event loop sent its own statement,
 * up to five at once on two cores: at 1000–1500 sends a second PostgreSQL spent 0.7–0.8 cores on
 * them, against 0.4–0.5 with two in flight. One in flight makes the batches bigger again; released
 * only once its callers had been answered, it left PostgreSQL idle while the node published, and
 * `send` failed at 4546 msg/s where two passed 5785. Overlapped, PostgreSQL spent 0.39–0.43 cores
 * at 1076–2952 sends a second against 0.46–0.53 with two, the node the same, and the (noisy)
 * `send` headline was no lower. The price: a statement waiting on a lock (another node's batch
 * on one of its chats, a transaction posting SYSTEM messages) holds all of this node's sends,
 * for up to STALLED_MS.
 */
const MAX_IN_FLIGHT = 1;

/**
 * A statement in flight this long stops holding the next back: one waiting on a chat's lock (held
 * by another node's batch, or a transaction posting SYSTEM messages) or on a hung connection must
 * not keep the node's other sends waiting with it. Batches of MAX_BATCH take tens of milliseconds.
 */
export const STALLED_MS = 200;

/** At most this many messages of one chat go to a statement together (a group). */
export const MAX_GROUP = 64;

/**
 * Appends every message of a batch in one statement (`input`: a row per message, with `ord`;
 * `chats`: the condition on `c` that picks their chats), each under the same rules as a single
 * append (chat ACTIVE, sender a member or staff entitled to it, clientMessageId unused). A chat's
 * messages take its next seqs in `ord` order, the ones refused taking none, so seqs stay
 * gapless. Chats are locked in id order, so two nodes' batches cannot deadlock. Returns the
 * stored rows with `ord`, the 1-based position of their message in the batch, and the chat's
 * member ids on the first row of each chat (null on the others: one read per chat, not per
 * message). Columns are named, not `*`: a prepared statement whose result shape changed (a column
 * added by a newer node's migration) would fail on every connection that had prepared it.
 * `one`: the input is one message, which needs no numbering within its chat.
 */
function appendOf(input: string, chats: string, one: boolean): string {
  return timestampsAsText(`
  WITH input AS (
    ${input}
  ), locked AS (
    SELECT c.id, c.type FROM chats c
    WHERE ${chats} AND c.status = 'ACTIVE'
    ORDER BY c.id FOR UPDATE
  ), allowed AS (
    SELECT i.*, ${one ? '1::bigint' : 'row_number() OVER (PARTITION BY i.chat_id ORDER BY i.ord)'} AS n
    FROM input i
    JOIN locked c ON c.id = i.chat_id
    LEFT JOIN chat_members cm ON cm.chat_id = i.chat_id AND cm.user_id = i.sender_id
    WHERE ${canAccessChatSql('cm.user_id IS NOT NULL', 'i.role', 'c.type')}
      AND (i.client_message_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM messages d
        WHERE d.chat_id = i.chat_id AND d.sender_id = i.sender_id AND d.client_message_id = i.client_message_id))
  ), added AS (
    SELECT chat_id, ${one ? '1 AS count FROM allowed' : 'count(*)::int AS count FROM allowed GROUP BY chat_id'}
  ), bumped AS (
    UPDATE chats SET last_seq = chats.last_seq + added.count, last_activity_at = now(), updated_at = now()
    FROM added WHERE chats.id = added.chat_id
    RETURNING chats.id, chats.last_seq - added.count AS base
  ), inserted AS (
    INSERT INTO messages (chat_id, seq, sender_id, sender_role, type, text, client_message_id)
    SELECT a.chat_id, b.base + a.n, a.sender_id, a.sender_role, a.type, a.text, a.client_message_id
    FROM allowed a JOIN bumped b ON b.id = a.chat_id
    RETURNING id, chat_id, seq, sender_id, sender_role, type, text, reply_to_id, client_message_id,
      is_deleted, deleted_at, edited_at, created_at
  )
  SELECT m.*, a.ord::int AS ord,
    CASE WHEN a.n = 1 THEN ${memberIds('m')} END AS member_ids
  FROM inserted m
  JOIN bumped b ON b.id = m.chat_id
  JOIN allowed a ON a.chat_id = m.chat_id AND a.n = m.seq - b.base`);
}
const APPEND_BATCH = prepared(
  appendOf(
    `SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
      WITH ORDINALITY AS i(chat_id, sender_id, sender_role, type, text, client_message_id, role, ord)`,
    'c.id = ANY($1::uuid[])',
    false,
  ),
);
/**
 * A batch of one (every send when sends are few) has a text of its own, with one value per
 * parameter: PostgreSQL costs the generic plan of the array text for ten messages, so it planned
 * each lone send afresh (0.4 ms); this one settles on its generic plan.
 */
const APPEND_ONE = prepared(
  appendOf(
    `SELECT $1::uuid AS chat_id, $2::text AS sender_id, $3::text AS sender_role, $4::text AS type,
       $5::text AS text, $6::text AS client_message_id, $7::text AS role, 1::bigint AS ord`,
    'c.id = $1',
    true,
  ),
);

/** What the batcher reads of a stored row. */
interface StoredRow {
  ord: number;
  chat_id: string;
  member_ids: unknown;
}

interface Waiting<Result> {
  append: BatchedAppend;
  resolve: (result: Result | null) => void;
  reject: (error: unknown) => void;
}

/** Appends to one chat, in the order their seqs are to follow: never split between statements. */
type Group<Result> = Waiting<Result>[];

/**
 * Gathers the plain appends made while the event loop turns once (or, with a statement already
 * in flight, until it answers or stalls) and stores them in one statement:
 * one round trip, one plan and one commit for many concurrent sends, instead of one each. Appends
 * come in groups, each of one chat; a batch holds at most one group per chat, and the caller sends
 * a chat's next group only once the last has answered, so a chat's seqs follow the order of its
 * appends (and the next statement may go out before a batch's callers hear: none of their chats'
 * next groups can be in it). Each caller gets its own row (or null when refused) once the batch
 * has committed. If the batch fails as a whole, each message is retried alone through `single`, a
 * group's in order, so one bad message (a clientMessageId racing another node, say) answers only
 * for itself.
 */
export class AppendBatcher<Row extends StoredRow, Result> {
  private waiting: Group<Result>[] = [];
  private scheduled = false;
  /** Statements sent, not yet answered and not stalled. */
  private inFlight = 0;

  constructor(
    private readonly db: DataSource,
    /** The row of a stored message as its caller gets it. */
    private readonly resultOf: (row: Row) => Result,
    /** Appends one message alone (each message of a batch that failed as a whole). */
    private readonly single: (append: BatchedAppend) => Promise<Result | null>,
  ) {}

  /** Appends to one chat (at most MAX_GROUP), stored together in this order: a promise each. */
  add(appends: BatchedAppend[]): Promise<Result | null>[] {
    if (appends.length > MAX_GROUP) throw new RangeError(`more than ${MAX_GROUP} appends at once`);
    if (appends.length === 0) return [];
    const group: Group<Result> = [];
    const results = appends.map(
      (append) =>
        new Promise<Result | null>((resolve, reject) => group.push({ append, resolve, reject })),
    );
    this.waiting.push(group);
    this.schedule();
    return results;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Up to MAX_BATCH messages, one group per chat; the rest wait for the next statement. */
  private flush(): void {
    this.scheduled = false;
    const batch: Group<Result>[] = [];
    const later: Group<Result>[] = [];
    const chats = new Set<string>();
    let size = 0;
    for (const group of this.waiting) {
      const chatId = group[0]?.append.chatId;
      if (size + group.length > MAX_BATCH || chats.has(chatId)) later.push(group);
      else {
        chats.add(chatId);
        batch.push(group);
        size += group.length;
      }
    }
    this.waiting = later;
    const statement = { counted: true };
    this.inFlight++;
    const stalled = setTimeout(() => this.uncount(statement), STALLED_MS).unref();
    const release = () => {
      clearTimeout(stalled);
      this.uncount(statement);
    };
    this.store(batch, release)
      .catch((error: unknown) => {
        for (const group of batch) for (const waiting of group) waiting.reject(error);
      })
      .finally(release);
  }

  /** The statement no longer holds the next back (answered, or stalled): what waits may go. */
  private uncount(statement: { counted: boolean }): void {
    if (!statement.counted) return;
    statement.counted = false;
    this.inFlight--;
    if (this.waiting.length > 0) this.schedule();
  }

  /**
   * Stores `batch`, calling `answered` as soon as its statement has succeeded; when that lets the
   * next statement go, its callers hear a turn later, after it has gone.
   */
  private async store(batch: Group<Result>[], answered: () => void): Promise<void> {
    const all = batch.flat();
    if (all.length === 0) return;
    let rows: Row[];
    try {
      const column = <K extends keyof BatchedAppend>(key: K) =>
        all.length === 1 ? all[0].append[key] : all.map((w) => w.append[key]);
      rows = await this.db.query<Row[]>(all.length === 1 ? APPEND_ONE : APPEND_BATCH, [
        column('chatId'),
        column('senderId'),
        column('senderRole'),
        column('type'),
        column('text'),
        column('clientMessageId'),
        column('role'),
      ]);
    } catch (error) {
      // Maybe one message's fault (a clientMessageId racing another node, a deadlock, a bad
      // value): each answers for itself. The database away is every message's answer at once.
      if (!isPerMessage(error)) throw error;
      // Still this statement's place: the retries count as it.
      await Promise.all(batch.map((group) => this.alone(group)));
      return;
    }
    // The next statement goes out first (flush, on the turn's setImmediate queue), then these
    // callers hear: PostgreSQL stores that batch while the node publishes this one.
    answered();
    if (this.scheduled) await new Promise((resolve) => setImmediate(resolve));
    const byOrd = new Map<number, Row>();
    for (const row of rows) byOrd.set(row.ord, row);
    // A chat's member ids come on its first stored row; the others share them.
    const members = new Map<string, unknown>();
    all.forEach((waiting, i) => {
      const row = byOrd.get(i + 1);
      try {
        if (row) {
          if (row.member_ids !== null) members.set(row.chat_id, row.member_ids);
          else row.member_ids = members.get(row.chat_id);
        }
        waiting.resolve(row ? this.resultOf(row) : null);
      } catch (error) {
        waiting.reject(error);
      }
    });
  }

  /** Each message of a group alone, in order: a seq taken in turn by each. */
  private async alone(group: Group<Result>): Promise<void> {
    for (const waiting of group) {
      try {
        waiting.resolve(await this.single(waiting.append));
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}

/**
 * Failures of the batch as a whole, which retrying its messages one by one would only multiply:
 * no SQLSTATE at all (connection lost, pool timeout), connection exceptions (08), insufficient
 * resources (53), operator intervention and timeouts (57), system errors (58). Anything else
 * (a constraint, a deadlock, a value PostgreSQL refused) may be one message's doing.
 */
const WHOLE_BATCH_CLASSES = new Set(['08', '53', '57', '58']);

function isPerMessage(error: unknown): boolean {
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const state = typeof driverError?.code === 'string' ? driverError.code : code;
  // SQLSTATEs are five digits or capitals; Node's socket errors (EPIPE, ECONNRESET) are not ours.
  return typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) && !state.startsWith('E')
    ? !WHOLE_BATCH_CLASSES.has(state.slice(0, 2))
    : false;
}
