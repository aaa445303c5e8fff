import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { groupBy } from '../../common/collections/group-by.js';
import { DomainException, invalidField } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { prepared } from '../../database/prepared.js';
import { iso, timestampsAsText } from '../../database/timestamps.js';
import {
  decodeCursor,
  epochUs,
  fromEpochUs,
  keysetPage,
} from '../../common/pagination/keyset-cursor.js';
import { administersChat, canAccessChatSql, permitted } from './chat.policy.js';
import {
  ChatDomainEvent,
  type ChatCreatedEvent,
  type ChatDeletedEvent,
  type ChatStatusChangedEvent,
} from './chat.events.js';
import type { Actor, ChatView, MemberView, Page } from './chat.types.js';
import type { CreateChatDto } from './dto/create-chat.dto.js';
import type { ChatIdDto, MyChatsDto } from './dto/chat-ref.dto.js';
import type { ChatStatusDto } from './dto/message-ref.dto.js';
import { ChatMemberRole } from './entities/chat-member.entity.js';
import { ChatStatus, ChatType } from './entities/chat.entity.js';
import { latestMessagesOf, MessageStore, type MessageRow } from './message.store.js';
import { ActiveUsers } from './active-users.js';
import { ChatSequence } from './chat-sequence.js';
import { ChatCreationLimiter } from '../../common/limits/user-rate.limiters.js';

interface ChatRow {
  id: string;
  type: ChatType;
  title: string | null;
  status: ChatStatus;
  order_id: string | null;
  dispute_id: string | null;
  last_seq: number;
  created_at: Date | string;
  updated_at: Date | string;
  activity_us?: string;
}

/** A chat view's row: the chat, its members and the viewer's unread count, its latest message. */
interface ViewRow extends ChatRow {
  /** joinedAt in PostgreSQL's JSON form (microseconds, an offset) until iso() trims it. */
  members: MemberView[];
  is_member: boolean;
  unread: number;
  last_message: MessageRow | null;
}

/** What a read receipt did to the caller's marker, and their unread count after it. */
export interface ReadMark {
  moved: boolean;
  lastReadSeq: number;
  unreadCount: number;
  /** Of the `messageIds` given, those that name a message of the chat (when it moved). */
  messageIds: string[];
}

export interface ChatAccess {
  id: string;
  type: ChatType;
  status: ChatStatus;
  lastSeq: number;
  isMember: boolean;
  lastReadSeq: number;
  /** The caller's part in the chat, when a member. */
  memberRole: ChatMemberRole | null;
}

/**
 * Unread count of the chat_members row `member` up to seq `upToSeq` (SQL): the messages after its
 * read marker that others sent and that are not deleted. A chat's seqs are gapless (every append
 * takes `last_seq + 1` with the insert, in one transaction, and a message is never removed, only
 * marked deleted), so the range holds `upToSeq - last_read_seq` messages; the count subtracts the
 * member's own (IDX_messages_sender) and the deleted ones (IDX_messages_deleted) from that. It
 * reads those few index entries, not the whole range: a member behind by a million messages costs
 * what one behind by ten does, in a join, a chat list and every chatActivity sent to them.
 */
function unreadOf(member: string, upToSeq: string): string {
  const range = `m.chat_id = ${member}.chat_id AND m.seq > ${member}.last_read_seq AND m.seq <= ${upToSeq}`;
  return `GREATEST(0, ${upToSeq} - ${member}.last_read_seq
    - (SELECT count(*) FROM messages m WHERE ${range} AND m.sender_id = ${member}.user_id AND NOT m.is_deleted)
    - (SELECT count(*) FROM messages m WHERE ${range} AND m.is_deleted))::int`;
}

const CHAT_COLUMNS = `c.id, c.type, c.title, c.status, c.order_id, c.dispute_id, c.last_seq, c.created_at, c.updated_at`;

