import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { DatabaseAdmission } from '../../database/database-admission.js';
import { PresenceServerEvent, Room } from '../../realtime/events.js';
import { ChatService } from '../chat/chat.service.js';
import { PresenceDomainEvent, type PresenceChangedEvent } from './presence.types.js';

/** Most users whose co-members one query reads. */
const CHUNK = 1000;
/** How long to wait before trying again when admission refused the read (the database busy or away). */
const RETRY_MS = 1000;

/**
 * userStatus, on /presence, to the users who share a chat with the user and to its watchers.
 * Whom to tell is read from the database for many changes at once: after an outage everyone
 * comes online together, and a query per user (5000 of them) cost more than their joins. Changes
 * wait in `pending`, the latest per user (a status is a state: the last one is what peers need),
 * so it holds at most one entry per user however long the database is away. One admitted read at
 * a time takes them all, a chunk per query, so each user's changes go out in order.
 */
@Injectable()
export class PresenceRealtime {
  private readonly logger = new Logger(PresenceRealtime.name);
  private nsp?: Namespace;
  private readonly pending = new Map<string, PresenceChangedEvent>();
  private reading = false;

  constructor(
    private readonly chats: ChatService,
    private readonly admission: DatabaseAdmission,
  ) {}

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(PresenceDomainEvent.StatusChanged)
  changed(event: PresenceChangedEvent): void {
    // Re-inserted, so the map's order stays the order of each user's latest change.
    this.pending.delete(event.userId);
    this.pending.set(event.userId, event);
    this.announcePending();
  }

  private announcePending(): void {
    if (this.reading || this.pending.size === 0) return;
    this.reading = true;
    let retry = false;
    // Admitted with the joins, a few at a time: everyone comes online at once after an outage.
    this.admission
      .run(async () => {
        while (this.pending.size > 0) await this.announceChunk();
      })
      .catch((error: unknown) => {
        // Refused before its turn: nothing was taken; the changes wait for the next try.
        retry = true;
        this.logger.warn(`userStatus of ${this.pending.size} users delayed: ${String(error)}`);
      })
      .finally(() => {
        this.reading = false;
        if (retry) setTimeout(() => this.announcePending(), RETRY_MS).unref();
        else this.announcePending();
      });
  }

  private async announceChunk(): Promise<void> {
    const chunk: PresenceChangedEvent[] = [];
    for (const event of this.pending.values()) {
      if (chunk.length === CHUNK) break;
      chunk.push(event);
    }
    for (const event of chunk) this.pending.delete(event.userId);
    try {
      const peers = await this.chats.coMembersOf(chunk.map((e) => e.userId));
      for (const event of chunk) this.announce(event, peers.get(event.userId) ?? []);
    } catch (error) {
      this.logger.warn(`userStatus of ${chunk.length} users not sent: ${String(error)}`);
    }
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
