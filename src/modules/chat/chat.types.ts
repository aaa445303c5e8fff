import type { Role } from '../../common/auth/auth-user.js';
import type { ChatStatus, ChatType } from './entities/chat.entity.js';
import type { MessageType } from './entities/message.entity.js';

/** Wire shapes of PROTOCOL.md "Types": ids are strings, timestamps ISO 8601 strings. */
export interface MemberView {
  userId: string;
  name: string;
  role: Role;
  lastReadSeq: number;
  joinedAt: string;
}

export interface AttachmentView {
  id: string;
  fileName: string;
  mimeType: string;
  size: number;
  url: string;
}

export interface ReactionView {
  emoji: string;
  count: number;
  userIds: string[];
}

export interface MessageView {
  id: string;
  chatId: string;
  seq: number;
  senderId: string | null;
  senderRole: string | null;
  type: MessageType;
  text: string | null;
  attachments: AttachmentView[];
  replyToId: string | null;
  replyTo: { id: string; senderId: string | null; text: string | null; isDeleted: boolean } | null;
  clientMessageId: string | null;
  reactions: ReactionView[];
  isDeleted: boolean;
  deletedAt: string | null;
  editedAt: string | null;
  createdAt: string;
}

export interface ChatView {
  id: string;
  type: ChatType;
  /** Empty for a DIRECT chat, which has no title of its own. */
  title: string;
  status: ChatStatus;
  orderId: string | null;
  disputeId: string | null;
  members: MemberView[];
  lastSeq: number;
  lastMessage: MessageView | null;
  unreadCount: number;
  createdAt: string;
  updatedAt: string;
}

/** A page of a list: `nextCursor` is an opaque string, or for messages the `seq` to pass next. */
export interface Page<T, C = string> {
  items: T[];
  hasMore: boolean;
  nextCursor: C | null;
}

export type MessagePage = Page<MessageView, number>;

export type { Actor } from '../../common/auth/actor.js';
