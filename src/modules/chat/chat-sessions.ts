import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/auth/actor.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { ChatServerEvent, Room } from '../../realtime/events.js';
import type { ChatLink } from './chat-links.js';
import { ChatService } from './chat.service.js';
import type { ChatView, MessageView } from './chat.types.js';
import type { JoinChatDto } from './dto/chat-ref.dto.js';
import type { TypingDto } from './dto/message-ref.dto.js';
import { MessageService } from './message.service.js';
import { TypingService } from './typing.service.js';
import { ActiveUsers } from './active-users.js';

export interface Joined {
  chat: ChatView;
  messages: MessageView[];
  hasMore: boolean;
}

/**
 * What a socket does in chats, on any namespace that offers them (/chat, /orders, /disputes):
 * joining and leaving rooms with participantUpdate, typing, and the clean-up when it disconnects.
 * `link` is what that namespace's events carry beside chatId (orderId, disputeId).
 */
@Injectable()
export class ChatSessions {
  constructor(
    private readonly chats: ChatService,
    private readonly messages: MessageService,
    private readonly typists: TypingService,
    private readonly active: ActiveUsers,
  ) {}

  /** Puts the socket in its user's room; its disconnect stops its typing and leaves its chats. */
  attach(socket: AppSocket): void {
    const userId = socket.data.user!.id;
    void socket.join(Room.user(userId));
    socket.on('disconnecting', () => {
      for (const chatId of typedIn(socket)) this.typists.stop(chatId, userId);
      for (const [chatId, link] of joinedBy(socket)) {
        if (socket.rooms.has(Room.chat(chatId))) announce(socket, chatId, userId, 'left', link);
        this.active.left(chatId, userId);
      }
    });
  }

  async join(actor: Actor, socket: AppSocket, dto: JoinChatDto, link?: ChatLink): Promise<Joined> {
    const room = Room.chat(dto.chatId);
    const rejoin = joinedBy(socket).has(dto.chatId);
    const joined = await this.messages.join(actor, dto, () => socket.join(room));
    if (!rejoin) {
      joinedBy(socket).set(dto.chatId, link ?? {});
      this.active.joined(dto.chatId, actor.id);
      announce(socket, dto.chatId, actor.id, 'joined', link);
    }
    return joined;
  }

  async leave(actor: Actor, socket: AppSocket, chatId: string): Promise<void> {
    const link = joinedBy(socket).get(chatId);
    if (!link) return;
    joinedBy(socket).delete(chatId);
    this.active.left(chatId, actor.id);
    this.typists.stop(chatId, actor.id);
    if (!socket.rooms.has(Room.chat(chatId))) return;
    await socket.leave(Room.chat(chatId));
    announce(socket, chatId, actor.id, 'left', link);
  }

  /** Sockets joined to the chat passed the access check when joining; others are checked now. */
  async typing(actor: Actor, socket: AppSocket, dto: TypingDto): Promise<void> {
    if (!socket.rooms.has(Room.chat(dto.chatId))) await this.chats.access(actor, dto.chatId);
    this.typists.set(dto.chatId, actor, dto.isTyping);
    if (dto.isTyping) typedIn(socket).add(dto.chatId);
  }
}

function announce(
  socket: AppSocket,
  chatId: string,
  userId: string,
  action: 'joined' | 'left',
  link: ChatLink = {},
): void {
  socket.nsp
    .to(Room.chat(chatId))
    .except(socket.id)
    .emit(ChatServerEvent.ParticipantUpdate, {
      chatId,
      ...link,
      userId,
      action,
      timestamp: new Date().toISOString(),
    });
}

/** Chats this socket has typed in, so its disconnect stops its typing at once. */
function typedIn(socket: AppSocket): Set<string> {
  return (socket.data.typedIn ??= new Set<string>());
}

/** The chats this socket joined, with what each is linked to (for participantUpdate). */
function joinedBy(socket: AppSocket): Map<string, ChatLink> {
  return (socket.data.joined ??= new Map<string, ChatLink>());
}
