import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { groupBy } from '../../common/collections/group-by.js';
import { KeyedBatcher } from '../../common/concurrency/keyed-batcher.js';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import {
  decodeCursor,
  epochUs,
  fromEpochUs,
  keysetPage,
} from '../../common/pagination/keyset-cursor.js';
import type { Page } from '../chat/chat.types.js';
import { iso } from '../../database/timestamps.js';
import type { ListNotificationsDto } from './dto/notification.dto.js';
import { NotificationKind, NotificationType } from './entities/notification.entity.js';
import { MailOutboxService } from './mail/mail-outbox.service.js';
import { DELETED_PREVIEW, messageNewKey, previewOf } from './notification-preview.js';
import {
  NotificationDomainEvent,
  type NotificationInput,
  type NotificationPublishedEvent,
  type NotificationView,
  type UnreadCountEvent,
} from './notification.types.js';

interface NotificationRow {
  id: string;
  user_id: string;
  type: NotificationType;
  kind: string;
  subject: string;
  message: string;
  action_url: string | null;
  data: Record<string, unknown> | string | null;
  read_at: Date | string | null;
  created_at: Date | string;
  time_us: string;
}

/** A row of `list`, with the message it quotes, if any, as that message is now. */
interface QuotingRow extends NotificationRow {
  /** Whether it quotes a message (its kind says so and it names one). */
  quotes: boolean;
  /** Gone (its chat deleted) or deleted. */
  quoted_deleted: boolean;
  quoted_edited: boolean | null;
  quoted_text: string | null;
}

/** Checked before the cast: a stored `data` may hold anything. */
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const QUOTES = `n.kind IN ('${NotificationKind.MessageNew}', '${NotificationKind.MessageReply}')
  AND n.data->>'messageId' ~ '${UUID_PATTERN}'`;

/** What a notification says of the message it quotes: the stored preview, unless it changed. */
function quoted(row: QuotingRow): string {
  if (!row.quotes) return row.message;
  if (row.quoted_deleted) return DELETED_PREVIEW;
  if (row.quoted_edited && row.quoted_text) return previewOf(row.quoted_text, 0);
  return row.message;
}

const COLUMNS = `n.id, n.user_id, n.type, n.kind, n.subject, n.message, n.action_url, n.data, n.read_at,
  n.created_at, ${epochUs('n.created_at')} AS time_us`;

/**
 * A user's notifications. Each change and the unread count published after it happen one at a
 * time per user on this node, so the last count a device receives is the current one.
 */
