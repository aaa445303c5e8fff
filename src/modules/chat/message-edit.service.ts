import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { moderatesChat, permitted } from './chat.policy.js';
import { ChatDomainEvent, type MessageChangedEvent, type ReactionEvent } from './chat.events.js';
import type { Actor, MessageView } from './chat.types.js';
import type { EditMessageDto, MessageIdDto, ReactionDto } from './dto/message-ref.dto.js';
import type { ChatMemberRole } from './entities/chat-member.entity.js';
import { ChatStatus, type ChatType } from './entities/chat.entity.js';
import { MessageType } from './entities/message.entity.js';
import { MessageStore } from './message.store.js';
import { ChatSequence } from './chat-sequence.js';

interface MessageAccess {
  chatId: string;
  senderId: string | null;
  type: MessageType;
  isDeleted: boolean;
  chatStatus: ChatStatus;
  /** Whether the caller moderates this chat (see `moderatesChat`). */
  moderates: boolean;
}

/**
 * The chat of a change ($2), if it is still ACTIVE (or `closedToo`), share-locked: a close waits
 * for the change, and a change that waited for a close sees it. The chat is locked before the
 * message, as sends lock a replied message after its chat.
 */
function unlessClosed(closedToo = 'false'): string {
  return `open AS (
    SELECT id FROM chats WHERE id = $2 AND (status = 'ACTIVE' OR ${closedToo}) FOR SHARE
  )`;
}
/**
 * An update of the message ($1) if it is still not deleted (one that waited for a delete skips
 * it): its id if it was made. Read through a SELECT, so both drivers answer with the rows alone.
 */
function updateUnlessDeleted(set: string): string {
  return `, changed AS (
    UPDATE messages m SET ${set} FROM open
    WHERE m.id = $1 AND m.chat_id = open.id AND NOT m.is_deleted RETURNING m.id
  ) SELECT id FROM changed`;
}
const EDIT = `WITH ${unlessClosed()} ${updateUnlessDeleted('text = $3, edited_at = now()')}`;
const DELETE = `WITH ${unlessClosed('$3')}
  ${updateUnlessDeleted('is_deleted = true, deleted_at = now(), text = NULL')}`;
/**
 * The message ($1) of a reaction if it is still not deleted, share-locked against a delete (which
 * waits for the reaction); `changed` is 0 for a reaction already there (or not there, to remove).
 */
function unlessClosedOrDeleted(): string {
  return `${unlessClosed()}, target AS (
    SELECT m.id FROM messages m JOIN open ON open.id = m.chat_id
    WHERE m.id = $1 AND NOT m.is_deleted FOR SHARE OF m
  )`;
}
/** At most this many different emoji on a message, and this many of them by one user. */
export const MAX_REACTION_EMOJI = 50;
export const MAX_REACTIONS_PER_USER = 20;
/**
 * A new reaction is `full` when it would pass either limit (one already there is no change): a
 * message's reactions travel in every view of it, so they must stay bounded.
 */
const ADD_REACTION = `WITH ${unlessClosedOrDeleted()}, counts AS (
    SELECT count(DISTINCT emoji) AS emojis, count(*) FILTER (WHERE user_id = $3) AS mine,
           coalesce(bool_or(emoji = $4), false) AS known,
           coalesce(bool_or(emoji = $4 AND user_id = $3), false) AS had
    FROM message_reactions WHERE message_id = $1
  ), allowed AS (
    SELECT had OR ((known OR emojis < ${MAX_REACTION_EMOJI}) AND mine < ${MAX_REACTIONS_PER_USER}) AS ok
    FROM counts
  ), changed AS (
    INSERT INTO message_reactions (message_id, user_id, emoji)
    SELECT id, $3, $4 FROM target, allowed WHERE allowed.ok
    ON CONFLICT DO NOTHING RETURNING 1
  )
  SELECT (SELECT count(*) FROM target)::int AS writable, (SELECT count(*) FROM changed)::int AS changed,
         NOT (SELECT ok FROM allowed) AS full`;
const REMOVE_REACTION = `WITH ${unlessClosedOrDeleted()}, changed AS (
    DELETE FROM message_reactions r USING target
    WHERE r.message_id = target.id AND r.user_id = $3 AND r.emoji = $4 RETURNING 1
  )
  SELECT (SELECT count(*) FROM target)::int AS writable, (SELECT count(*) FROM changed)::int AS changed`;

/**
 * Edits, soft deletes and reactions: changes to messages that already have their seq. Each is
 * checked, then made by a statement that checks again what may have changed meanwhile (the
 * message deleted, the chat closed), in the chat's sequence: told once, after what came before.
 */
