import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../../config/app-config.js';
import { ChatDomainEvent, type TypingEvent } from './chat.events.js';

interface Typist {
  userName: string;
  timer: NodeJS.Timeout;
}

/**
 * Who is typing where, on this node. `isTyping: true` starts or renews (without re-announcing);
 * silence for TYPING_TTL_MS, `isTyping: false`, leaving or disconnecting stops it.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly typists = new Map<string, Typist>();

  constructor(
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
  ) {}

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
    if (!current) this.announce({ chatId, userId: user.id, userName: user.name, isTyping: true });
  }

  stop(chatId: string, userId: string): void {
    const key = keyOf(chatId, userId);
    const current = this.typists.get(key);
    if (!current) return;
    clearTimeout(current.timer);
    this.typists.delete(key);
    this.announce({ chatId, userId, userName: current.userName, isTyping: false });
  }

  onModuleDestroy(): void {
    for (const typist of this.typists.values()) clearTimeout(typist.timer);
    this.typists.clear();
  }

  private announce(event: TypingEvent): void {
    this.events.emit(ChatDomainEvent.Typing, event);
  }
}

function keyOf(chatId: string, userId: string): string {
  return `${chatId}\u0000${userId}`;
}
