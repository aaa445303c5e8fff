import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../../config/app-config.js';
import { StateStore } from '../../state/state-store.js';
import { ChatDomainEvent, type TypingEvent } from './chat.events.js';

interface Typist {
  userName: string;
  timer: NodeJS.Timeout;
}

const typingKey = (chatId: string): string => `chat:typing:${chatId}`;

/**
 * Who is typing where. `isTyping: true` starts or renews (without re-announcing); silence for
 * TYPING_TTL_MS, `isTyping: false`, leaving or disconnecting stops it. The node a user types
 * through keeps the timer and announces; the shared store lets any node list the typists.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly logger = new Logger(TypingService.name);
  private readonly typists = new Map<string, Typist>();

  constructor(
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
    private readonly store: StateStore,
  ) {}

  /** Users typing in the chat now, on any node. */
  async typingIn(chatId: string): Promise<string[]> {
    const [userIds] = await this.store.members([typingKey(chatId)]);
    return userIds;
  }

  set(chatId: string, user: { id: string; name: string }, isTyping: boolean): void {
    const key = keyOf(chatId, user.id);
    const current = this.typists.get(key);
    if (!isTyping) {
      if (current) this.stop(chatId, user.id);
      return;
    }
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => this.stop(chatId, user.id), this.config.typingTtlMs);
    timer.unref();
    this.typists.set(key, { userName: user.name, timer });
    this.share(
      this.store.addMembers([{ key: typingKey(chatId), member: user.id }], this.config.typingTtlMs),
    );
    if (!current) this.announce({ chatId, userId: user.id, userName: user.name, isTyping: true });
  }

  stop(chatId: string, userId: string): void {
    const key = keyOf(chatId, userId);
    const current = this.typists.get(key);
    if (!current) return;
    clearTimeout(current.timer);
    this.typists.delete(key);
    this.share(this.store.removeMember(typingKey(chatId), userId));
    this.announce({ chatId, userId, userName: current.userName, isTyping: false });
  }

  onModuleDestroy(): void {
    for (const typist of this.typists.values()) clearTimeout(typist.timer);
    this.typists.clear();
  }

  private share(write: Promise<void>): void {
    write.catch((error: unknown) => this.logger.error(`typing not shared: ${String(error)}`));
  }

  private announce(event: TypingEvent): void {
    this.events.emit(ChatDomainEvent.Typing, event);
  }
}

function keyOf(chatId: string, userId: string): string {
  return `${chatId}\u0000${userId}`;
}
