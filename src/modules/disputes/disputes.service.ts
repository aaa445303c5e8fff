import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../common/auth/actor.js';
import { Role } from '../../common/auth/auth-user.js';
import { ImmutableCache } from '../../common/cache/immutable-cache.js';
import { DomainException, invalidField } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import {
  decodeCursor,
  epochUs,
  fromEpochUs,
  keysetPage,
} from '../../common/pagination/keyset-cursor.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import { ChatService } from '../chat/chat.service.js';
import type { Page } from '../chat/chat.types.js';
import { ChatMemberRole } from '../chat/entities/chat-member.entity.js';
import { ChatType } from '../chat/entities/chat.entity.js';
import { iso } from '../../database/timestamps.js';
import { MessageService } from '../chat/message.service.js';
import { OrderStatus } from '../orders/entities/order.entity.js';
import { DISPUTABLE, partyOf } from '../orders/order.policy.js';
import { OrdersService } from '../orders/orders.service.js';
import {
  DisputeDomainEvent,
  type DisputeOpenedEvent,
  type DisputeStatusChangedEvent,
} from './dispute.events.js';
import { canOpenDispute, canSeeDispute, judgeDisputeMove } from './dispute.policy.js';
import type { DisputeView } from './dispute.types.js';
import type {
  AssignDisputeDto,
  DisputesQueryDto,
  DisputeStatusDto,
  OpenDisputeDto,
} from './dto/dispute.dto.js';
import { DisputeStatus } from './entities/dispute.entity.js';

interface DisputeRow {
  id: string;
  order_id: string;
  client_id: string;
  performer_id: string;
  opened_by: string;
  reason: string;
  status: DisputeStatus;
  moderator_id: string | null;
  resolution: string | null;
  chat_id: string;
  order_status_before: OrderStatus;
  created_at: Date | string;
  updated_at: Date | string;
  time_us: string;
}

/** A dispute with what deciding on it needs: the order's parties. */
interface DisputeRecord {
  view: DisputeView;
  orderStatusBefore: OrderStatus;
  clientId: string;
  performerId: string;
}

const DISPUTE_COLUMNS = `d.id, d.order_id, d.client_id, d.performer_id, d.opened_by, d.reason, d.status, d.moderator_id, d.resolution,
  d.chat_id, d.order_status_before, d.created_at, d.updated_at, ${epochUs('d.created_at')} AS time_us`;

const OPEN_PER_ORDER = 'UQ_disputes_open_per_order';

@Injectable()
export class DisputesService {
  private readonly parties = new ImmutableCache<
    string,
    { chatId: string; clientId: string; performerId: string }
  >(50_000);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersService,
    private readonly chats: ChatService,
    private readonly messages: MessageService,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * The order's client or performer (or ADMIN) opens a dispute on an IN_PROGRESS, DELIVERED or
   * COMPLETED order: the order becomes DISPUTED and the dispute gets its chat, all at once.
   */
  async open(actor: Actor, dto: OpenDisputeDto): Promise<DisputeView> {
    const order = await this.orders.get(actor, dto.orderId);
    if (!canOpenDispute(actor.role, partyOf(actor.id, order))) {
      throw new DomainException(
        ErrorCode.Forbidden,
        "only the order's client or performer may open a dispute",
      );
    }
    if (!DISPUTABLE.includes(order.status)) {
      throw new DomainException(
        ErrorCode.Conflict,
        `a dispute cannot be opened on a ${order.status} order`,
      );
    }
    const id = randomUUID();
    const participantIds = [order.clientId, order.performerId];
    const announce = ({ dispute }: { dispute: DisputeView }) =>
      this.chats.announce(dispute.chatId, participantIds);
    const { dispute, orderChanged } = await this.messages
      .withSystemMessages(
        [order.chatId],
        async (tx, post) => {
          const orderChanged = await this.orders.move(tx, post, order, OrderStatus.Disputed, actor);
          const chatId = await this.chats.createLinked(tx, {
            type: ChatType.Dispute,
            title: `Dispute: ${order.title}`,
            orderId: order.id,
            disputeId: id,
            memberIds: participantIds,
            createdBy: actor.id,
          });
          const [row] = await tx.query<DisputeRow[]>(
            `INSERT INTO disputes AS d
             (id, order_id, client_id, performer_id, opened_by, reason, order_status_before, chat_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${DISPUTE_COLUMNS}`,
            [
              id,
              order.id,
              order.clientId,
              order.performerId,
              actor.id,
              dto.reason,
              order.status,
              chatId,
            ],
          );
          await post(chatId, `Dispute opened: ${dto.reason}`);
          return { dispute: toDisputeView(row), orderChanged };
        },
        announce,
      )
      .catch((error: unknown) => {
        if (isUniqueViolation(error, OPEN_PER_ORDER)) {
          throw new DomainException(ErrorCode.Conflict, 'the order already has an open dispute');
        }
        throw error;
      });
    this.orders.publish(orderChanged);
    const event: DisputeOpenedEvent = { dispute, order: orderChanged.order, participantIds };
    this.events.emit(DisputeDomainEvent.Opened, event);
    return dispute;
  }

