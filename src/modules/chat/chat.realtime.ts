import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { ChatServerEvent, Room } from '../../realtime/events.js';
import {
  ChatDomainEvent,
  type ChatCreatedEvent,
  type MessageCreatedEvent,
  type MessagesReadEvent,
} from './chat.events.js';

/** Turns chat domain events into Socket.IO emits to the rooms the contract names. */
@Injectable()
export class ChatRealtime {
  private nsp?: Namespace;

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(ChatDomainEvent.MessageCreated)
  messageCreated({ message, origin }: MessageCreatedEvent): void {
    const room = this.nsp?.to(Room.chat(message.chatId));
    (origin ? room?.except(origin) : room)?.emit(ChatServerEvent.NewMessage, message);
  }

  @OnEvent(ChatDomainEvent.ChatCreated)
  chatCreated({ chat, memberIds }: ChatCreatedEvent): void {
    this.nsp?.to(memberIds.map(Room.user)).emit(ChatServerEvent.ChatCreated, chat);
  }

  @OnEvent(ChatDomainEvent.MessagesRead)
  messagesRead(event: MessagesReadEvent): void {
    this.nsp?.to(Room.chat(event.chatId)).emit(ChatServerEvent.MessagesRead, event);
  }
}
