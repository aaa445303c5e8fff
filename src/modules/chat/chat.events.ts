import type { ChatView, MessageView } from './chat.types.js';

/** Domain events of the chat module; the realtime layer and other modules subscribe to them. */
export const ChatDomainEvent = {
  ChatCreated: 'chat.created',
  MessageCreated: 'message.created',
  MessagesRead: 'message.read',
  MessageUpdated: 'message.updated',
  MessageDeleted: 'message.deleted',
  ReactionAdded: 'reaction.added',
  ReactionRemoved: 'reaction.removed',
  Typing: 'chat.typing',
  StatusChanged: 'chat.status_changed',
  ChatDeleted: 'chat.deleted',
} as const;

export interface MessageChangedEvent {
  message: MessageView;
}

export interface ReactionEvent {
  chatId: string;
  messageId: string;
  userId: string;
  emoji: string;
}

export interface TypingEvent {
  chatId: string;
  userId: string;
  userName: string;
  isTyping: boolean;
}

export interface ChatStatusChangedEvent {
  chatId: string;
  status: string;
  memberIds: string[];
}

export interface ChatDeletedEvent {
  chatId: string;
  deletedBy: string;
  memberIds: string[];
}

export interface ChatCreatedEvent {
  chat: ChatView;
  memberIds: string[];
}

export interface MessageCreatedEvent {
  message: MessageView;
  /** The chat's members when the message was stored (read with it: listeners need not ask). */
  memberIds: string[];
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
