import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { DatabaseAdmission } from '../../database/database-admission.js';
import { PresenceServerEvent, Room } from '../../realtime/events.js';
import { ChatService } from '../chat/chat.service.js';
import { PresenceDomainEvent, type PresenceChangedEvent } from './presence.types.js';

/** Most changes whose co-members one query reads. */
const MAX_BATCH = 1000;

/**
 * userStatus, on /presence, to the users who share a chat with the user and to its watchers.
 * Whom to tell is read from the database, for many changes at once: after an outage everyone
 * comes online together, and one query per user (5000 of them) cost more than the joins. The
 * changes that arrive while a read waits for admission or runs go in the next read, and reads
 * run one at a time, so each user's changes are announced in the order they happened.
 */
@Injectable()
export class PresenceRealtime {
  private readonly logger = new Logger(PresenceRealtime.name);
  private nsp?: Namespace;
  private readonly pending: PresenceChangedEvent[] = [];
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
    this.pending.push(event);
    this.announcePending();
  }

  private announcePending(): void {
    if (this.reading || this.pending.length === 0) return;
    this.reading = true;
    // Admitted with the joins, a few at a time; the batch is taken when its turn comes.
    let batch: PresenceChangedEvent[] = [];
    this.admission
      .run(async () => {
        batch = this.pending.splice(0, MAX_BATCH);
        const peers = await this.chats.coMembersOf([...new Set(batch.map((e) => e.userId))]);
        for (const event of batch) this.announce(event, peers.get(event.userId) ?? []);
      })
      .catch((error: unknown) => {
        // Refused before its turn: the batch is still pending, and is dropped with the rest.
        if (batch.length === 0) batch = this.pending.splice(0);
        this.logger.warn(`userStatus of ${batch.length} users not sent: ${String(error)}`);
      })
      .finally(() => {
        this.reading = false;
        this.announcePending();
      });
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
