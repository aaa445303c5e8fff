import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { DatabaseAdmission } from '../../database/database-admission.js';
import { PresenceServerEvent, Room } from '../../realtime/events.js';
import { ChatService } from '../chat/chat.service.js';
import { PresenceDomainEvent, type PresenceChangedEvent } from './presence.types.js';

/** Most users whose co-members one query reads. */
const CHUNK = 1000;
/** How long changes wait after a read was refused or failed (the database busy or away). */
const RETRY_MS = 1000;

/**
 * userStatus, on /presence, to the users who share a chat with the user and to its watchers.
 * Whom to tell is read from the database for many changes at once: after an outage everyone
 * comes online together, and a query per user (5000 of them) cost more than their joins. Changes
 * wait in `pending`, the latest per user (a status is a state: the last one is what peers need),
 * so it holds at most one entry per user however long the database is away. One admitted read at
 * a time takes what is pending when its turn comes, a chunk per query, so each user's changes go
 * out in order, and changes arriving meanwhile queue again behind the joins. A read that is
 * refused or fails leaves its changes pending, tried again after RETRY_MS.
 */
@Injectable()
export class PresenceRealtime implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceRealtime.name);
  private nsp?: Namespace;
  private readonly pending = new Map<string, PresenceChangedEvent>();
  private reading = false;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly chats: ChatService,
    private readonly admission: DatabaseAdmission,
  ) {}

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  onModuleDestroy(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.pending.clear();
  }

  @OnEvent(PresenceDomainEvent.StatusChanged)
  changed(event: PresenceChangedEvent): void {
    if (this.closed) return;
    // Re-inserted, so the map's order stays the order of each user's latest change.
    this.pending.delete(event.userId);
    this.pending.set(event.userId, event);
    this.announcePending();
  }

  private announcePending(): void {
    if (this.reading || this.retry || this.closed || this.pending.size === 0) return;
    this.reading = true;
    let failed = false;
    // Admitted with the joins, a few at a time: everyone comes online at once after an outage.
    this.admission
      .run(async () => {
        for (let chunks = Math.ceil(this.pending.size / CHUNK); chunks > 0; chunks -= 1) {
          if (this.closed || !(await this.announceChunk())) return void (failed = true);
        }
      })
      .catch((error: unknown) => {
        failed = true;
        this.logger.warn(`userStatus of ${this.pending.size} users delayed: ${String(error)}`);
      })
      .finally(() => {
        this.reading = false;
        if (failed && !this.closed) {
          this.retry = setTimeout(() => {
            this.retry = undefined;
            this.announcePending();
          }, RETRY_MS);
          this.retry.unref();
        } else this.announcePending();
      });
  }

  /** Reads and announces the first CHUNK pending changes; false (they stay pending) if it failed. */
  private async announceChunk(): Promise<boolean> {
    const chunk: PresenceChangedEvent[] = [];
    for (const event of this.pending.values()) {
      if (chunk.length === CHUNK) break;
      chunk.push(event);
    }
    let peers: Map<string, string[]>;
    try {
      peers = await this.chats.coMembersOf(chunk.map((e) => e.userId));
    } catch (error) {
      this.logger.warn(`userStatus of ${this.pending.size} users delayed: ${String(error)}`);
      return false;
    }
    for (const event of chunk) {
      // A newer change of the user arrived during the read: that one is announced next.
      if (this.pending.get(event.userId) === event) this.pending.delete(event.userId);
      this.announce(event, peers.get(event.userId) ?? []);
    }
    return true;
  }

  private announce(event: PresenceChangedEvent, peers: string[]): void {
    this.nsp
      ?.to([...peers.map(Room.user), Room.watch(event.userId)])
      .emit(PresenceServerEvent.UserStatus, {
        userId: event.userId,
        status: event.status,
        lastSeen: event.lastSeen,
        timestamp: event.timestamp,
      });
  }
}
