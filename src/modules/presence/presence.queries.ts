import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/auth/actor.js';
import { ChatService } from '../chat/chat.service.js';
import { TypingService } from '../chat/typing.service.js';
import { PresenceService } from './presence.service.js';
import type { PresenceView } from './presence.types.js';

/** Presence that depends on chats: who shares one with whom, and typing over REST. */
@Injectable()
export class PresenceQueries {
  constructor(
    private readonly presence: PresenceService,
    private readonly chats: ChatService,
    private readonly typists: TypingService,
  ) {}

  /** POST /presence/typing: as the socket's `typing`, for those who may write in the chat. */
  async typing(actor: Actor, chatId: string, isTyping: boolean): Promise<object> {
    await this.chats.access(actor, chatId);
    this.typists.set(chatId, actor, isTyping);
    return {};
  }

  /** GET /presence/typing/:chatId: the ids of who is typing there now, on any node. */
  async typingIn(actor: Actor, chatId: string): Promise<string[]> {
    await this.chats.access(actor, chatId);
    return this.typists.typingIn(chatId);
  }

  async one(userId: string): Promise<PresenceView> {
    const [view] = await this.presence.of([userId]);
    return view;
  }

  /** getOnlineUsers: the online or away users among those who share a chat with `userId`. */
  async onlinePeers(userId: string): Promise<{ users: PresenceView[] }> {
    const peers = await this.chats.coMembers(userId);
    const views = await this.presence.of(peers);
    return { users: views.filter((view) => view.status !== 'offline') };
  }
}
