import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { invalidField } from '../../common/errors/domain.exception.js';
import { prepared } from '../../database/prepared.js';
import { iso, timestampsAsText } from '../../database/timestamps.js';
import { FileUrlSigner } from '../files/file-url.signer.js';
import { AppendBatcher, memberIdsOf } from './append-batch.js';
import type { ChatType } from './entities/chat.entity.js';
import type { MessageType } from './entities/message.entity.js';
import { canAccessChatSql, permitted } from './chat.policy.js';
import type { Actor, AttachmentView, MessageView, ReactionView } from './chat.types.js';

/** A message's own columns, named: a prepared statement's result must keep its shape. */
const COLUMNS = `m.id, m.chat_id, m.seq, m.sender_id, m.sender_role, m.type, m.text, m.reply_to_id,
  m.client_message_id, m.is_deleted, m.deleted_at, m.edited_at, m.created_at`;

/**
 * Every message read: `selection` (a SELECT of COLUMNS from `messages m`) picks the rows, which
 * come back with their reply summary, reactions and attachments, in `order`. The reactions and
 * the attachments of the whole selection are gathered in one pass each, not by a subquery per row
 * (which cost PostgreSQL twice the time of the page itself). Each pass looks up the page's ids as
 * an array (`= ANY (ARRAY(…))`): an index scan whatever a generic plan guesses the page's size to
 * be, where a semi-join could turn into a scan of the whole table.
 *
 * A message without reactions or attachments has null for them, not an empty JSON array: in a
 * page of 50 that is 100 fewer JSON values for pg to copy out and parse (a seventh of a plain pg
 * client's CPU per history page); the view makes them empty lists.
 *
 * With `gate` (a one-row SELECT of `chat_type` and `is_member`), its columns come first in every
 * row, and its row comes once with null message columns when the selection is empty: the access
 * check and the page in one statement. No row at all means no such chat.
 */
function readOf(selection: string, order = '', gate?: string): string {
  const read = `page m LEFT JOIN messages r ON r.id = m.reply_to_id
  LEFT JOIN rx ON rx.message_id = m.id LEFT JOIN fx ON fx.message_id = m.id`;
  return timestampsAsText(`WITH page AS MATERIALIZED (${selection}),
  rx AS (
    SELECT x.message_id,
           json_agg(json_build_object('emoji', x.emoji, 'count', x.n, 'userIds', x.user_ids) ORDER BY x.first_at) AS reactions
    FROM (
      SELECT message_id, emoji, count(*)::int AS n, array_agg(user_id ORDER BY created_at) AS user_ids,
             min(created_at) AS first_at
      FROM message_reactions WHERE message_id = ANY (ARRAY(SELECT id FROM page))
      GROUP BY message_id, emoji
    ) x GROUP BY x.message_id
  ),
  fx AS (
    SELECT f.message_id,
           json_agg(json_build_object('id', f.id, 'fileName', f.file_name, 'mimeType', f.mime_type, 'size', f.size)
                    ORDER BY f.created_at, f.id) AS attachments
    FROM files f WHERE f.message_id = ANY (ARRAY(SELECT id FROM page)) GROUP BY f.message_id
  )
  SELECT ${gate ? 'g.chat_type, g.is_member, ' : ''}${COLUMNS},
         r.id AS r_id, r.sender_id AS r_sender_id, r.text AS r_text, r.is_deleted AS r_is_deleted,
         rx.reactions, fx.attachments
  FROM ${gate ? `(${gate}) g LEFT JOIN (${read}) ON true` : read} ${order}`);
}

/** What the access check needs of chat $1, for user `viewer` (a parameter), as readOf's gate. */
function gateOf(viewer: string): string {
  return `SELECT c.type AS chat_type, cm.user_id IS NOT NULL AS is_member
    FROM chats c LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = ${viewer}
    WHERE c.id = $1`;
}

/**
 * A page read, prepared in two forms: `plain` for a caller that has checked access already (a
 * join), and `gated` with the access check of the viewer, the last parameter (history).
 */
function pageOf(selection: string, order: string, params: number) {
  return {
    plain: prepared(readOf(selection, order)),
    gated: prepared(readOf(selection, order, gateOf(`$${params + 1}`))),
  };
}

const MEMBER_IDS = memberIdsOf('messages');

/**
 * The replied message ($6), read once the chat's row is locked (it names `bumped`) and locked
 * itself: a share lock reads its latest version, not the statement's older snapshot, so an edit
 * or delete that committed while the send waited for the chat is seen, and one that comes later
 * waits for the send. Chat row first, then the message, as the foreign key's check takes them.
 */
