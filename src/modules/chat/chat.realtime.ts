import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { groupBy } from '../../common/collections/group-by.js';
import { KeyedBatcher } from '../../common/concurrency/keyed-batcher.js';
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
import type { MessageView } from './chat.types.js';

/** Between nodes: a message was stored; each node tells its own sockets that are not joined. */
const ACTIVITY = 'chat:activity';

type Activity = Pick<MessageCreatedEvent, 'message' | 'memberIds'>;

/** A message to tell this node's sockets of members away from its chat about. */
interface AwayActivity {
  message: MessageView;
  away: Away;
}

/** This node's sockets of a chat's members that are not joined to it, by user; kept, so read-only. */
type Away = ReadonlyMap<string, readonly string[]>;

/** Chats of at least this many members keep their last `Away` while nothing it is read from changes. */
export const AWAY_KEPT_FROM = 16;
/** At most this many chats keep theirs; the first kept goes first. */
const AWAY_KEPT = 512;

const CHAT_ROOM = Room.chat('');
const USER_ROOM = Room.user('');

/** Rooms as the Socket.IO adapter holds them, and its events for their changes. */
type Adapter = Namespace['adapter'];

/** Turns chat domain events into Socket.IO emits to the rooms the contract names. */
@Injectable()
export class ChatRealtime {
  private readonly logger = new Logger(ChatRealtime.name);
  /**
   * chatActivity of one chat, a batch at a time: the messages that come while a batch's counts
   * are read wait, and their counts are read together in one query (a row per away member and
   * message). Each message still has its own event, in the order this node learnt of them.
   */
  private readonly activities = new KeyedBatcher<AwayActivity>((chatId, batch) =>
    this.tellAway(chatId, batch),
  );
  private nsp?: Namespace;
  /** Per chat, its `Away` and the member ids it was read for; dropped when its rooms change. */
  private readonly awayKept = new Map<string, { memberIds: string[]; away: Away }>();
  /** The adapter whose room changes `awayKept` follows. */
  private followed?: Adapter;

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

  /**
   * After the chatActivity of the chat's last messages (whose counts may still be read): a member
   * away from the chat must not hear of a message in it once told it is gone.
   */
  @OnEvent(ChatDomainEvent.ChatDeleted)
  chatDeleted({ chatId, deletedBy, memberIds }: ChatDeletedEvent): void {
    void this.activities.whenIdle(chatId).then(() => {
      this.nsp
        ?.to(memberIds.map(Room.user))
        .emit(ChatServerEvent.ChatDeleted, { chatId, deletedBy });
      this.nsp?.in(Room.chat(chatId)).socketsLeave(Room.chat(chatId));
    });
  }

  private toChat(chatId: string, event: string, payload: unknown): void {
    this.nsp?.to(Room.chat(chatId)).emit(event, payload);
  }

  /**
   * This node's sockets of members that are not joined to the chat learn of the message, with
   * their own unread count. Which sockets those are is read off the rooms in memory; the counts
   * are read only when there is such a socket, which is rarely the case while a conversation is
   * going on.
   */
  private chatActivity({ message, memberIds }: Activity): void {
    const adapter = this.nsp?.adapter;
    if (!adapter) return;
    const away = this.awayOf(adapter, message.chatId, memberIds);
    if (away.size === 0) return;
    this.activities
      .add(message.chatId, { message, away })
      .catch((error: unknown) =>
        this.logger.warn(`chatActivity for ${message.chatId} not sent: ${String(error)}`),
      );
  }

  /**
   * The chatActivity of each message of a batch, with counts read for all of them at once. A
   * failed read is logged once for the batch, whose events are then not sent.
   */
  private async tellAway(chatId: string, batch: AwayActivity[]): Promise<void> {
    const pairs = batch.flatMap(({ message, away }) =>
      [...away.keys()].map((userId) => ({ userId, seq: message.seq })),
    );
    let unread: Map<string, Map<number, number>>;
    try {
      unread = await this.chats.unreadByMember(chatId, pairs);
    } catch (error) {
      this.logger.warn(
        `chatActivity of ${batch.length} messages of ${chatId} not sent: ${String(error)}`,
      );
      return;
    }
    for (const { message, away } of batch) {
      // One emit per distinct unread count: members in step share one.
      const byCount = groupBy(
        [...away].flatMap(([userId, sockets]) => {
          // None: no longer a member (left, or the chat deleted meanwhile): nothing to tell.
          const count = unread.get(userId)?.get(message.seq);
          return count === undefined ? [] : sockets.map((socket) => [count, socket] as const);
        }),
      );
      for (const [unreadCount, sockets] of byCount) {
        // A socket may have joined while the counts were read: it has the message already.
        this.nsp?.local.to(sockets).except(Room.chat(chatId)).emit(ChatServerEvent.ChatActivity, {
          chatId,
          lastSeq: message.seq,
          lastMessage: message,
          unreadCount,
        });
      }
    }
  }

  /**
   * The walk over a chat's members costs about 0.2 µs a member, 0.2 ms a message in a chat of a
   * thousand, which was 4% of the app's time in the `fanout` benchmark. What it reads changes
   * only when a socket joins or leaves the chat's room or a user's room (connects, disconnects)
   * or the members change, so a big chat keeps its last result until one of those happens.
   */
  private awayOf(adapter: Adapter, chatId: string, memberIds: string[]): Away {
    if (memberIds.length < AWAY_KEPT_FROM) return awayFrom(adapter.rooms, chatId, memberIds);
    this.follow(adapter);
    const kept = this.awayKept.get(chatId);
    if (kept && sameIds(kept.memberIds, memberIds)) return kept.away;
    const away = awayFrom(adapter.rooms, chatId, memberIds);
    if (!kept && this.awayKept.size >= AWAY_KEPT)
      this.awayKept.delete(this.awayKept.keys().next().value!);
    this.awayKept.set(chatId, { memberIds, away });
    return away;
  }

  /** Drops a kept `Away` when a room it was read from changes. */
  private follow(adapter: Adapter): void {
    if (this.followed === adapter) return;
    this.followed = adapter;
    this.awayKept.clear();
    const changed = (room: string): void => {
      if (this.followed !== adapter) return;
      if (room.startsWith(CHAT_ROOM)) this.awayKept.delete(room.slice(CHAT_ROOM.length));
      else if (room.startsWith(USER_ROOM)) this.awayKept.clear();
    };
    adapter.on('join-room', changed);
    adapter.on('leave-room', changed);
  }
}

function awayFrom(rooms: Adapter['rooms'], chatId: string, memberIds: string[]): Away {
  const joined = rooms.get(Room.chat(chatId));
  const away = new Map<string, string[]>();
  for (const userId of memberIds) {
    for (const socketId of rooms.get(Room.user(userId)) ?? []) {
      if (joined?.has(socketId)) continue;
      const sockets = away.get(userId);
      if (sockets) sockets.push(socketId);
      else away.set(userId, [socketId]);
    }
  }
  return away;
}

/** The same ids in the same order (the same members in another order only cost a walk). */
function sameIds(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
