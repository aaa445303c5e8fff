import { Injectable } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { AppConfig } from '../../config/app-config.js';
import { LimitMetrics } from '../../metrics/limit.metrics.js';
import type { Actor } from '../../common/auth/actor.js';
import type { AppSocket, JoinedChat } from '../../common/ws/app-socket.js';
import { ChatServerEvent, Room } from '../../realtime/events.js';
import type { ChatLink } from './chat-links.js';
import { ChatService } from './chat.service.js';
import type { ChatView, MessageView } from './chat.types.js';
import type { JoinChatDto } from './dto/chat-ref.dto.js';
import type { TypingDto } from './dto/message-ref.dto.js';
import { MessageService } from './message.service.js';
import { TypingService } from './typing.service.js';
import { ActiveUsers } from './active-users.js';

/**
 * A socket's joinChat calls that run at once; the others wait for them. Joins are admitted to the
 * database a few at a time for the whole node (DatabaseAdmission), first come first served: one
 * socket firing thousands would hold every place while other users' joins waited behind them.
 */
export const JOINS_AT_ONCE = 4;

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
  private readonly roomLimit: number;

  constructor(
    private readonly chats: ChatService,
    private readonly messages: MessageService,
    private readonly typists: TypingService,
    private readonly active: ActiveUsers,
    config: AppConfig,
    private readonly limitMetrics: LimitMetrics,
  ) {
    this.roomLimit = config.limits.roomsPerSocket;
  }

  /** Puts the socket in its user's room; its disconnect stops its typing and leaves its chats. */
  attach(socket: AppSocket): void {
    const userId = socket.data.user!.id;
    void socket.join(Room.user(userId));
    socket.on('disconnecting', () => {
      for (const chatId of typedIn(socket)) this.typists.stop(chatId, userId);
      for (const [chatId, joined] of joinedBy(socket)) {
        if (!joined.active) continue;
        if (socket.rooms.has(Room.chat(chatId)))
          announce(socket, chatId, userId, 'left', joined.link);
        this.active.left(chatId, userId);
      }
    });
  }

  /**
   * A socket holds at most LIMIT_ROOMS_PER_SOCKET chats (joined or joining); leaveChat frees one.
   * The socket is marked as joining before the access check and history are awaited, so a second
   * joinChat meanwhile, or a disconnect, cannot count it twice or leave it counted.
   */
  async join(
    actor: Actor,
    socket: AppSocket,
    dto: JoinChatDto,
    link: ChatLink = {},
  ): Promise<Joined> {
    const known = joinedBy(socket).get(dto.chatId);
    if (!known && this.roomLimit > 0 && joinedBy(socket).size >= this.roomLimit) {
      this.limitMetrics.refused('rooms_per_socket');
      throw new DomainException(ErrorCode.Conflict, 'too many chats joined on this socket', {
        limit: this.roomLimit,
      });
    }
    const entry = known ?? { link, active: false, joining: 0 };
    if (!known) joinedBy(socket).set(dto.chatId, entry);
    entry.joining += 1;
    let joined: Joined;
    try {
      joined = await joinsOf(socket)(() => {
        // Gone while it waited behind its socket's other joins: dropped, as admission would.
        if (!socket.connected) throw new DomainException(ErrorCode.Unavailable);
        return this.messages.join(
          actor,
          dto,
          // Not once the socket has gone, or left the chat during the access check: nothing
          // would take it out of the room again.
          () =>
            socket.connected && joinedBy(socket).get(dto.chatId) === entry
              ? socket.join(Room.chat(dto.chatId))
              : undefined,
          () => socket.connected,
        );
      });
    } catch (error) {
      entry.joining -= 1;
      // Not joined, and no other join of it running or done: forget the chat, and leave the room
      // this one may have subscribed to (leaveChat, finding nothing joined, could not), unless
      // the chat was joined again meanwhile.
      if (entry.joining === 0 && !entry.active) {
        if (joinedBy(socket).get(dto.chatId) === entry) joinedBy(socket).delete(dto.chatId);
        if (!joinedBy(socket).has(dto.chatId)) await socket.leave(Room.chat(dto.chatId));
      }
      throw error;
    }
    entry.joining -= 1;
    if (!socket.connected || joinedBy(socket).get(dto.chatId) !== entry) {
      // Gone, or left while joining: undo the subscription instead of counting it (unless the
      // chat was joined again meanwhile, which subscribes by itself).
      if (!socket.connected || !joinedBy(socket).has(dto.chatId)) {
        await socket.leave(Room.chat(dto.chatId));
      }
      return joined;
    }
    if (entry.active) return joined;
    entry.active = true;
    this.active.joined(dto.chatId, actor.id);
    announce(socket, dto.chatId, actor.id, 'joined', link);
    return joined;
  }

  async leave(actor: Actor, socket: AppSocket, chatId: string): Promise<void> {
    const joined = joinedBy(socket).get(chatId);
    if (!joined) return;
    joinedBy(socket).delete(chatId);
    this.typists.stop(chatId, actor.id);
    typedIn(socket).delete(chatId);
    if (!joined.active) return; // still joining: the join undoes itself
    this.active.left(chatId, actor.id);
    if (!socket.rooms.has(Room.chat(chatId))) return;
    await socket.leave(Room.chat(chatId));
    announce(socket, chatId, actor.id, 'left', joined.link);
  }

  /** Sockets joined to the chat passed the access check when joining; others are checked now. */
  async typing(actor: Actor, socket: AppSocket, dto: TypingDto): Promise<void> {
    if (!socket.rooms.has(Room.chat(dto.chatId))) {
      await this.chats.access(actor, dto.chatId);
      // Gone while it was checked: its disconnect has stopped its typing already.
      if (!socket.connected) return;
    }
    this.typists.set(dto.chatId, actor, dto.isTyping);
    const typed = typedIn(socket);
    if (!dto.isTyping) typed.delete(dto.chatId);
    else if (!typed.has(dto.chatId)) {
      // Typing that ran out (TYPING_TTL_MS) leaves its chat here: forget those before the set grows.
      if (typed.size >= TYPED_IN_PRUNE_AT)
        for (const chatId of typed)
          if (!this.typists.isTyping(chatId, actor.id)) typed.delete(chatId);
      typed.add(dto.chatId);
    }
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

function joinsOf(socket: AppSocket): LimitFunction {
  return (socket.data.joins ??= pLimit(JOINS_AT_ONCE));
}

/** Past this many chats typed in, a socket's list forgets those whose typing has stopped. */
export const TYPED_IN_PRUNE_AT = 32;

/**
 * Chats this socket has typed in, so its disconnect stops its typing at once. `isTyping: false`
 * and leaving take a chat off; typing that ran out is taken off once the list is long.
 */
function typedIn(socket: AppSocket): Set<string> {
  return (socket.data.typedIn ??= new Set<string>());
}

/** The chats this socket joined or is joining, with what each is linked to (participantUpdate). */
function joinedBy(socket: AppSocket): Map<string, JoinedChat> {
  return (socket.data.joined ??= new Map<string, JoinedChat>());
}
