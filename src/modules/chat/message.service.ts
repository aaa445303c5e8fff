import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';
import { DomainException, invalidField } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { DatabaseAdmission } from '../../database/database-admission.js';
import { isUniqueViolation } from '../../database/db-errors.js';
import { ChatSequence } from './chat-sequence.js';
import { ChatService } from './chat.service.js';
import { ChatDomainEvent, MessageCreatedEvent, MessagesReadEvent } from './chat.events.js';
import type { Actor, ChatView, MessagePage, MessageView } from './chat.types.js';
import type { GetMessagesDto, JoinChatDto } from './dto/chat-ref.dto.js';
import type { ReadMessagesDto, SendMessageDto } from './dto/send-message.dto.js';
import { ChatStatus } from './entities/chat.entity.js';
import { MessageType } from './entities/message.entity.js';
import { MAX_GROUP } from './append-batch.js';
import { isPlain, MessageStore, type Appended, type NewMessage } from './message.store.js';

const CLIENT_MESSAGE_ID_CONSTRAINT = 'UQ_messages_client_message_id';

/** Posts a SYSTEM message in the transaction it was handed to. */
export type PostSystemMessage = (chatId: string, text: string) => Promise<MessageView>;

/** A plain send to store. */
interface PlainSend {
  message: NewMessage;
  access: { userId: string; role: string };
  origin: string | undefined;
}

/** A plain send waiting, with others to its chat, for its turn. */
interface Gathered extends PlainSend {
  resolve: (appended: Appended | null) => void;
  reject: (error: unknown) => void;
}

/** An append, or null if it lost a race to an identical send on another node (the caller answers with the winner). */
function unlessTaken(appended: Promise<Appended | null>): Promise<Appended | null> {
  return appended.catch((error: unknown) => {
    if (isUniqueViolation(error, CLIENT_MESSAGE_ID_CONSTRAINT)) return null;
    throw error;
  });
}

export interface ReadResult {
  chatId: string;
  lastReadSeq: number;
  unreadCount: number;
}