// The statements clients run most (history pages, sends, read markers, joins below): planned once
// per connection.
const ACCESS = prepared(
  `SELECT c.id, c.type, c.status, c.last_seq, cm.user_id IS NOT NULL AS is_member, cm.last_read_seq,
          cm.role AS member_role
   FROM chats c LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = $2
   WHERE c.id = $1`,
);
/**
 * Chat views in one statement (a join reads it while it holds its place in admission): the chats
 * `picked` selects, their members, their latest messages, and whether viewer $2 is a member of
 * each and their unread count there (which is also what the access check needs).
 */
function viewsOf(picked: string): string {
  return timestampsAsText(`WITH picked AS (SELECT ${CHAT_COLUMNS} FROM chats c WHERE ${picked}),
   latest AS (${latestMessagesOf('picked')})
   SELECT ${CHAT_COLUMNS},
     COALESCE((
       SELECT json_agg(json_build_object('userId', cm.user_id, 'name', u.name, 'role', u.role,
                                         'lastReadSeq', cm.last_read_seq, 'joinedAt', cm.joined_at)
                       ORDER BY cm.joined_at, cm.user_id)
       FROM chat_members cm JOIN users u ON u.id = cm.user_id WHERE cm.chat_id = c.id
     ), '[]'::json) AS members,
     viewer.user_id IS NOT NULL AS is_member,
     CASE WHEN viewer.user_id IS NULL THEN 0 ELSE ${unreadOf('viewer', 'c.last_seq')} END AS unread,
     CASE WHEN l.id IS NULL THEN NULL ELSE row_to_json(l) END AS last_message
   FROM picked c LEFT JOIN latest l ON l.chat_id = c.id
   LEFT JOIN chat_members viewer ON viewer.chat_id = c.id AND viewer.user_id = $2`);
}
/**
 * One chat (a join, a change, a REST read) has a text of its own: PostgreSQL costs a generic plan
 * of `= ANY($1)` for ten chats, so with that text it planned every join afresh (0.7 ms, more than
 * the statement's run); with `= $1` it settles on the generic plan after five runs.
 */
const VIEW = prepared(viewsOf('c.id = $1'));
const VIEWS = prepared(viewsOf('c.id = ANY($1::uuid[])'));
/**
 * A read receipt in one statement: the access check's row, the target (upToSeq $3 or the newest
 * of messageIds $4, never past the chat's last seq), the marker of member $2 moved forward to it,
 * and their unread count after the move. The SELECT reads the statement's snapshot, so `seen` is
 * the marker before the move, and the count is taken from the moved marker explicitly.
 */
const MARK_READ = prepared(
  `WITH named AS (SELECT id, seq FROM messages WHERE chat_id = $1 AND id = ANY($4::uuid[])),
   target AS (SELECT GREATEST($3::int, COALESCE((SELECT max(seq) FROM named), 0)) AS seq),
   moved AS (
     UPDATE chat_members cm SET last_read_seq = LEAST(t.seq, c.last_seq)
     FROM chats c, target t
     WHERE cm.chat_id = $1 AND cm.user_id = $2 AND c.id = cm.chat_id
       AND cm.last_read_seq < LEAST(t.seq, c.last_seq)
     RETURNING cm.last_read_seq
   )
   SELECT c.id, c.type, cm.user_id IS NOT NULL AS is_member, cm.last_read_seq AS seen,
     LEAST((SELECT seq FROM target), c.last_seq) AS target, mv.last_read_seq AS moved_to,
     ARRAY(SELECT id::text FROM named) AS named,
     CASE WHEN cm.user_id IS NULL THEN 0 ELSE ${unreadOf('mark', 'c.last_seq')} END AS unread
   FROM chats c
   LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = $2
   LEFT JOIN moved mv ON true
   LEFT JOIN LATERAL (
     SELECT cm.chat_id, cm.user_id, COALESCE(mv.last_read_seq, cm.last_read_seq) AS last_read_seq
   ) mark ON true
   WHERE c.id = $1`,
);
/** The member's read marker and unread count as they are now. */
const MARKER = `SELECT cm.last_read_seq, ${unreadOf('cm', 'c.last_seq')} AS unread
   FROM chat_members cm JOIN chats c ON c.id = cm.chat_id WHERE cm.chat_id = $1 AND cm.user_id = $2`;
