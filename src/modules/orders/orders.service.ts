import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
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
import { ChatService } from '../chat/chat.service.js';
import type { Page } from '../chat/chat.types.js';
import { ChatType } from '../chat/entities/chat.entity.js';
import { iso } from '../../database/timestamps.js';
import { MessageService, type PostSystemMessage } from '../chat/message.service.js';
import type { CreateOrderDto } from './dto/create-order.dto.js';
import type { OrdersQueryDto } from './dto/order-status.dto.js';
import { OrderStatus } from './entities/order.entity.js';
import {
  OrderDomainEvent,
  type OrderCreatedEvent,
  type OrderStatusChangedEvent,
} from './order.events.js';
import { canSeeOrder, canUseOrderChat, judgeOrderMove, partyOf } from './order.policy.js';
import type { OrderView } from './order.types.js';

interface OrderRow {
  id: string;
  client_id: string;
  performer_id: string;
  title: string;
  description: string | null;
  amount: string | null;
  status: OrderStatus;
  chat_id: string;
  created_at: Date | string;
  updated_at: Date | string;
  time_us: string;
}

const ORDER_COLUMNS = `o.id, o.client_id, o.performer_id, o.title, o.description, o.amount, o.status,
  o.chat_id, o.created_at, o.updated_at, ${epochUs('o.created_at')} AS time_us`;

/** Who an order's chat belongs to: fixed when the order is created, so cached. */
interface OrderParties {
  chatId: string;
  clientId: string;
  performerId: string;
}