@Injectable()
export class MessageEditService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: MessageStore,
    private readonly events: EventEmitter2,
    private readonly sequence: ChatSequence,
  ) {}

  /** The sender only, on a message that is not deleted, in an ACTIVE chat. */
  async edit(actor: Actor, dto: EditMessageDto): Promise<MessageView> {
    const target = await this.access(actor, dto.messageId);
    if (target.senderId !== actor.id)
      throw new DomainException(ErrorCode.Forbidden, 'only the sender may edit a message');
    mayChange(target);
    // The write and its event take the chat's turn; a refusal is explained after it.
    const edited = await this.sequence.run(target.chatId, async () => {
      const rows = await this.db.query<unknown[]>(EDIT, [dto.messageId, target.chatId, dto.text]);
      return rows.length > 0 ? this.changed(ChatDomainEvent.MessageUpdated, dto.messageId) : null;
    });
    return edited ?? this.refused(actor, dto.messageId);
  }

  /**
   * Soft delete by the sender, or by a MODERATOR/ADMIN with access who is not a party to the
   * order the chat is about; the seq stays.
   */
  async remove(actor: Actor, dto: MessageIdDto): Promise<MessageView> {
    const target = await this.access(actor, dto.messageId);
    if (target.type === MessageType.System) {
      throw new DomainException(ErrorCode.Forbidden, 'system messages cannot be deleted');
    }
    const { moderates } = target;
    if (target.senderId !== actor.id && !moderates) {
      throw new DomainException(
        ErrorCode.Forbidden,
        'only the sender or a moderator may delete a message',
      );
    }
    // Deleted already (maybe a moment ago, by someone else): the same answer, told no one again.
    if (target.isDeleted) return this.current(dto.messageId);
    if (target.chatStatus !== ChatStatus.Active && !moderates)
      throw new DomainException(ErrorCode.ChatClosed);
    const deleted = await this.sequence.run(target.chatId, async () => {
      const rows = await this.db.query<unknown[]>(DELETE, [
        dto.messageId,
        target.chatId,
        moderates,
      ]);
      return rows.length > 0 ? this.changed(ChatDomainEvent.MessageDeleted, dto.messageId) : null;
    });
    if (deleted) return deleted;
    // Deleted meanwhile by someone else: the same answer; anything else, its reason.
    const now = await this.access(actor, dto.messageId);
    return now.isDeleted ? this.current(dto.messageId) : explained(now);
  }

  /** One reaction per (message, user, emoji); adding twice changes nothing and tells no one. */
  addReaction(actor: Actor, dto: ReactionDto): Promise<MessageView> {
    return this.react(actor, dto, ADD_REACTION, ChatDomainEvent.ReactionAdded);
  }

  removeReaction(actor: Actor, dto: ReactionDto): Promise<MessageView> {
    return this.react(actor, dto, REMOVE_REACTION, ChatDomainEvent.ReactionRemoved);
  }

  private async react(
    actor: Actor,
    dto: ReactionDto,
    statement: string,
    event: string,
  ): Promise<MessageView> {
    const target = await this.writable(actor, dto.messageId);
    const written = await this.sequence.run(target.chatId, async () => {
      const [result] = await this.db.query<{ writable: number; changed: number; full?: boolean }[]>(
        statement,
        [dto.messageId, target.chatId, actor.id, dto.emoji],
      );
      if (result.changed > 0) this.reacted(event, target.chatId, actor, dto);
      return result.writable === 0 ? 'refused' : result.full === true ? 'full' : 'done';
    });
    if (written === 'full') {
      throw new DomainException(
        ErrorCode.Conflict,
        `a message takes at most ${MAX_REACTION_EMOJI} different emoji, ${MAX_REACTIONS_PER_USER} of them from one user`,
        { limit: MAX_REACTION_EMOJI, perUser: MAX_REACTIONS_PER_USER },
      );
    }
    return written === 'done' ? this.current(dto.messageId) : this.refused(actor, dto.messageId);
  }

  private async writable(actor: Actor, messageId: string): Promise<MessageAccess> {
    return mayChange(await this.access(actor, messageId));
  }

  /**
   * A change that found the message deleted or its chat closed after its check: the reason, read
   * again (or CONFLICT, should it have changed back).
   */
  private async refused(actor: Actor, messageId: string): Promise<never> {
    return explained(await this.access(actor, messageId));
  }

  private async current(messageId: string): Promise<MessageView> {
    const message = await this.store.byId(messageId);
    // Gone only with its chat, deleted meanwhile.
    if (!message) throw new DomainException(ErrorCode.Forbidden);
    return message;
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
        member_role: ChatMemberRole | null;
      }[]
    >(
      `SELECT m.chat_id, m.sender_id, m.type AS message_type, m.is_deleted, c.type, c.status,
              cm.user_id IS NOT NULL AS is_member, cm.role AS member_role
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
      moderates: moderatesChat(actor.role, row.type, row.member_role),
    };
  }

  private async changed(event: string, messageId: string): Promise<MessageView> {
    const message = await this.current(messageId);
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

/** Why a change found `target` unchangeable after its check (CONFLICT, should it be fine now). */
function explained(target: MessageAccess): never {
  mayChange(target);
  throw new DomainException(ErrorCode.Conflict, 'the message changed meanwhile; try again');
}

/** A message not deleted, in an ACTIVE chat: what edits and reactions need. */
function mayChange(target: MessageAccess): MessageAccess {
  if (target.isDeleted) throw new DomainException(ErrorCode.Conflict, 'the message is deleted');
  if (target.chatStatus !== ChatStatus.Active) throw new DomainException(ErrorCode.ChatClosed);
  return target;
}
