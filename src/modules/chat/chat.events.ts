import type { ChatView, MessageView } from './chat.types.js';

/** Domain events of the chat module; the realtime layer and other modules subscribe to them. */
export const ChatDomainEvent = {
  ChatCreated: 'chat.created',
  MessageCreated: 'message.created',
  MessagesRead: 'message.read',
} as const;

export interface ChatCreatedEvent {
  chat: ChatView;
  memberIds: string[];
}

export interface MessageCreatedEvent {
  message: MessageView;
  /** Connection the message came from (not sent back to it), if any. */
  origin?: string;
}

export interface MessagesReadEvent {
  chatId: string;
  userId: string;
  lastReadSeq: number;
  messageIds: string[];
  readAt: string;
}
