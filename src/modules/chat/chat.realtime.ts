import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';
import type { RedisClusterLink } from '../../realtime/redis-cluster.adapter.js';
import { holdWrites } from '../../realtime/coalesced-writes.js';
import { ChatServerEvent, Room } from '../../realtime/events.js';
import { REDIS_CLUSTER } from '../../redis/redis.tokens.js';
import {
  ChatDomainEvent,
  type ChatCreatedEvent,
  type ChatDeletedEvent,
  type ChatStatusChangedEvent,
  type MessageChangedEvent,
  type MessageCreatedEvent,
  type MessagesReadEvent,
  type ReactionEvent,
  type TypingEvent,
} from './chat.events.js';
import { ChatService } from './chat.service.js';

/** Between nodes: a message was stored; each node tells its own sockets that are not joined. */
const ACTIVITY = 'chat:activity';

type Activity = Pick<MessageCreatedEvent, 'message' | 'memberIds'>;

/** Turns chat domain events into Socket.IO emits to the rooms the contract names. */
@Injectable()
export class ChatRealtime {
  private readonly logger = new Logger(ChatRealtime.name);
  /** chatActivity leaves in seq order per chat, though unread counts are read concurrently. */
  private readonly activityOrder = new KeyedQueue();
  private nsp?: Namespace;

  constructor(
    private readonly chats: ChatService,
    @Inject(REDIS_CLUSTER) private readonly cluster: RedisClusterLink | null,
  ) {}

  bind(nsp: Namespace): void {
    this.nsp = nsp;
    if (this.cluster) {
      // From another node, maybe of another version: ignore what is not an Activity.
      nsp.on(ACTIVITY, (activity: Partial<Activity> | undefined) => {
        if (activity?.message && Array.isArray(activity.memberIds))
          this.chatActivity(activity as Activity);
      });
    }
  }

  @OnEvent(ChatDomainEvent.MessageCreated)
  messageCreated({ message, memberIds, origin }: MessageCreatedEvent): void {
    // A chat's messages stored together are announced together: one write per socket for all.
    holdWrites();
    const room = this.nsp?.to(Room.chat(message.chatId));
    (origin ? room?.except(origin) : room)?.emit(ChatServerEvent.NewMessage, message);
    const activity: Activity = { message, memberIds };
    if (this.cluster) this.nsp?.serverSideEmit(ACTIVITY, activity);
    this.chatActivity(activity);
  }

  @OnEvent(ChatDomainEvent.MessageUpdated)
  messageUpdated({ message }: MessageChangedEvent): void {
    this.toChat(message.chatId, ChatServerEvent.MessageUpdated, message);
  }

  @OnEvent(ChatDomainEvent.MessageDeleted)
  messageDeleted({ message }: MessageChangedEvent): void {
    this.toChat(message.chatId, ChatServerEvent.MessageDeleted, message);
  }

  @OnEvent(ChatDomainEvent.ReactionAdded)
  reactionAdded(event: ReactionEvent): void {
    this.toChat(event.chatId, ChatServerEvent.ReactionAdded, event);
  }

  @OnEvent(ChatDomainEvent.ReactionRemoved)
  reactionRemoved(event: ReactionEvent): void {
    this.toChat(event.chatId, ChatServerEvent.ReactionRemoved, event);
  }

  @OnEvent(ChatDomainEvent.MessagesRead)
  messagesRead(event: MessagesReadEvent): void {
    this.toChat(event.chatId, ChatServerEvent.MessagesRead, event);
  }

  /** To the chat's joined sockets, except the typist's own. */
  @OnEvent(ChatDomainEvent.Typing)
  typing(event: TypingEvent): void {
    this.nsp
      ?.to(Room.chat(event.chatId))
      .except(Room.user(event.userId))
      .emit(ChatServerEvent.UserTyping, event);
  }

  @OnEvent(ChatDomainEvent.ChatCreated)
  chatCreated({ chat, memberIds }: ChatCreatedEvent): void {
    this.nsp?.to(memberIds.map(Room.user)).emit(ChatServerEvent.ChatCreated, chat);
  }

  @OnEvent(ChatDomainEvent.StatusChanged)
  statusChanged({ chatId, status, memberIds }: ChatStatusChangedEvent): void {
    this.nsp
      ?.to(memberIds.map(Room.user))
      .emit(ChatServerEvent.ChatStatusChanged, { chatId, status });
  }

  @OnEvent(ChatDomainEvent.ChatDeleted)
  chatDeleted({ chatId, deletedBy, memberIds }: ChatDeletedEvent): void {
    this.nsp?.to(memberIds.map(Room.user)).emit(ChatServerEvent.ChatDeleted, { chatId, deletedBy });
    this.nsp?.in(Room.chat(chatId)).socketsLeave(Room.chat(chatId));
  }

  private toChat(chatId: string, event: string, payload: unknown): void {
    this.nsp?.to(Room.chat(chatId)).emit(event, payload);
  }

  /**
   * This node's sockets of members that are not joined to the chat learn of the message, with
   * their own unread count. Which sockets those are is read off the rooms in memory; the counts
   * are read (one query) only when there is such a socket, which is rarely the case while a
   * conversation is going on.
   */
  private chatActivity({ message, memberIds }: Activity): void {
    const rooms = this.nsp?.adapter.rooms;
    if (!rooms) return;
    const joined = rooms.get(Room.chat(message.chatId));
    const away = new Map<string, string[]>();
    for (const userId of memberIds) {
      for (const socketId of rooms.get(Room.user(userId)) ?? []) {
        if (joined?.has(socketId)) continue;
        const sockets = away.get(userId);
        if (sockets) sockets.push(socketId);
        else away.set(userId, [socketId]);
      }
    }
    if (away.size === 0) return;
    this.activityOrder
      .run(message.chatId, async () => {
        const unread = await this.chats.unreadByMember(
          message.chatId,
          [...away.keys()],
          message.seq,
        );
        // One emit per distinct unread count: members in step share one.
        const byCount = new Map<number, string[]>();
        for (const [userId, sockets] of away) {
          const count = unread.get(userId) ?? 0;
          const group = byCount.get(count);
          if (group) group.push(...sockets);
          else byCount.set(count, [...sockets]);
        }
        for (const [unreadCount, sockets] of byCount) {
          // A socket may have joined while the counts were read: it has the message already.
          this.nsp?.local
            .to(sockets)
            .except(Room.chat(message.chatId))
            .emit(ChatServerEvent.ChatActivity, {
              chatId: message.chatId,
              lastSeq: message.seq,
              lastMessage: message,
              unreadCount,
            });
        }
      })
      .catch((error: unknown) =>
        this.logger.warn(`chatActivity for ${message.chatId} not sent: ${String(error)}`),
      );
  }
}
