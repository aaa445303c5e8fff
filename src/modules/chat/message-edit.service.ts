import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role } from '../../common/auth/auth-user.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { permitted } from './chat.policy.js';
import { ChatDomainEvent, type MessageChangedEvent, type ReactionEvent } from './chat.events.js';
import type { Actor, MessageView } from './chat.types.js';
import type { EditMessageDto, MessageIdDto, ReactionDto } from './dto/message-ref.dto.js';
import { ChatStatus, type ChatType } from './entities/chat.entity.js';
import { MessageType } from './entities/message.entity.js';
import { MessageStore } from './message.store.js';

interface MessageAccess {
  chatId: string;
  senderId: string | null;
  type: MessageType;
  isDeleted: boolean;
  chatStatus: ChatStatus;
}

/** Edits, soft deletes and reactions: changes to messages that already have their seq. */
@Injectable()
export class MessageEditService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: MessageStore,
    private readonly events: EventEmitter2,
  ) {}

  /** The sender only, on a message that is not deleted, in an ACTIVE chat. */
  async edit(actor: Actor, dto: EditMessageDto): Promise<MessageView> {
    const target = await this.access(actor, dto.messageId);
    if (target.senderId !== actor.id)
      throw new DomainException(ErrorCode.Forbidden, 'only the sender may edit a message');
    if (target.isDeleted) throw new DomainException(ErrorCode.Conflict, 'the message is deleted');
    if (target.chatStatus !== ChatStatus.Active) throw new DomainException(ErrorCode.ChatClosed);
    await this.db.query(
      `UPDATE messages SET text = $2, edited_at = now() WHERE id = $1 AND NOT is_deleted`,
      [dto.messageId, dto.text],
    );
    return this.changed(ChatDomainEvent.MessageUpdated, dto.messageId);
  }

  /** Soft delete by the sender, or by a MODERATOR/ADMIN with access; the seq stays. */
  async remove(actor: Actor, dto: MessageIdDto): Promise<MessageView> {
    const target = await this.access(actor, dto.messageId);
    if (target.type === MessageType.System) {
      throw new DomainException(ErrorCode.Forbidden, 'system messages cannot be deleted');
    }
    const moderates = actor.role === Role.Admin || actor.role === Role.Moderator;
    if (target.senderId !== actor.id && !moderates) {
      throw new DomainException(
        ErrorCode.Forbidden,
        'only the sender or a moderator may delete a message',
      );
    }
    if (target.isDeleted) return (await this.store.byId(dto.messageId))!;
    if (target.chatStatus !== ChatStatus.Active && !moderates)
      throw new DomainException(ErrorCode.ChatClosed);
    await this.db.query(
      `UPDATE messages SET is_deleted = true, deleted_at = now(), text = NULL WHERE id = $1 AND NOT is_deleted`,
      [dto.messageId],
    );
    return this.changed(ChatDomainEvent.MessageDeleted, dto.messageId);
  }

  /** One reaction per (message, user, emoji); adding twice changes nothing and tells no one. */
  async addReaction(actor: Actor, dto: ReactionDto): Promise<MessageView> {
    const target = await this.writable(actor, dto.messageId);
    const inserted = await this.db.query<{ message_id: string }[]>(
      `INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING message_id`,
      [dto.messageId, actor.id, dto.emoji],
    );
    if (inserted.length > 0) this.reacted(ChatDomainEvent.ReactionAdded, target.chatId, actor, dto);
    return (await this.store.byId(dto.messageId))!;
  }

  async removeReaction(actor: Actor, dto: ReactionDto): Promise<MessageView> {
    const target = await this.writable(actor, dto.messageId);
    const [removed] = await this.db.query<[unknown[], number]>(
      `DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3 RETURNING message_id`,
      [dto.messageId, actor.id, dto.emoji],
    );
    if (removed.length > 0)
      this.reacted(ChatDomainEvent.ReactionRemoved, target.chatId, actor, dto);
    return (await this.store.byId(dto.messageId))!;
  }

  private async writable(actor: Actor, messageId: string): Promise<MessageAccess> {
    const target = await this.access(actor, messageId);
    if (target.isDeleted) throw new DomainException(ErrorCode.Conflict, 'the message is deleted');
    if (target.chatStatus !== ChatStatus.Active) throw new DomainException(ErrorCode.ChatClosed);
    return target;
  }

  /** The message's chat as the actor may see it: FORBIDDEN without access, or if it does not exist. */
  private async access(actor: Actor, messageId: string): Promise<MessageAccess> {
    const rows = await this.db.query<
      {
        chat_id: string;
        sender_id: string | null;
        message_type: MessageType;
        is_deleted: boolean;
        type: ChatType;
        status: ChatStatus;
        is_member: boolean;
      }[]
    >(
      `SELECT m.chat_id, m.sender_id, m.type AS message_type, m.is_deleted, c.type, c.status, cm.user_id IS NOT NULL AS is_member
       FROM messages m JOIN chats c ON c.id = m.chat_id
       LEFT JOIN chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = $2
       WHERE m.id = $1`,
      [messageId, actor.id],
    );
    const row = permitted(actor, rows[0]);
    return {
      chatId: row.chat_id,
      senderId: row.sender_id,
      type: row.message_type,
      isDeleted: row.is_deleted,
      chatStatus: row.status,
    };
  }

  private async changed(event: string, messageId: string): Promise<MessageView> {
    const message = (await this.store.byId(messageId))!;
    const payload: MessageChangedEvent = { message };
    this.events.emit(event, payload);
    return message;
  }

  private reacted(event: string, chatId: string, actor: Actor, dto: ReactionDto): void {
    const payload: ReactionEvent = {
      chatId,
      messageId: dto.messageId,
      userId: actor.id,
      emoji: dto.emoji,
    };
    this.events.emit(event, payload);
  }
}