@Injectable()
export class NotificationsService {
  private readonly perUser = new KeyedQueue();
  /** One statement per coalesce key at a time, what comes meanwhile in the next. */
  private readonly coalescing = new KeyedBatcher<Occurrence>((key, occurrences) =>
    this.upsertCoalesced(key, occurrences),
  );

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: MailOutboxService,
    private readonly events: EventEmitter2,
  ) {}

  /** Notifies each of `userIds`; EMAIL ones also go to the mail outbox, in the same transaction. */
  async notify(userIds: string[], input: NotificationInput): Promise<NotificationView[]> {
    const recipients = [...new Set(userIds)];
    if (recipients.length === 0) return [];
    return this.perUser.runAll(recipients, async () => {
      const rows = await this.db.transaction(async (tx) => {
        const inserted = await tx.query<NotificationRow[]>(
          `INSERT INTO notifications AS n (user_id, type, kind, subject, message, action_url, data)
           SELECT u, $2, $3, $4, $5, $6, $7 FROM unnest($1::text[]) AS u
           RETURNING ${COLUMNS}`,
          [
            recipients,
            input.type,
            input.kind,
            input.subject,
            input.message,
            input.actionUrl ?? null,
            input.data ?? null,
          ],
        );
        if (input.type === NotificationType.Email) await this.outbox.enqueue(tx, inserted);
        return inserted;
      });
      if (input.type === NotificationType.Email) this.outbox.kick();
      return this.published(rows);
    });
  }

  /**
   * Creates, or updates in place, the one unread notification each user has under
   * `coalesceKey`: the latest `input`, with `data.count` counting the occurrences. Only a new
   * notification is pushed (with the unread count it raises); an update changes no count and is
   * seen on the next list, so a notification arrives once.
   *
   * One statement per key at a time: the occurrences that come while one is in flight wait, and
   * all go in the next, each user's count raised by how many named them. A message to a large
   * group rewrites a row per member away from it (500 rows: 20-27 ms of PostgreSQL); on a node,
   * a busy chat costs one such statement per round trip, not one per message. Nothing waits when
   * the key is idle. Resolves once the statement that carried this occurrence has. An occurrence
   * takes its turn among the user's changes when its statement starts: a markRead made while it
   * waited comes first, and the occurrence then makes a new notification.
   */
  notifyCoalesced(userIds: string[], coalesceKey: string, input: CoalescedInput): Promise<void> {
    if (userIds.length === 0) return Promise.resolve();
    return this.coalescing.add(coalesceKey, { userIds, input });
  }

  private async upsertCoalesced(coalesceKey: string, occurrences: Occurrence[]): Promise<void> {
    // For each user named, how many occurrences named them and the latest that did.
    const latest = new Map<string, { count: number; input: CoalescedInput }>();
    for (const { userIds, input } of occurrences) {
      for (const id of new Set(userIds)) {
        latest.set(id, { count: (latest.get(id)?.count ?? 0) + 1, input });
      }
    }
    // In id order, as every node writes them: two nodes' batches lock the rows in one order.
    const recipients = [...latest.keys()].sort();
    // The inputs some user's row shows, once each, and each user's place among them.
    const shown = new Map<CoalescedInput, number>();
    const places = recipients.map((id) => {
      const { input } = latest.get(id)!;
      if (!shown.has(input)) shown.set(input, shown.size + 1);
      return shown.get(input)!;
    });
    const inputs = [...shown.keys()];
    await this.perUser.runAll(recipients, async () => {
      // A row per user (their count, and which input is their latest), the inputs once each.
      const rows = await this.db.query<(NotificationRow & { inserted: boolean })[]>(
        `INSERT INTO notifications AS n (user_id, type, kind, subject, message, action_url, data, coalesce_key)
         SELECT o.u, i.type, i.kind, i.subject, i.message, i.action_url,
                i.data || jsonb_build_object('count', o.c), $1
         FROM unnest($2::text[], $3::int[], $4::int[]) AS o(u, c, k)
         JOIN unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])
              WITH ORDINALITY AS i(type, kind, subject, message, action_url, data, k) USING (k)
         -- Not for a user who has read the chat past it meanwhile (their receipt came first).
         WHERE NOT EXISTS (
           SELECT 1 FROM chat_members cm
           WHERE cm.chat_id = (i.data->>'chatId')::uuid AND cm.user_id = o.u
             AND cm.last_read_seq >= (i.data->>'seq')::int)
         ON CONFLICT (user_id, coalesce_key) WHERE read_at IS NULL AND coalesce_key IS NOT NULL
         DO UPDATE SET subject = EXCLUDED.subject, message = EXCLUDED.message,
           action_url = EXCLUDED.action_url,
           data = EXCLUDED.data || jsonb_build_object('count',
             COALESCE((n.data->>'count')::int, 1) + (EXCLUDED.data->>'count')::int),
           updated_at = now()
         RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
        [
          coalesceKey,
          recipients,
          recipients.map((id) => latest.get(id)!.count),
          places,
          inputs.map((input) => input.type),
          inputs.map((input) => input.kind),
          inputs.map((input) => input.subject),
          inputs.map((input) => input.message),
          inputs.map((input) => input.actionUrl ?? null),
          inputs.map((input) => JSON.stringify(input.data)),
        ],
      );
      await this.published(rows.filter((row) => row.inserted));
    });
  }

  /**
   * The user has read the chat up to `seq`: its unread `message.new`, unless it shows a later
   * message, is read too, and the user's devices hear the new count.
   */
  async chatRead(userId: string, chatId: string, seq: number): Promise<void> {
    await this.perUser.run(userId, async () => {
      const [, updated] = await this.db.query<[unknown[], number]>(
        `UPDATE notifications SET read_at = now(), updated_at = now()
         WHERE user_id = $1 AND coalesce_key = $2 AND read_at IS NULL
           AND (data->>'seq')::int <= $3`,
        [userId, messageNewKey(chatId), seq],
      );
      if (updated > 0) await this.publishCount(userId, true);
    });
  }

  /**
   * The user's notifications, newest first (keyset on created_at, id). Those quoting a message
   * (`message.new`, `message.reply`) quote it as it is now: edited, or deleted (no text).
   */
  async list(userId: string, dto: ListNotificationsDto): Promise<Page<NotificationView>> {
    const cursor = dto.cursor ? decodeCursor(dto.cursor) : null;
    const rows = await this.db.query<QuotingRow[]>(
      `SELECT ${COLUMNS}, (${QUOTES}) AS quotes,
              m.id IS NULL OR m.is_deleted AS quoted_deleted,
              m.edited_at IS NOT NULL AS quoted_edited, m.text AS quoted_text
       FROM notifications n
       LEFT JOIN messages m ON m.id = CASE WHEN ${QUOTES} THEN (n.data->>'messageId')::uuid END
       WHERE n.user_id = $1 AND (NOT $2::boolean OR n.read_at IS NULL)
         AND ($3::bigint IS NULL OR (n.created_at, n.id) < (${fromEpochUs('$3')}, $4::uuid))
       ORDER BY n.created_at DESC, n.id DESC LIMIT $5`,
      [userId, dto.unreadOnly, cursor?.timeUs ?? null, cursor?.id ?? null, dto.limit + 1],
    );
    const page = keysetPage(rows, dto.limit);
    return {
      items: page.rows.map((row) => ({ ...toNotificationView(row), message: quoted(row) })),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
    };
  }

  async unreadCount(userId: string): Promise<{ count: number }> {
    return { count: (await this.counts([userId])).get(userId) ?? 0 };
  }

  /**
   * Marks one of the user's notifications read (again: no change, its first `readAt`); someone
   * else's is FORBIDDEN. The update tests the row itself, so of two marks at once through
   * different nodes (each node queues a user's own) only the first writes and tells.
   */
  async markRead(
    userId: string,
    notificationId: string,
  ): Promise<{ notificationId: string; readAt: string; unreadCount: number }> {
    return this.perUser.run(userId, async () => {
      const [row] = await this.db.query<{ read_at: Date | string | null; changed: boolean }[]>(
        `WITH target AS (SELECT id, read_at FROM notifications WHERE id = $1 AND user_id = $2),
              marked AS (
                UPDATE notifications n SET read_at = now(), updated_at = now()
                FROM target WHERE n.id = target.id AND n.read_at IS NULL RETURNING n.read_at)
         SELECT COALESCE((SELECT read_at FROM marked), target.read_at) AS read_at,
                EXISTS (SELECT 1 FROM marked) AS changed
         FROM target`,
        [notificationId, userId],
      );
      if (!row) throw new DomainException(ErrorCode.Forbidden);
      // No read_at: another transaction marked it after this statement began (the update found
      // the row changed, and left it); the row as it is now has the time (none: gone meanwhile).
      const readAt = row.read_at ?? (await this.currentReadAt(notificationId));
      if (!readAt) throw new DomainException(ErrorCode.Forbidden);
      const unreadCount = await this.publishCount(userId, row.changed);
      return { notificationId, readAt: iso(readAt)!, unreadCount };
    });
  }

  private async currentReadAt(notificationId: string): Promise<Date | string | undefined> {
    const [row] = await this.db.query<{ read_at: Date | string | null }[]>(
      `SELECT read_at FROM notifications WHERE id = $1`,
      [notificationId],
    );
    return row?.read_at ?? undefined;
  }

  async markAllRead(
    userId: string,
  ): Promise<{ userId: string; updated: number; unreadCount: number }> {
    return this.perUser.run(userId, async () => {
      const [, updated] = await this.db.query<[unknown[], number]>(
        `UPDATE notifications SET read_at = now(), updated_at = now()
         WHERE user_id = $1 AND read_at IS NULL`,
        [userId],
      );
      const unreadCount = await this.publishCount(userId, updated > 0);
      return { userId, updated, unreadCount };
    });
  }

  /** Publishes the rows, then each recipient's unread count. */
  private async published(rows: NotificationRow[]): Promise<NotificationView[]> {
    if (rows.length === 0) return [];
    const views = rows.map((row) => {
      const view = toNotificationView(row);
      const event: NotificationPublishedEvent = { userId: row.user_id, notification: view };
      this.events.emit(NotificationDomainEvent.Published, event);
      return view;
    });
    // Users whose counts are equal (all 1, when a message reaches a group that had read
    // everything) hear theirs in one emit: one Redis publish, not one per user.
    const counts = await this.counts(rows.map((r) => r.user_id));
    const byCount = groupBy([...counts].map(([userId, count]) => [count, userId] as const));
    for (const [count, userIds] of byCount) this.emitCount(userIds, count);
    return views;
  }

  private async publishCount(userId: string, changed: boolean): Promise<number> {
    const { count } = await this.unreadCount(userId);
    if (changed) this.emitCount([userId], count);
    return count;
  }

  private emitCount(userIds: string[], count: number): void {
    const event: UnreadCountEvent = { userIds, count };
    this.events.emit(NotificationDomainEvent.Unread, event);
  }

  /** Unread counts of several users in one query (served by IDX_notifications_unread). */
  private async counts(userIds: string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ user_id: string; count: number }[]>(
      `SELECT u AS user_id, (SELECT count(*)::int FROM notifications n
                             WHERE n.user_id = u AND n.read_at IS NULL) AS count
       FROM unnest($1::text[]) AS u`,
      [[...new Set(userIds)]],
    );
    return new Map(rows.map((r) => [r.user_id, Number(r.count)]));
  }
}

type CoalescedInput = NotificationInput & { data: Record<string, unknown> };

/** One thing that happened to `userIds` under a coalesce key. */
interface Occurrence {
  userIds: string[];
  input: CoalescedInput;
}

export function toNotificationView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    type: row.type,
    kind: row.kind,
    subject: row.subject,
    message: row.message,
    actionUrl: row.action_url,
    data:
      typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, unknown>) : row.data,
    readAt: iso(row.read_at),
    createdAt: iso(row.created_at)!,
  };
}