const REPLIED_CTE = `replied AS (
     SELECT r.sender_id, r.text, r.is_deleted FROM messages r, bumped WHERE r.id = $6 FOR SHARE OF r
   )`;
/** The reply summary of the row just inserted, as readOf gives it: the answer needs no second read. */
const REPLIED = `messages.reply_to_id AS r_id,
   (SELECT sender_id FROM replied) AS r_sender_id,
   (SELECT text FROM replied) AS r_text,
   (SELECT is_deleted FROM replied) AS r_is_deleted`;
/**
 * Claims the sender's unsent uploads for a message, returning them as readOf's attachments (in
 * its order), and how many there were.
 */
const CLAIM_FILES = `WITH claimed AS (
     UPDATE files SET message_id = $1, chat_id = $2
     WHERE id = ANY($3::uuid[]) AND uploader_id = $4 AND message_id IS NULL
     RETURNING id, file_name, mime_type, size, created_at
   )
   SELECT count(*)::int AS claimed,
          json_agg(json_build_object('id', id, 'fileName', file_name, 'mimeType', mime_type, 'size', size)
                   ORDER BY created_at, id) AS attachments
   FROM claimed`;

/** A message that no batch takes (a reply, attachments, another sender), stored alone. */
const INSERT = timestampsAsText(
  `WITH target AS (
     SELECT c.id FROM chats c
     LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = $2
     WHERE c.id = $1 AND c.status = 'ACTIVE'
       AND ${canAccessChatSql('cm.user_id IS NOT NULL', '$9', 'c.type')}
       AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM messages p WHERE p.id = $6 AND p.chat_id = $1))
       AND ($7::text IS NULL OR NOT EXISTS (
         SELECT 1 FROM messages d WHERE d.chat_id = $1 AND d.sender_id = $2 AND d.client_message_id = $7))
   ), bumped AS (
     UPDATE chats SET last_seq = chats.last_seq + 1, last_activity_at = now(), updated_at = now()
     FROM target WHERE chats.id = target.id AND chats.status = 'ACTIVE'
     RETURNING chats.id, chats.last_seq
   ), ${REPLIED_CTE}
   INSERT INTO messages (chat_id, seq, sender_id, sender_role, type, text, reply_to_id, client_message_id)
   SELECT id, last_seq, $3, $4, $5, $8, $6, $7 FROM bumped
   RETURNING *, ${MEMBER_IDS}, ${REPLIED}`,
);
const APPEND_SYSTEM = timestampsAsText(
  `WITH bumped AS (
     UPDATE chats SET last_seq = last_seq + 1, last_activity_at = now(), updated_at = now()
     WHERE id = $1 RETURNING id, last_seq
   )
   INSERT INTO messages (chat_id, seq, type, text) SELECT id, last_seq, 'SYSTEM', $2 FROM bumped
   RETURNING *, ${MEMBER_IDS}`,
);

const BY_ID = prepared(readOf(`SELECT ${COLUMNS} FROM messages m WHERE m.id = $1`));
const BY_CLIENT_MESSAGE_ID = readOf(
  `SELECT ${COLUMNS} FROM messages m
   WHERE m.chat_id = $1 AND m.sender_id = $2 AND m.client_message_id = $3`,
);
const AFTER = pageOf(
  `SELECT ${COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3`,
  'ORDER BY m.seq ASC',
  3,
);
// Two texts, not one with `$2 IS NULL OR …`: each has one plan that fits it.
const BEFORE = pageOf(
  `SELECT ${COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`,
  'ORDER BY m.seq DESC',
  3,
);
const LATEST = pageOf(
  `SELECT ${COLUMNS} FROM messages m WHERE m.chat_id = $1 ORDER BY m.seq DESC LIMIT $2`,
  'ORDER BY m.seq DESC',
  2,
);
/**
 * The latest message of each chat in `chats` (a relation with `id` and `last_seq`), as a statement
 * for a CTE: the chat views read it in the same statement as the chats.
 */
export function latestMessagesOf(chats: string): string {
  return readOf(
    `SELECT ${COLUMNS} FROM messages m JOIN ${chats} ON ${chats}.id = m.chat_id AND m.seq = ${chats}.last_seq`,
  );
}

/** A message just stored, with the members of its chat at that moment. */
export interface Appended {
  message: MessageView;
  memberIds: string[];
}