/** Pairs (user_id, peer_id) of users `mine` picks and the users who share a chat with them. */
function coMembersWhere(mine: string): string {
  return `SELECT DISTINCT mine.user_id, other.user_id AS peer_id FROM chat_members mine
   JOIN chat_members other ON other.chat_id = mine.chat_id AND other.user_id <> mine.user_id
   WHERE ${mine}`;
}
const CO_MEMBERS = prepared(coMembersWhere('mine.user_id = $1'));
// Not prepared: an array of users (a presence batch, up to a thousand) is planned for its length.
const CO_MEMBERS_OF = coMembersWhere('mine.user_id = ANY($1::text[])');

@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly messages: MessageStore,
    private readonly events: EventEmitter2,
    private readonly active: ActiveUsers,
    private readonly sequence: ChatSequence,
    private readonly creations: ChatCreationLimiter,
  ) {}

  /** The chat as `actor` may see it, or FORBIDDEN (also when it does not exist). */
  async access(actor: Pick<Actor, 'id' | 'role'>, chatId: string): Promise<ChatAccess> {
    const rows = await this.db.query<
      {
        id: string;
        type: ChatType;
        status: ChatStatus;
        last_seq: number;
        is_member: boolean;
        last_read_seq: number | null;
        member_role: ChatMemberRole | null;
      }[]
    >(ACCESS, [chatId, actor.id]);
    const row = permitted(actor, rows[0]);
    return {
      id: row.id,
      type: row.type,
      status: row.status,
      lastSeq: Number(row.last_seq),
      isMember: row.is_member,
      lastReadSeq: Number(row.last_read_seq ?? 0),
      memberRole: row.member_role,
    };
  }

  async create(actor: Actor, dto: CreateChatDto): Promise<ChatView> {
    const memberIds =
      dto.type === ChatType.Direct
        ? [actor.id, dto.userId!]
        : [...new Set([actor.id, ...(dto.memberIds ?? [])])];
    const beyondTwo =
      dto.type === ChatType.Direct &&
      dto.memberIds?.some((id) => id !== actor.id && id !== dto.userId);
    if (beyondTwo) {
      // Made without them, they would be left out unsaid.
      throw invalidField(
        'memberIds',
        'onlyIf',
        'a DIRECT chat has its creator and userId only; GROUP and SUPPORT take memberIds',
      );
    }
    if (dto.type === ChatType.Direct && dto.userId === actor.id) {
      throw invalidField(
        'userId',
        'notSelf',
        'userId must be another user',
        'cannot start a direct chat with yourself',
      );
    }
    const { chatId, created } = await this.db.transaction(async (tx) => {
      await this.requireUsers(tx, memberIds);
      // A DIRECT chat that exists already is returned without taking from the rate.
      if (dto.type === ChatType.Direct) return this.createDirect(tx, actor.id, dto.userId!);
      this.countCreation(actor.id);
      const [row] = await tx.query<{ id: string }[]>(
        `INSERT INTO chats (type, title, created_by) VALUES ($1, $2, $3) RETURNING id`,
        [dto.type, dto.title, actor.id],
      );
      await this.addMembers(tx, row.id, memberIds, actor.id);
      return { chatId: row.id, created: true };
    });
    // Gone already only if deleted meanwhile (a DIRECT chat, by its other member).
    const chat = await this.viewOne(chatId, actor.id, ErrorCode.Conflict);
    if (created) {
      const event: ChatCreatedEvent = { chat, memberIds };
      this.events.emit(ChatDomainEvent.ChatCreated, event);
    }
    return chat;
  }

  /**
   * Takes one chat from the user's creation rate (LIMIT_CHATS_PER_MINUTE), or throws RATE_LIMITED:
   * inside the transaction that makes the chat, once what could refuse it has passed, so a
   * refusal rolls back what was written and a request refused otherwise takes nothing.
   */
  private countCreation(userId: string): void {
    this.creations.take(userId);
  }

  /**
   * Creates the chat an order or a dispute owns, inside the owner's transaction: its members are
   * the parties, none of them owner (the order or dispute drives the chat).
   */
  async createLinked(
    tx: EntityManager,
    chat: {
      type: ChatType.Order | ChatType.Dispute;
      title: string;
      orderId: string;
      disputeId?: string;
      memberIds: string[];
      createdBy: string;
    },
  ): Promise<string> {
    this.countCreation(chat.createdBy);
    const [row] = await tx.query<{ id: string }[]>(
      `INSERT INTO chats (type, title, order_id, dispute_id, created_by) VALUES ($1, $2, $3, $4, $5)
       RETURNING id`,
      [chat.type, chat.title, chat.orderId, chat.disputeId ?? null, chat.createdBy],
    );
    await this.addMembers(tx, row.id, chat.memberIds);
    return row.id;
  }

  /** Adds a member with its part in the chat (a dispute's moderator), inside the caller's transaction. */
  async addMember(
    tx: EntityManager,
    chatId: string,
    userId: string,
    role: ChatMemberRole,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO chat_members (chat_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (chat_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
      [chatId, userId, role],
    );
  }

  /**
   * Tells `memberIds` (every socket of each) that a chat now exists for them, as the first of them
   * sees it: whoever made it (ADMIN opening a dispute) may not be a member, and would be shown an
   * unread count of 0. One view serves them all, since a chat is announced to members who have
   * read nothing in it yet, and the only messages written in it without them are SYSTEM ones (one
   * joining later, an assigned moderator, is announced alone). It runs after the chat has
   * committed, so a failure here is logged, not thrown: the chat exists either way.
   */
  async announce(chatId: string, memberIds: string[]): Promise<void> {
    try {
      const [chat] = await this.views([chatId], memberIds[0]);
      if (!chat) return; // deleted meanwhile: there is nothing to announce
      const event: ChatCreatedEvent = { chat, memberIds };
      this.events.emit(ChatDomainEvent.ChatCreated, event);
    } catch (error) {
      this.logger.warn(`chatCreated for ${chatId} not sent: ${String(error)}`);
    }
  }

  /**
   * GROUP/SUPPORT: their creator or ADMIN; other chats: ADMIN (orders and disputes drive theirs),
   * but not one who is a party to the order of an ORDER or DISPUTE chat (`administersChat`).
   * Told once per change: a status the chat has already (set meanwhile by another caller, maybe
   * on another node) is no change.
   */
  async setStatus(actor: Actor, dto: ChatStatusDto): Promise<ChatView> {
    // Checked before it takes the chat's turn: no one else can hold the chat's sends up with it.
    const chat = await this.owned(actor, dto.chatId);
    await this.sequence.run(dto.chatId, async () => {
      const [changed] = await this.db.query<[unknown[], number]>(
        `UPDATE chats SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2 RETURNING id`,
        [dto.chatId, dto.status],
      );
      if (changed.length > 0) {
        const event: ChatStatusChangedEvent = {
          chatId: chat.id,
          status: dto.status,
          memberIds: chat.memberIds,
        };
        this.events.emit(ChatDomainEvent.StatusChanged, event);
      }
    });
    return this.viewOne(dto.chatId, actor.id, ErrorCode.Forbidden);
  }

  /**
   * GROUP/SUPPORT: their creator or ADMIN; DIRECT: either member or ADMIN. ORDER and DISPUTE
   * chats live as long as their order or dispute: CONFLICT.
   */
  async remove(actor: Actor, dto: ChatIdDto): Promise<{ chatId: string }> {
    const chat = await this.owned(actor, dto.chatId, { directMembersMay: true });
    if (chat.type === ChatType.Order || chat.type === ChatType.Dispute) {
      throw new DomainException(ErrorCode.Conflict, 'order and dispute chats cannot be deleted');
    }
    return this.sequence.run(dto.chatId, async () => {
      const [deleted] = await this.db.query<[unknown[], number]>(
        `DELETE FROM chats WHERE id = $1 RETURNING id`,
        [dto.chatId],
      );
      // Deleted meanwhile by another caller, who told the members: as if it never was.
      if (deleted.length === 0) throw new DomainException(ErrorCode.Forbidden);
      const event: ChatDeletedEvent = {
        chatId: chat.id,
        deletedBy: actor.id,
        memberIds: chat.memberIds,
      };
      this.events.emit(ChatDomainEvent.ChatDeleted, event);
      return { chatId: chat.id };
    });
  }

  /** getActiveUsers: users with a socket joined to the chat, on every node. */
  async activeUsers(actor: Actor, chatId: string): Promise<{ chatId: string; userIds: string[] }> {
    await this.access(actor, chatId);
    return { chatId, userIds: await this.active.of(chatId) };
  }

  /**
   * Unread counts of members of one chat, each as of a seq (`pairs`: the user and the seq of the
   * message they are told of), in one query (for chatActivity: the event of message n counts no
   * message sent after it, even one committed before the count is read): by user, then by seq.
   */
  async unreadByMember(
    chatId: string,
    pairs: { userId: string; seq: number }[],
  ): Promise<Map<string, Map<number, number>>> {
    const rows = await this.db.query<{ user_id: string; seq: number; unread: number }[]>(
      `SELECT cm.user_id, p.seq, ${unreadOf('cm', 'p.seq')} AS unread
       FROM unnest($2::text[], $3::int[]) AS p(user_id, seq)
       JOIN chat_members cm ON cm.chat_id = $1 AND cm.user_id = p.user_id`,
      [chatId, pairs.map((p) => p.userId), pairs.map((p) => p.seq)],
    );
    const unread = new Map<string, Map<number, number>>();
    for (const row of rows) {
      const bySeq = unread.get(row.user_id) ?? new Map<number, number>();
      bySeq.set(Number(row.seq), Number(row.unread));
      unread.set(row.user_id, bySeq);
    }
    return unread;
  }

  /**
   * Whether a user who is no member of the chat may read it now (ADMIN, a MODERATOR in a dispute
   * chat), by the role the database holds for them. One query, for what no member list tells.
   */
  async readableByStaff(userId: string, chatId: string): Promise<boolean> {
    const rows = await this.db.query<{ ok: boolean }[]>(
      `SELECT ${canAccessChatSql('false', 'u.role', 'c.type')} AS ok
       FROM users u, chats c WHERE u.id = $1 AND c.id = $2`,
      [userId, chatId],
    );
    return rows[0]?.ok === true;
  }

  /** The users who share at least one chat with `userId` (for presence). */
  async coMembers(userId: string): Promise<string[]> {
    const rows = await this.db.query<{ peer_id: string }[]>(CO_MEMBERS, [userId]);
    return rows.map((r) => r.peer_id);
  }

  /** For each of `userIds` that has any, the users who share at least one chat with it. */
  async coMembersOf(userIds: string[]): Promise<Map<string, string[]>> {
    const rows = await this.db.query<{ user_id: string; peer_id: string }[]>(CO_MEMBERS_OF, [
      userIds,
    ]);
    return groupBy(rows.map(({ user_id, peer_id }) => [user_id, peer_id] as const));
  }

  /** Member ids of a chat (for events addressed to every socket of each member). */
  async memberIds(chatId: string): Promise<string[]> {
    const rows = await this.db.query<{ user_id: string }[]>(
      `SELECT user_id FROM chat_members WHERE chat_id = $1`,
      [chatId],
    );
    return rows.map((r) => r.user_id);
  }

  private async owned(
    actor: Actor,
    chatId: string,
    { directMembersMay = false } = {},
  ): Promise<{ id: string; type: ChatType; status: ChatStatus; memberIds: string[] }> {
    const access = await this.access(actor, chatId);
    const isAdmin = administersChat(actor.role, access.type, access.memberRole);
    const isCreator =
      (access.type === ChatType.Group || access.type === ChatType.Support) &&
      access.memberRole === ChatMemberRole.Owner;
    const isDirectMember = directMembersMay && access.type === ChatType.Direct && access.isMember;
    if (!isAdmin && !isCreator && !isDirectMember) {
      throw new DomainException(
        ErrorCode.Forbidden,
        'only the chat creator or an admin may do this',
      );
    }
    return {
      id: access.id,
      type: access.type,
      status: access.status,
      memberIds: await this.memberIds(chatId),
    };
  }

  /** The caller's chats, most recent activity first (keyset on activity time and id). */
  async mine(actor: Actor, dto: MyChatsDto): Promise<Page<ChatView>> {
    const cursor = dto.cursor ? decodeCursor(dto.cursor) : null;
    const rows = await this.db.query<{ id: string; time_us: string }[]>(
      `SELECT c.id, ${epochUs('c.last_activity_at')} AS time_us
       FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
       WHERE cm.user_id = $1
         AND ($2::bigint IS NULL OR (c.last_activity_at, c.id) < (${fromEpochUs('$2')}, $3::uuid))
       ORDER BY c.last_activity_at DESC, c.id DESC
       LIMIT $4`,
      [actor.id, cursor?.timeUs ?? null, cursor?.id ?? null, dto.limit + 1],
    );
    const page = keysetPage(rows, dto.limit);
    return {
      items: await this.views(
        page.rows.map((r) => r.id),
        actor.id,
      ),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
    };
  }

  /** Full Chat views (members, last message, unread count for `viewerId`) in one statement. */
  async views(chatIds: string[], viewerId: string): Promise<ChatView[]> {
    if (chatIds.length === 0) return [];
    const rows =
      chatIds.length === 1
        ? await this.db.query<ViewRow[]>(VIEW, [chatIds[0], viewerId])
        : await this.db.query<ViewRow[]>(VIEWS, [chatIds, viewerId]);
    const byId = new Map(rows.map((row): [string, ChatView] => [row.id, this.viewOf(row)]));
    return chatIds.map((id) => byId.get(id)).filter((c): c is ChatView => Boolean(c));
  }

  /** One chat's view for `viewerId`; `missing` when it is gone (deleted since it was last read). */
  private async viewOne(chatId: string, viewerId: string, missing: ErrorCode): Promise<ChatView> {
    const [chat] = await this.views([chatId], viewerId);
    if (!chat) throw new DomainException(missing, 'the chat has been deleted');
    return chat;
  }

  /**
   * The chat as `actor` sees it, read together with the access check (one statement, not two):
   * FORBIDDEN when they may not see it, as from access().
   */
  async visible(actor: Pick<Actor, 'id' | 'role'>, chatId: string): Promise<ChatView> {
    const [row] = await this.db.query<ViewRow[]>(VIEW, [chatId, actor.id]);
    return this.viewOf(permitted(actor, row));
  }

  private viewOf(c: ViewRow): ChatView {
    return {
      id: c.id,
      type: c.type,
      // The contract's title is a string: a DIRECT chat's, never set, is empty.
      title: c.title ?? '',
      status: c.status,
      orderId: c.order_id,
      disputeId: c.dispute_id,
      members: c.members.map((m) => ({ ...m, joinedAt: iso(m.joinedAt)! })),
      lastSeq: Number(c.last_seq),
      lastMessage: c.last_message && this.messages.view(c.last_message),
      unreadCount: Number(c.unread),
      createdAt: iso(c.created_at)!,
      updatedAt: iso(c.updated_at)!,
    };
  }

  /**
   * Moves the caller's read marker forward (never back, never past the chat's last seq) to
   * `upToSeq` or the newest of `messageIds`, with the access check, in one statement; FORBIDDEN
   * as from access(). Staff who are no members have no marker: 0 and 0, and nothing moves.
   */
  async markRead(
    actor: Pick<Actor, 'id' | 'role'>,
    chatId: string,
    upToSeq: number,
    messageIds: string[],
  ): Promise<ReadMark> {
    const rows = await this.db.query<
      {
        id: string;
        type: ChatType;
        is_member: boolean;
        seen: number | null;
        target: number;
        moved_to: number | null;
        unread: number;
        named: string[];
      }[]
    >(MARK_READ, [chatId, actor.id, upToSeq, messageIds]);
    const row = permitted(actor, rows[0]);
    if (!row.is_member) return { moved: false, lastReadSeq: 0, unreadCount: 0, messageIds: [] };
    if (row.moved_to !== null) {
      // In the order given, each once: ids of other chats' messages, or of none, are not told
      // to the chat (the DTO lowercased them, as ::text prints a uuid).
      const named = new Set(row.named);
      return {
        moved: true,
        lastReadSeq: Number(row.moved_to),
        unreadCount: Number(row.unread),
        messageIds: [...new Set(messageIds)].filter((id) => named.has(id)),
      };
    }
    const seen = Number(row.seen);
    if (Number(row.target) <= seen) {
      return { moved: false, lastReadSeq: seen, unreadCount: Number(row.unread), messageIds: [] };
    }
    // It would have moved from what the statement saw, and did not: a concurrent read moved it
    // further meanwhile. Answer the marker as it is now.
    const [now] = await this.db.query<{ last_read_seq: number; unread: number }[]>(MARKER, [
      chatId,
      actor.id,
    ]);
    return {
      moved: false,
      lastReadSeq: Number(now?.last_read_seq ?? seen),
      unreadCount: Number(now?.unread ?? row.unread),
      messageIds: [],
    };
  }

  private async createDirect(
    tx: EntityManager,
    a: string,
    b: string,
  ): Promise<{ chatId: string; created: boolean }> {
    const key = directKey(a, b);
    // The first chat of the two, or a new one; each statement sees what has committed before it,
    // so a first chat deleted between the two is found missing once and made anew.
    for (let attempt = 1; ; attempt += 1) {
      const inserted = await tx.query<{ id: string }[]>(
        `INSERT INTO chats (type, created_by, direct_key) VALUES ('DIRECT', $1, $2)
         ON CONFLICT (direct_key) WHERE direct_key IS NOT NULL DO NOTHING RETURNING id`,
        [a, key],
      );
      if (inserted[0]) {
        // Refused, the transaction rolls the new chat back.
        this.countCreation(a);
        await this.addMembers(tx, inserted[0].id, [a, b]);
        return { chatId: inserted[0].id, created: true };
      }
      const [existing] = await tx.query<{ id: string }[]>(
        `SELECT id FROM chats WHERE direct_key = $1`,
        [key],
      );
      if (existing) return { chatId: existing.id, created: false };
      if (attempt === 3)
        throw new DomainException(ErrorCode.Conflict, 'the chat is being deleted; try again');
    }
  }

  private async addMembers(
    tx: EntityManager,
    chatId: string,
    userIds: string[],
    ownerId?: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO chat_members (chat_id, user_id, role)
       SELECT $1, u, CASE WHEN u = $3 THEN 'OWNER' ELSE 'MEMBER' END FROM unnest($2::text[]) AS u
       ON CONFLICT DO NOTHING`,
      [chatId, userIds, ownerId ?? null],
    );
  }

  private async requireUsers(tx: EntityManager, ids: string[]): Promise<void> {
    const rows = await tx.query<
      {
        id: string;
      }[]
    >(`SELECT id FROM users WHERE id = ANY($1::text[])`, [ids]);
    const known = new Set(rows.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new DomainException(ErrorCode.NotFound, 'unknown users', { userIds: unknown });
    }
  }
}

/** Unambiguous key of an unordered pair of ids. */
function directKey(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  return `${x.length}:${x}|${y}`;
}
