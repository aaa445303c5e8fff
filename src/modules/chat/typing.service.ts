import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../../config/app-config.js';
import { NodeMemberships } from '../../state/node-memberships.js';
import { StateStore } from '../../state/state-store.js';
import { ChatDomainEvent, type TypingEvent } from './chat.events.js';

interface Typist {
  chatId: string;
  userId: string;
  userName: string;
  timer: NodeJS.Timeout;
  /** When the shared store was last told of this typist (Date.now()); 0 after a failed write. */
  sharedAt: number;
}

const typingKey = (chatId: string): string => `chat:typing:${chatId}`;

/**
 * Who is typing where. `isTyping: true` starts or renews (without re-announcing); silence for
 * TYPING_TTL_MS, `isTyping: false`, leaving or disconnecting stops it. The node a user types
 * through keeps the timer and announces; the shared store lets any node list the typists. Each
 * node writes its own entry for a typist (tagged with the node, as memberships are), so a user
 * typing through two nodes stays listed until both have stopped.
 *
 * Clients renew every few seconds while their user types, so a renewal costs next to nothing: it
 * restarts the timer, and tells the shared store (a Redis round trip) only once half a TTL has
 * passed since it last did. The store holds each typist for a TTL and a half, so it lists them
 * until the timer here stops them (and removes them); a node that dies leaves them listed for at
 * most that long. A failed write is made again at the next renewal, and all of them at once when
 * the store comes back after an outage.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly logger = new Logger(TypingService.name);
  private readonly typists = new Map<string, Typist>();

  constructor(
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
    private readonly store: StateStore,
    private readonly memberships: NodeMemberships,
  ) {
    // What the store held may have run out (or gone, with a restarted server) meanwhile.
    store.onRestored(() => this.share([...this.typists.values()]));
  }

  /** Users typing in the chat now, on any node. */
  async typingIn(chatId: string): Promise<string[]> {
    const [userIds] = await this.memberships.members([typingKey(chatId)]);
    return userIds;
  }

  set(chatId: string, user: { id: string; name: string }, isTyping: boolean): void {
    const key = keyOf(chatId, user.id);
    const current = this.typists.get(key);
    if (!isTyping) {
      if (current) this.stop(chatId, user.id);
      return;
    }
    if (current) {
      current.timer.refresh();
      current.userName = user.name;
      if (Date.now() - current.sharedAt >= this.config.typingTtlMs / 2) this.share([current]);
      return;
    }
    const timer = setTimeout(() => this.stop(chatId, user.id), this.config.typingTtlMs);
    timer.unref();
    const typist: Typist = { chatId, userId: user.id, userName: user.name, timer, sharedAt: 0 };
    this.typists.set(key, typist);
    this.share([typist]);
    this.announce({ chatId, userId: user.id, userName: user.name, isTyping: true });
  }

  /** Whether the user is typing in the chat through this node. */
  isTyping(chatId: string, userId: string): boolean {
    return this.typists.has(keyOf(chatId, userId));
  }

  stop(chatId: string, userId: string): void {
    const key = keyOf(chatId, userId);
    const current = this.typists.get(key);
    if (!current) return;
    clearTimeout(current.timer);
    this.typists.delete(key);
    this.store
      .removeMember(typingKey(chatId), this.memberships.tagged(userId))
      .catch((error: unknown) => this.logger.error(`typing stop not shared: ${String(error)}`));
    this.announce({ chatId, userId, userName: current.userName, isTyping: false });
  }

  onModuleDestroy(): void {
    for (const typist of this.typists.values()) clearTimeout(typist.timer);
    this.typists.clear();
  }

  /** Tells the shared store of the typists, for a TTL and a half from now. */
  private share(typists: Typist[]): void {
    if (typists.length === 0) return;
    const now = Date.now();
    for (const typist of typists) typist.sharedAt = now;
    const entries = typists.map(({ chatId, userId }) => ({
      key: typingKey(chatId),
      member: this.memberships.tagged(userId),
    }));
    this.store.addMembers(entries, this.config.typingTtlMs * 1.5).catch((error: unknown) => {
      // Each is written again at its next renewal (a typist stopped since is not: its entry is
      // removed, or runs out).
      for (const typist of typists) if (typist.sharedAt === now) typist.sharedAt = 0;
      this.logger.error(`typing not shared: ${String(error)}`);
    });
  }

  private announce(event: TypingEvent): void {
    this.events.emit(ChatDomainEvent.Typing, event);
  }
}

function keyOf(chatId: string, userId: string): string {
  return `${chatId}\u0000${userId}`;
}