export interface MessageRow {
  id: string;
  chat_id: string;
  seq: number;
  sender_id: string | null;
  sender_role: string | null;
  type: MessageType;
  text: string | null;
  reply_to_id: string | null;
  client_message_id: string | null;
  is_deleted: boolean;
  deleted_at: Date | string | null;
  edited_at: Date | string | null;
  created_at: Date | string;
  r_id?: string | null;
  r_sender_id?: string | null;
  r_text?: string | null;
  r_is_deleted?: boolean | null;
  reactions?: ReactionView[] | string | null;
  attachments?: Omit<AttachmentView, 'url'>[] | string | null;
}

export interface NewMessage {
  chatId: string;
  senderId: string | null;
  senderRole: string | null;
  type: MessageType;
  text: string | null;
  replyToId: string | null;
  clientMessageId: string | null;
  attachmentIds?: string[];
}

type InsertedRow = MessageRow & { member_ids: string[] };
/** A row of a gated read: the gate's columns, then a message's (all null in an empty page's row). */
type GatedRow = MessageRow & { chat_type: ChatType; is_member: boolean };

/**
 * A message with no reply and no attachments, sent by the one it is checked for: what can be
 * stored with others in one statement (`appendTogether`).
 */
export function isPlain(message: NewMessage, access: { userId: string }): boolean {
  return !message.attachmentIds?.length && !message.replyToId && message.senderId === access.userId;
}

/** Reads and writes of messages in plain SQL: one statement per operation on the hot path. */
@Injectable()
export class MessageStore {
  /** Plain messages sent at the same moment share one statement. */
  private readonly batcher: AppendBatcher<InsertedRow & { ord: number }, Appended>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly urls: FileUrlSigner,
  ) {
    this.batcher = new AppendBatcher(
      db,
      (row) => this.appended(row),
      (append) =>
        this.insert(
          this.db.manager,
          { ...append, replyToId: null },
          { userId: append.senderId, role: append.role },
        ),
    );
  }

  /**
   * Appends a message: takes the next seq under the chat row's lock and inserts, in one
   * statement, so a failure leaves no gap. Returns null when the chat refuses it (not ACTIVE, no
   * access, bad reply, or a clientMessageId already used): the caller finds out which.
   */
  async append(
    message: NewMessage,
    access: { userId: string; role: string },
  ): Promise<Appended | null> {
    if (isPlain(message, access)) return this.appendTogether([{ message, access }])[0];
    const attachmentIds = message.attachmentIds ?? [];
    if (attachmentIds.length === 0) return this.insert(this.db.manager, message, access);
    // With attachments: the message and the claim on the sender's unattached uploads commit together.
    return this.db.transaction(async (tx) => {
      const row = await this.insert(tx, message, access);
      if (!row) return null;
      const [{ claimed, attachments }] = await tx.query<
        { claimed: number; attachments: MessageRow['attachments'] }[]
      >(CLAIM_FILES, [row.message.id, message.chatId, attachmentIds, access.userId]);
      if (claimed !== attachmentIds.length) {
        throw invalidField(
          'attachmentIds',
          'ownUpload',
          'attachments must be your own unsent uploads',
          'attachments must be your own unsent uploads',
        );
      }
      return {
        message: { ...row.message, attachments: this.attachmentsOf(attachments) },
        memberIds: row.memberIds,
      };
    });
  }

  /**
   * Plain messages (`isPlain`) to one chat, at most MAX_GROUP: stored with other sends of the
   * moment, in one statement, taking the chat's seqs in this order. Each answers for itself, as
   * `append` would.
   */
  appendTogether(
    appends: { message: NewMessage; access: { userId: string; role: string } }[],
  ): Promise<Appended | null>[] {
    return this.batcher.add(
      appends.map(({ message, access }) => ({
        chatId: message.chatId,
        senderId: access.userId,
        senderRole: message.senderRole ?? access.role,
        type: message.type,
        text: message.text,
        clientMessageId: message.clientMessageId,
        role: access.role,
      })),
    );
  }

  private async insert(
    db: EntityManager,
    message: NewMessage,
    access: { userId: string; role: string },
  ): Promise<Appended | null> {
    const rows = await db.query<InsertedRow[]>(INSERT, [
      message.chatId,
      access.userId,
      message.senderId,
      message.senderRole,
      message.type,
      message.replyToId,
      message.clientMessageId,
      message.text,
      access.role,
    ]);
    return rows[0] ? this.appended(rows[0]) : null;
  }

  /** A new message has no reactions and (until its uploads are claimed) no attachments. */
  private appended(row: InsertedRow): Appended {
    return {
      message: this.view({ ...row, reactions: [], attachments: [] }),
      memberIds: row.member_ids,
    };
  }

  /**
   * Appends a SYSTEM message (no sender) inside the caller's transaction, whatever the chat's
   * status: the caller has already decided that it happened.
   */
  async appendSystem(tx: EntityManager, chatId: string, text: string): Promise<Appended> {
    const [row] = await tx.query<InsertedRow[]>(APPEND_SYSTEM, [chatId, text]);
    return this.appended(row);
  }

  async byId(id: string): Promise<MessageView | null> {
    const rows = await this.db.query<MessageRow[]>(BY_ID, [id]);
    return rows[0] ? this.view(rows[0]) : null;
  }

  /** The view of a row (or of its JSON, as a statement's column) of a message read. */
  view(row: MessageRow): MessageView {
    return toMessageView(row, (fileId) => this.urls.url(fileId));
  }

  private attachmentsOf(files: MessageRow['attachments']): AttachmentView[] {
    return attachmentViews(files, (fileId) => this.urls.url(fileId));
  }

  async byClientMessageId(
    chatId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageView | null> {
    const rows = await this.db.query<MessageRow[]>(BY_CLIENT_MESSAGE_ID, [
      chatId,
      senderId,
      clientMessageId,
    ]);
    return rows[0] ? this.view(rows[0]) : null;
  }

  /** Up to `limit` messages from `from`, ascending; for a caller that has checked access. */
  async page(chatId: string, from: PageFrom, limit: number): Promise<MessageView[]> {
    const read = pageRead(chatId, from, limit);
    const rows = await this.db.query<MessageRow[]>(read.texts.plain, read.params);
    return this.ascending(rows, read.ascending);
  }

  /**
   * The same page, for `actor` only if they may read the chat (FORBIDDEN otherwise, whether or not
   * it exists): the access check reads in the page's own statement, one wait instead of two.
   */
  async pageFor(
    actor: Pick<Actor, 'id' | 'role'>,
    chatId: string,
    from: PageFrom,
    limit: number,
  ): Promise<MessageView[]> {
    const read = pageRead(chatId, from, limit);
    const rows = await this.db.query<GatedRow[]>(read.texts.gated, [...read.params, actor.id]);
    permitted(actor, rows[0] && { type: rows[0].chat_type, is_member: rows[0].is_member });
    // An empty page is one row of the gate alone.
    return this.ascending(rows[0].id === null ? [] : rows, read.ascending);
  }

  private ascending(rows: MessageRow[], ascending: boolean): MessageView[] {
    return (ascending ? rows : rows.reverse()).map((row) => this.view(row));
  }
}

