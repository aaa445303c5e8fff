import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ImmutableCache } from '../../common/cache/immutable-cache.js';
import { ChatType } from './entities/chat.entity.js';

/** What a chat belongs to, as the /orders and /disputes events name it beside chatId. */
export interface ChatLink {
  orderId?: string;
  disputeId?: string;
}

/**
 * chatId → the order or dispute owning it. A chat's owner never changes, so answers are cached;
 * look-ups of one chat resolve in call order, so the events they hold up keep their order.
 */
@Injectable()
export class ChatLinks {
  private readonly cache = new ImmutableCache<string, ChatLink>(50_000);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async of(chatId: string): Promise<ChatLink> {
    return (await this.cache.get(chatId, () => this.load(chatId))) ?? {};
  }

  private async load(chatId: string): Promise<ChatLink> {
    const [row] = await this.db.query<
      { type: ChatType; order_id: string | null; dispute_id: string | null }[]
    >(`SELECT type, order_id, dispute_id FROM chats WHERE id = $1`, [chatId]);
    if (row?.type === ChatType.Order && row.order_id) return { orderId: row.order_id };
    if (row?.type === ChatType.Dispute && row.dispute_id) return { disputeId: row.dispute_id };
    return {};
  }
}