  /** Disputes of the caller's orders; a MODERATOR sees the OPEN ones and their own; ADMIN all. */
  async list(actor: Actor, query: DisputesQueryDto): Promise<Page<DisputeView>> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const params = [
      cursor?.timeUs ?? null,
      cursor?.id ?? null,
      query.status ?? null,
      query.limit + 1,
    ];
    const where = `($1::bigint IS NULL OR (d.created_at, d.id) < (${fromEpochUs('$1')}, $2::uuid))
      AND ($3::text IS NULL OR d.status = $3)`;
    const newest = `ORDER BY d.created_at DESC, d.id DESC LIMIT $4`;
    // Two disjoint branches, each served by an index, merged newest first.
    const branches = (a: string, b: string): string =>
      `SELECT * FROM ((SELECT ${DISPUTE_COLUMNS} ${a} AND ${where} ${newest})
         UNION ALL (SELECT ${DISPUTE_COLUMNS} ${b} AND ${where} ${newest})) d ${newest}`;
    let sql: string;
    switch (actor.role) {
      case Role.Admin:
        sql = `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE ${where} ${newest}`;
        break;
      case Role.Moderator:
        sql = branches(
          `FROM disputes d WHERE d.status = 'OPEN'`,
          `FROM disputes d WHERE d.moderator_id = $5`,
        );
        break;
      case Role.Client:
      case Role.Specialist:
        sql = branches(
          `FROM disputes d WHERE d.client_id = $5`,
          `FROM disputes d WHERE d.performer_id = $5`,
        );
        break;
    }
    const rows = await this.db.query<DisputeRow[]>(
      sql,
      actor.role === Role.Admin ? params : [...params, actor.id],
    );
    const page = keysetPage(rows, query.limit);
    return {
      items: page.rows.map(toDisputeView),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
    };
  }

  async get(actor: Actor, disputeId: string): Promise<DisputeView> {
    return (await this.find(actor, disputeId)).view;
  }

  /**
   * The chat of a dispute the caller may talk in, or FORBIDDEN. Who may talk there never changes
   * (the order's parties, moderators, ADMIN), so after the first look-up this costs no query.
   */
  async chatOf(actor: Actor, disputeId: string): Promise<string> {
    const parties = await this.parties.get(disputeId, async () => {
      const [row] = await this.db.query<
        { chat_id: string; client_id: string; performer_id: string }[]
      >(`SELECT chat_id, client_id, performer_id FROM disputes WHERE id = $1`, [disputeId]);
      return row
        ? { chatId: row.chat_id, clientId: row.client_id, performerId: row.performer_id }
        : null;
    });
    if (!parties || !canSeeDispute(actor.role, partyOf(actor.id, parties))) {
      throw new DomainException(ErrorCode.Forbidden);
    }
    return parties.chatId;
  }

  /**
   * A MODERATOR takes an OPEN dispute (IN_REVIEW) and joins its chat. ADMIN may take it or hand
   * it to a moderator named by `moderatorId`.
   */
  async assign(actor: Actor, disputeId: string, dto: AssignDisputeDto): Promise<DisputeView> {
    const record = await this.find(actor, disputeId);
    this.judge(record, DisputeStatus.InReview, actor);
    const moderator = await this.assignee(actor, dto.moderatorId);
    if (partyOf(moderator.id, record)) {
      throw invalidField(
        'moderatorId',
        'notParty',
        "the order's parties cannot handle its dispute",
      );
    }
    const { view } = record;
    const participantIds = [record.clientId, record.performerId, moderator.id];
    const announce = () => this.chats.announce(view.chatId, [moderator.id]);
    const dispute = await this.messages.withSystemMessages(
      [view.chatId],
      async (tx, post) => {
        const [rows] = await tx.query<[DisputeRow[], number]>(
          `UPDATE disputes d SET status = 'IN_REVIEW', moderator_id = $3, updated_at = now()
         WHERE d.id = $1 AND d.status = $2 RETURNING ${DISPUTE_COLUMNS}`,
          [view.id, view.status, moderator.id],
        );
        if (!rows[0]) throw changedMeanwhile();
        await this.chats.addMember(tx, view.chatId, moderator.id, ChatMemberRole.Moderator);
        await post(view.chatId, `${moderator.name} is reviewing the dispute`);
        return toDisputeView(rows[0]);
      },
      announce,
    );
    this.publish(DisputeDomainEvent.Assigned, dispute, view.status, actor, participantIds);
    return dispute;
  }

  /**
   * IN_REVIEW is a take (as assign); RESOLVED or REJECTED, with a resolution, closes the dispute
   * (its moderator, or ADMIN) and returns the order to the status it had before.
   */
  async setStatus(actor: Actor, disputeId: string, dto: DisputeStatusDto): Promise<DisputeView> {
    if (dto.status === DisputeStatus.InReview) {
      if (dto.resolution !== undefined) {
        throw invalidField(
          'resolution',
          'closingOnly',
          'resolution comes with RESOLVED or REJECTED',
        );
      }
      return this.assign(actor, disputeId, {});
    }
    const record = await this.find(actor, disputeId);
    this.judge(record, dto.status, actor);
    const { view } = record;
    const order = await this.orders.byId(view.orderId);
    const participantIds = [record.clientId, record.performerId, view.moderatorId].filter(
      (id): id is string => id !== null,
    );
    const { dispute, orderChanged } = await this.messages.withSystemMessages(
      [order.chatId, view.chatId],
      async (tx, post) => {
        const [rows] = await tx.query<[DisputeRow[], number]>(
          `UPDATE disputes d SET status = $3, resolution = $4, updated_at = now()
           WHERE d.id = $1 AND d.status = $2 RETURNING ${DISPUTE_COLUMNS}`,
          [view.id, view.status, dto.status, dto.resolution],
        );
        if (!rows[0]) throw changedMeanwhile();
        const verb = dto.status === DisputeStatus.Resolved ? 'resolved' : 'rejected';
        await post(view.chatId, `Dispute ${verb}: ${dto.resolution}`);
        const orderChanged = await this.orders.move(
          tx,
          post,
          order,
          record.orderStatusBefore,
          actor,
        );
        return { dispute: toDisputeView(rows[0]), orderChanged };
      },
    );
    this.orders.publish(orderChanged);
    this.publish(DisputeDomainEvent.StatusChanged, dispute, view.status, actor, participantIds);
    return dispute;
  }

  /** Illegal moves CONFLICT; the wrong mover FORBIDDEN. */
  private judge(record: DisputeRecord, to: DisputeStatus, actor: Actor): void {
    const from = record.view.status;
    const judged = judgeDisputeMove(from, to, actor.role, {
      isAssigned: record.view.moderatorId === actor.id,
      isParty: partyOf(actor.id, record) !== null,
    });
    switch (judged) {
      case 'illegal':
        throw new DomainException(
          ErrorCode.Conflict,
          `a dispute cannot move from ${from} to ${to}`,
        );
      case 'forbidden':
        throw new DomainException(ErrorCode.Forbidden, `you may not move this dispute to ${to}`);
      case 'allowed':
        return;
    }
  }

  /** Who takes the dispute: the caller, or for ADMIN the moderator they name. */
  private async assignee(
    actor: Actor,
    moderatorId?: string,
  ): Promise<{ id: string; name: string }> {
    if (moderatorId === undefined || moderatorId === actor.id) return actor;
    if (actor.role !== Role.Admin) {
      throw new DomainException(ErrorCode.Forbidden, 'only an admin may assign someone else');
    }
    const [user] = await this.db.query<{ id: string; name: string; role: Role }[]>(
      `SELECT id, name, role FROM users WHERE id = $1`,
      [moderatorId],
    );
    if (!user) throw new DomainException(ErrorCode.NotFound, 'unknown moderator');
    if (user.role !== Role.Moderator && user.role !== Role.Admin) {
      throw invalidField(
        'moderatorId',
        'isModerator',
        'moderatorId must name a MODERATOR or ADMIN',
      );
    }
    return user;
  }

  /** The dispute as the caller may see it, or FORBIDDEN (also when it does not exist). */
  private async find(actor: Actor, disputeId: string): Promise<DisputeRecord> {
    const [row] = await this.db.query<DisputeRow[]>(
      `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.id = $1`,
      [disputeId],
    );
    const parties = row && { clientId: row.client_id, performerId: row.performer_id };
    if (!row || !canSeeDispute(actor.role, partyOf(actor.id, parties))) {
      throw new DomainException(ErrorCode.Forbidden);
    }
    return { view: toDisputeView(row), orderStatusBefore: row.order_status_before, ...parties };
  }

  private publish(
    name: string,
    dispute: DisputeView,
    previousStatus: DisputeStatus,
    actor: Actor,
    participantIds: string[],
  ): void {
    const event: DisputeStatusChangedEvent = {
      dispute,
      previousStatus,
      changedBy: actor.id,
      timestamp: new Date().toISOString(),
      participantIds,
    };
    this.events.emit(name, event);
  }
}

function changedMeanwhile(): DomainException {
  return new DomainException(ErrorCode.Conflict, 'the dispute changed meanwhile; reload it');
}

function toDisputeView(row: DisputeRow): DisputeView {
  return {
    id: row.id,
    orderId: row.order_id,
    openedBy: row.opened_by,
    reason: row.reason,
    status: row.status,
    moderatorId: row.moderator_id,
    resolution: row.resolution,
    chatId: row.chat_id,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
