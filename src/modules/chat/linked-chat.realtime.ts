import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { ChatServerEvent, Room } from '../../realtime/events.js';
import {
  ChatDomainEvent,
  type MessageChangedEvent,
  type MessageCreatedEvent,
  type MessagesReadEvent,
  type ReactionEvent,
  type TypingEvent,
} from './chat.events.js';
import { ChatLinks, type ChatLink } from './chat-links.js';

/**
 * Chat events on /orders and /disputes: sockets joined to an order's or a dispute's chat there get
 * the /chat events of that chat, with orderId or disputeId beside chatId.
 */
@Injectable()
export class LinkedChatRealtime {
  private readonly logger = new Logger(LinkedChatRealtime.name);
  private readonly namespaces = new Map<keyof ChatLink, Namespace>();

  constructor(private readonly links: ChatLinks) {}

  /** `nsp` receives the events of chats linked through `key`. */
  bind(key: keyof ChatLink, nsp: Namespace): void {
    this.namespaces.set(key, nsp);
  }

  @OnEvent(ChatDomainEvent.MessageCreated)
  messageCreated({ message, origin }: MessageCreatedEvent): void {
    this.forward(message.chatId, ChatServerEvent.NewMessage, message, origin);
  }

  @OnEvent(ChatDomainEvent.MessageUpdated)
  messageUpdated({ message }: MessageChangedEvent): void {
    this.forward(message.chatId, ChatServerEvent.MessageUpdated, message);
  }

  @OnEvent(ChatDomainEvent.MessageDeleted)
  messageDeleted({ message }: MessageChangedEvent): void {
    this.forward(message.chatId, ChatServerEvent.MessageDeleted, message);
  }

  @OnEvent(ChatDomainEvent.ReactionAdded)
  reactionAdded(event: ReactionEvent): void {
    this.forward(event.chatId, ChatServerEvent.ReactionAdded, event);
  }

  @OnEvent(ChatDomainEvent.ReactionRemoved)
  reactionRemoved(event: ReactionEvent): void {
    this.forward(event.chatId, ChatServerEvent.ReactionRemoved, event);
  }

  @OnEvent(ChatDomainEvent.MessagesRead)
  messagesRead(event: MessagesReadEvent): void {
    this.forward(event.chatId, ChatServerEvent.MessagesRead, event);
  }

  @OnEvent(ChatDomainEvent.Typing)
  typing(event: TypingEvent): void {
    this.forward(event.chatId, ChatServerEvent.UserTyping, event, Room.user(event.userId));
  }

  private forward(chatId: string, event: string, payload: object, except?: string): void {
    if (this.namespaces.size === 0) return;
    this.links.of(chatId).then(
      (link) => {
        for (const [key, nsp] of this.namespaces) {
          const id = link[key];
          if (!id) continue;
          const room = nsp.to(Room.chat(chatId));
          (except ? room.except(except) : room).emit(event, { ...payload, [key]: id });
        }
      },
      (error: unknown) =>
        this.logger.warn(`${event} for ${chatId} not forwarded: ${String(error)}`),
    );
  }
}