@Injectable()
export class OrdersService {
  private readonly parties = new ImmutableCache<string, OrderParties>(50_000);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly chats: ChatService,
    private readonly messages: MessageService,
    private readonly events: EventEmitter2,
  ) {}

  /** A CLIENT orders from a SPECIALIST; the order and its chat are created together. */
  async create(actor: Actor, dto: CreateOrderDto): Promise<OrderView> {
    if (actor.role !== Role.Client) {
      throw new DomainException(ErrorCode.Forbidden, 'only clients create orders');
    }
    if (dto.performerId === actor.id) {
      throw invalidField('performerId', 'notSelf', 'performerId must be another user');
    }
    const id = randomUUID();
    const order = await this.db.transaction(async (tx) => {
      const [performer] = await tx.query<{ role: Role }[]>(`SELECT role FROM users WHERE id = $1`, [
        dto.performerId,
      ]);
      if (!performer) throw new DomainException(ErrorCode.NotFound, 'unknown performer');
      if (performer.role !== Role.Specialist) {
        throw invalidField('performerId', 'isSpecialist', 'performerId must name a SPECIALIST');
      }
      const chatId = await this.chats.createLinked(tx, {
        type: ChatType.Order,
        title: dto.title,
        orderId: id,
        memberIds: [actor.id, dto.performerId],
        createdBy: actor.id,
      });
      const [row] = await tx.query<OrderRow[]>(
        `INSERT INTO orders AS o (id, client_id, performer_id, title, description, amount, chat_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ORDER_COLUMNS}`,
        [
          id,
          actor.id,
          dto.performerId,
          dto.title,
          dto.description || null,
          dto.amount ?? null,
          chatId,
        ],
      );
      return toOrderView(row);
    });
    await this.chats.announce(order.chatId, [order.clientId, order.performerId]);
    const event: OrderCreatedEvent = { order };
    this.events.emit(OrderDomainEvent.Created, event);
    return order;
  }

  /** The caller's orders (as client or performer), newest first; ADMIN sees every order. */
  async list(actor: Actor, query: OrdersQueryDto): Promise<Page<OrderView>> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const params = [
      cursor?.timeUs ?? null,
      cursor?.id ?? null,
      query.status ?? null,
      query.limit + 1,
    ];
    const where = `($1::bigint IS NULL OR (o.created_at, o.id) < (${fromEpochUs('$1')}, $2::uuid))
      AND ($3::text IS NULL OR o.status = $3)`;
    const newest = `ORDER BY o.created_at DESC, o.id DESC LIMIT $4`;
    // Each branch walks its own (party, created_at, id) index; a user is never both parties.
    const rows =
      actor.role === Role.Admin
        ? await this.db.query<OrderRow[]>(
            `SELECT ${ORDER_COLUMNS} FROM orders o WHERE ${where} ${newest}`,
            params,
          )
        : await this.db.query<OrderRow[]>(
            `SELECT * FROM (
               (SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.client_id = $5 AND ${where} ${newest})
               UNION ALL
               (SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.performer_id = $5 AND ${where} ${newest})
             ) o ${newest}`,
            [...params, actor.id],
          );
    const page = keysetPage(rows, query.limit);
    return {
      items: page.rows.map(toOrderView),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
    };
  }

  /** The order, if the caller may see it; FORBIDDEN otherwise, also when it does not exist. */
  async get(actor: Pick<Actor, 'id' | 'role'>, orderId: string): Promise<OrderView> {
    const [row] = await this.db.query<(OrderRow & { has_dispute: boolean })[]>(
      `SELECT ${ORDER_COLUMNS}, EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = o.id) AS has_dispute
       FROM orders o WHERE o.id = $1`,
      [orderId],
    );
    const order = row && toOrderView(row);
    if (!order || !canSeeOrder(actor.role, partyOf(actor.id, order), row.has_dispute)) {
      throw new DomainException(ErrorCode.Forbidden);
    }
    return order;
  }

  /** The order as it is now, for a module that has already checked the caller (disputes). */
  async byId(orderId: string): Promise<OrderView> {
    const [row] = await this.db.query<OrderRow[]>(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`,
      [orderId],
    );
    if (!row) throw new DomainException(ErrorCode.NotFound);
    return toOrderView(row);
  }

  /** Moves the order along its workflow: illegal moves CONFLICT, the wrong mover FORBIDDEN. */
  async setStatus(actor: Actor, orderId: string, to: OrderStatus): Promise<OrderView> {
    const order = await this.get(actor, orderId);
    const party = partyOf(actor.id, order);
    if (!canUseOrderChat(actor.role, party)) throw new DomainException(ErrorCode.Forbidden);
    switch (judgeOrderMove(order.status, to, actor.role, party)) {
      case 'illegal':
        throw new DomainException(
          ErrorCode.Conflict,
          `an order cannot move from ${order.status} to ${to}`,
        );
      case 'forbidden':
        throw new DomainException(ErrorCode.Forbidden, `you may not move this order to ${to}`);
      case 'allowed':
        break;
    }
    const event = await this.messages.withSystemMessages([order.chatId], (tx, post) =>
      this.move(tx, post, order, to, actor),
    );
    this.publish(event);
    return event.order;
  }

  /**
   * The chat of an order the caller may talk in (its parties, ADMIN), or FORBIDDEN. The parties
   * never change, so after the first look-up this costs no query.
   */
  async chatOf(actor: Pick<Actor, 'id' | 'role'>, orderId: string): Promise<string> {
    const parties = await this.parties.get(orderId, () => this.loadParties(orderId));
    if (!parties || !canUseOrderChat(actor.role, partyOf(actor.id, parties))) {
      throw new DomainException(ErrorCode.Forbidden);
    }
    return parties.chatId;
  }

  /**
   * Moves `order` to `to` inside the caller's transaction, with a SYSTEM message in its chat. The
   * update only applies to the status the caller saw, so of two concurrent moves one wins and
   * the other gets CONFLICT. The caller publishes the returned event after commit.
   */
  async move(
    tx: EntityManager,
    post: PostSystemMessage,
    order: OrderView,
    to: OrderStatus,
    actor: Actor,
  ): Promise<OrderStatusChangedEvent> {
    const [rows] = await tx.query<[OrderRow[], number]>(
      `UPDATE orders o SET status = $3, updated_at = now() WHERE o.id = $1 AND o.status = $2
       RETURNING ${ORDER_COLUMNS}`,
      [order.id, order.status, to],
    );
    if (!rows[0]) {
      throw new DomainException(ErrorCode.Conflict, 'the order changed meanwhile; reload it');
    }
    await post(order.chatId, `Order status changed from ${order.status} to ${to}`);
    return {
      order: toOrderView(rows[0]),
      previousStatus: order.status,
      changedBy: actor.id,
      timestamp: new Date().toISOString(),
      participantIds: [order.clientId, order.performerId],
    };
  }

  publish(event: OrderStatusChangedEvent): void {
    this.events.emit(OrderDomainEvent.StatusChanged, event);
  }

  private async loadParties(orderId: string): Promise<OrderParties | null> {
    const [row] = await this.db.query<
      { chat_id: string; client_id: string; performer_id: string }[]
    >(`SELECT chat_id, client_id, performer_id FROM orders WHERE id = $1`, [orderId]);
    return row
      ? { chatId: row.chat_id, clientId: row.client_id, performerId: row.performer_id }
      : null;
  }
}

export function toOrderView(row: OrderRow): OrderView {
  return {
    id: row.id,
    clientId: row.client_id,
    performerId: row.performer_id,
    title: row.title,
    description: row.description,
    amount: row.amount === null ? null : Number(row.amount),
    status: row.status,
    chatId: row.chat_id,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