@Injectable()
export class MessageService {
  /** Per chat and reader, one read receipt at a time. */
  private readonly receipts = new KeyedQueue();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly chats: ChatService,
    private readonly store: MessageStore,
    private readonly events: EventEmitter2,
    private readonly admission: DatabaseAdmission,
    private readonly ordered: ChatSequence,
  ) {}

  /**
   * send → commit → broadcast (through the `message.created` event) → return (the ack).
   * A repeated (sender, chat, clientMessageId) returns the first message, with no new row and
   * no second broadcast, also when the two sends race.
   */
  async send(actor: Actor, dto: SendMessageDto): Promise<MessageView> {
    if (!dto.text && !dto.attachmentIds?.length) {
      throw invalidField(
        'text',
        'isNotEmpty',
        'text must not be empty when there are no attachments',
        'a message needs text or attachments',
      );
    }
    const clientMessageId = dto.clientMessageId ?? null;
    const message: NewMessage = {
      chatId: dto.chatId,
      senderId: actor.id,
      senderRole: actor.role,
      type: dto.attachmentIds?.length ? MessageType.File : MessageType.Text,
      text: dto.text || null,
      replyToId: dto.replyToId ?? null,
      clientMessageId,
      attachmentIds: dto.attachmentIds,
    };
    const access = { userId: actor.id, role: actor.role };
    // Per chat, one append at a time on this node, so broadcasts leave in seq order; the chat
    // row lock serialises appends per chat in the database anyway. Plain sends that arrive while
    // the chat's last append is in flight go to the database together, as the next one.
    const stored = isPlain(message, access)
      ? await this.appendTogether({ message, access, origin: actor.origin })
      : await this.appendAlone(message, access, actor.origin);
    if (stored) return stored.message;
    return this.explainRefusal(actor, dto, clientMessageId);
  }

  /**
   * Joins the group of plain sends to the chat that waits for its turn, or starts one. A group
   * is stored in one statement once the chat's appends before it have been published; its
   * messages are then published in seq order, in one go (one write per socket for them all).
   * A group holds the sends of one socket (`origin`): its answers follow its broadcasts, so a
   * sender that is also in the chat must not see another's message of the group before the
   * answer to its own earlier one.
   */
  private appendTogether(send: PlainSend): Promise<Appended | null> {
    const { chatId, clientMessageId, senderId } = send.message;
    const group = this.ordered.gather<Gathered>(
      chatId,
      (open) =>
        open.length < MAX_GROUP &&
        open[0].origin === send.origin &&
        // A repeat of a send in the group waits for the next one, where it finds the first stored.
        (clientMessageId === null ||
          !open.some(
            (other) =>
              other.message.clientMessageId === clientMessageId &&
              other.message.senderId === senderId,
          )),
      (opened) => this.storeGroup(opened),
    );
    const { message, access, origin } = send;
    return new Promise((resolve, reject) =>
      group.push({ message, access, origin, resolve, reject }),
    );
  }

  /** After what was sent to the chat before it; what is sent after it waits for it. */
  private appendAlone(
    message: NewMessage,
    access: { userId: string; role: string },
    origin: string | undefined,
  ): Promise<Appended | null> {
    return this.ordered.run(message.chatId, async () => {
      const appended = await unlessTaken(this.store.append(message, access));
      if (appended) this.publish(appended, origin);
      return appended;
    });
  }

  private async storeGroup(group: Gathered[]): Promise<void> {
    let results: PromiseSettledResult<Appended | null>[];
    try {
      results = await Promise.allSettled(this.store.appendTogether(group).map(unlessTaken));
    } catch (error) {
      for (const send of group) send.reject(error);
      return;
    }
    // Published in seq order as one go; each answer follows its broadcast.
    group.forEach((send, i) => {
      const result = results[i];
      if (result.status === 'rejected') return send.reject(result.reason);
      try {
        if (result.value) this.publish(result.value, send.origin);
        send.resolve(result.value);
      } catch (error) {
        send.reject(error);
      }
    });
  }

  private publish(appended: Appended, origin: string | undefined): void {
    const event: MessageCreatedEvent = {
      message: appended.message,
      memberIds: appended.memberIds,
      origin,
    };
    this.events.emit(ChatDomainEvent.MessageCreated, event);
  }

  /**
   * Runs `work` in one transaction. The SYSTEM messages it posts commit with it and are published
   * once it has committed, in seq order with this node's sends to `chatIds`; `beforePublish` runs
   * between the two (to announce a chat those messages are in before they arrive).
   */
  async withSystemMessages<T>(
    chatIds: string[],
    work: (tx: EntityManager, post: PostSystemMessage) => Promise<T>,
    beforePublish?: (result: T) => Promise<void>,
  ): Promise<T> {
    // Plain sends to these chats from now on wait for the SYSTEM messages.
    return this.ordered.runAll(chatIds, async () => {
      const posted: MessageCreatedEvent[] = [];
      const result = await this.db.transaction(async (tx) => {
        // Chats first, in id order, as batched sends lock them: no deadlock between the two.
        await tx.query(`SELECT 1 FROM chats WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [
          [...new Set(chatIds)].sort(),
        ]);
        return work(tx, async (chatId, text) => {
          const appended = await this.store.appendSystem(tx, chatId, text);
          posted.push(appended);
          return appended.message;
        });
      });
      await beforePublish?.(result);
      for (const event of posted) this.events.emit(ChatDomainEvent.MessageCreated, event);
      return result;
    });
  }

  /**
   * joinChat: the chat, then the messages after `sinceSeq` or the latest page, ascending.
   * `subscribe` runs once access is granted and before history is read, so a message committed
   * meanwhile arrives live or in the history (possibly both: clients dedupe by seq), never neither.
   * The chat is read with the access check, before subscribing: its lastSeq, lastMessage and
   * unreadCount may be a message behind the page (as when both were read apart, in parallel).
   */
  join(
    actor: Actor,
    dto: JoinChatDto,
    subscribe: () => Promise<void> | void = () => undefined,
    stillWanted: () => boolean = () => true,
  ): Promise<{ chat: ChatView; messages: MessageView[]; hasMore: boolean }> {
    // Joins come in storms when clients reconnect together: admitted a few at a time, and
    // skipped when their turn comes if the socket has gone meanwhile.
    return this.admission.run(() => this.joinNow(actor, dto, subscribe), stillWanted);
  }

  private async joinNow(
    actor: Actor,
    dto: JoinChatDto,
    subscribe: () => Promise<void> | void,
  ): Promise<{ chat: ChatView; messages: MessageView[]; hasMore: boolean }> {
    // The view comes with the access check; the page is read once subscribed.
    const chat = await this.chats.visible(actor, dto.chatId);
    await subscribe();
    const messages = await this.store.page(
      dto.chatId,
      dto.sinceSeq !== undefined ? { after: dto.sinceSeq } : { before: null },
      dto.limit + 1,
    );
    const hasMore = messages.length > dto.limit;
    const page =
      dto.sinceSeq !== undefined
        ? messages.slice(0, dto.limit)
        : messages.slice(messages.length - dto.limit);
    return { chat, messages: hasMore ? page : messages, hasMore };
  }

  /** History, ascending by seq; `nextCursor` continues in the same direction. */
  async history(actor: Actor, dto: GetMessagesDto): Promise<MessagePage> {
    if (dto.before !== undefined && dto.after !== undefined) {
      throw invalidField(
        'after',
        'exclusive',
        'before and after cannot be combined',
        'pass before or after, not both',
      );
    }
    // The access check and the page are one statement (one wait); a refusal drops the page
    // unread by anyone, and a page is bounded by `limit` whatever the chat's size.
    const rows = await this.store.pageFor(
      actor,
      dto.chatId,
      dto.after !== undefined ? { after: dto.after } : { before: dto.before ?? null },
      dto.limit + 1,
    );
    const hasMore = rows.length > dto.limit;
    if (dto.after !== undefined) {
      const items = rows.slice(0, dto.limit);
      return { items, hasMore, nextCursor: hasMore ? items[items.length - 1].seq : null };
    }
    const items = hasMore ? rows.slice(1) : rows;
    return { items, hasMore, nextCursor: hasMore ? items[0].seq : null };
  }

  /**
   * Moves the caller's read marker forward (never back) to upToSeq or the newest of messageIds.
   * A user's receipts for a chat go one at a time, each told before the next is stored: told as
   * their statements answered, two receipts at once could reach the chat in the wrong order.
   */
  read(actor: Actor, dto: ReadMessagesDto): Promise<ReadResult> {
    return this.receipts.run(`${dto.chatId}:${actor.id}`, () => this.readNow(actor, dto));
  }

  private async readNow(actor: Actor, dto: ReadMessagesDto): Promise<ReadResult> {
    const { moved, lastReadSeq, unreadCount, messageIds } = await this.chats.markRead(
      actor,
      dto.chatId,
      dto.upToSeq ?? 0,
      dto.messageIds ?? [],
    );
    if (moved) {
      const event: MessagesReadEvent = {
        chatId: dto.chatId,
        userId: actor.id,
        lastReadSeq,
        messageIds,
        readAt: new Date().toISOString(),
      };
      this.events.emit(ChatDomainEvent.MessagesRead, event);
    }
    return { chatId: dto.chatId, lastReadSeq, unreadCount };
  }

  /** The send was refused: say why, in the order a client can act on. */
  private async explainRefusal(
    actor: Actor,
    dto: SendMessageDto,
    clientMessageId: string | null,
  ): Promise<MessageView> {
    const chat = await this.chats.access(actor, dto.chatId);
    if (clientMessageId !== null) {
      const first = await this.store.byClientMessageId(dto.chatId, actor.id, clientMessageId);
      if (first) return first;
    }
    if (chat.status !== ChatStatus.Active) throw new DomainException(ErrorCode.ChatClosed);
    if (dto.replyToId) {
      throw invalidField(
        'replyToId',
        'sameChat',
        'replyToId must name a message of this chat',
        'replyToId must name a message of this chat',
      );
    }
    throw new DomainException(ErrorCode.Conflict, 'the message could not be stored, retry');
  }
}
