import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { ChatServerEvent, Room } from '../../realtime/events.js';
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

/** Turns chat domain events into Socket.IO emits to the rooms the contract names. */
@Injectable()
export class ChatRealtime {
  private readonly logger = new Logger(ChatRealtime.name);
  private nsp?: Namespace;

  constructor(private readonly chats: ChatService) {}

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(ChatDomainEvent.MessageCreated)
  messageCreated({ message, origin }: MessageCreatedEvent): void {
    const room = this.nsp?.to(Room.chat(message.chatId));
    (origin ? room?.except(origin) : room)?.emit(ChatServerEvent.NewMessage, message);
    this.chatActivity(message).catch((error: unknown) =>
      this.logger.warn(`chatActivity for ${message.chatId} not sent: ${String(error)}`),
    );
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

  /** Members' sockets that are not joined to the chat learn of the message, with their own unread count. */
  private async chatActivity(message: MessageCreatedEvent['message']): Promise<void> {
    if (!this.nsp) return;
    // One emit per distinct unread count: members in step share one publish.
    const byCount = new Map<number, string[]>();
    for (const { userId, unread } of await this.chats.unreadByMember(message.chatId)) {
      const rooms = byCount.get(unread);
      if (rooms) rooms.push(Room.user(userId));
      else byCount.set(unread, [Room.user(userId)]);
    }
    for (const [unreadCount, rooms] of byCount) {
      this.nsp.to(rooms).except(Room.chat(message.chatId)).emit(ChatServerEvent.ChatActivity, {
        chatId: message.chatId,
        lastSeq: message.seq,
        lastMessage: message,
        unreadCount,
      });
    }
  }
}