/** Where a page starts: after a seq (ascending), or before one or the latest (descending). */
type PageFrom = { after: number } | { before: number | null };

function pageRead(chatId: string, from: PageFrom, limit: number) {
  if ('after' in from)
    return { texts: AFTER, params: [chatId, from.after, limit], ascending: true };
  if (from.before === null) return { texts: LATEST, params: [chatId, limit], ascending: false };
  return { texts: BEFORE, params: [chatId, from.before, limit], ascending: false };
}

/** The attachments of a row as readOf gives them (a JSON array, or null for none), with links. */
function attachmentViews(
  attachments: MessageRow['attachments'],
  urlOf: (fileId: string) => string,
): AttachmentView[] {
  const files =
    typeof attachments === 'string'
      ? (JSON.parse(attachments) as Omit<AttachmentView, 'url'>[])
      : attachments;
  return (files ?? []).map((f) => ({ ...f, size: Number(f.size), url: urlOf(f.id) }));
}

export function toMessageView(row: MessageRow, urlOf: (fileId: string) => string): MessageView {
  const reactions =
    typeof row.reactions === 'string'
      ? (JSON.parse(row.reactions) as ReactionView[])
      : row.reactions;
  return {
    id: row.id,
    chatId: row.chat_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    senderRole: row.sender_role,
    type: row.type,
    text: row.is_deleted ? null : row.text,
    attachments: row.is_deleted ? [] : attachmentViews(row.attachments, urlOf),
    replyToId: row.reply_to_id,
    replyTo: row.r_id
      ? {
          id: row.r_id,
          senderId: row.r_sender_id ?? null,
          text: row.r_is_deleted ? null : (row.r_text ?? null),
          isDeleted: Boolean(row.r_is_deleted),
        }
      : null,
    clientMessageId: row.client_message_id,
    reactions: reactions ?? [],
    isDeleted: row.is_deleted,
    deletedAt: iso(row.deleted_at),
    editedAt: iso(row.edited_at),
    createdAt: iso(row.created_at)!,
  };
}
