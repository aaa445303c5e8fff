import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { DatabaseAdmission } from '../../database/database-admission.js';
import { PresenceServerEvent, Room } from '../../realtime/events.js';
import { ChatService } from '../chat/chat.service.js';
import { PresenceDomainEvent, type PresenceChangedEvent } from './presence.types.js';

/** userStatus, on /presence, to the users who share a chat with the user and to its watchers. */
@Injectable()
export class PresenceRealtime {
  private readonly logger = new Logger(PresenceRealtime.name);
  private nsp?: Namespace;

  constructor(
    private readonly chats: ChatService,
    private readonly admission: DatabaseAdmission,
  ) {}

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(PresenceDomainEvent.StatusChanged)
  changed(event: PresenceChangedEvent): void {
    // Everyone comes online at once after an outage: admitted with the joins, a few at a time.
    this.admission
      .run(() => this.chats.coMembers(event.userId))
      .then(
        (peers) =>
          this.nsp
            ?.to([...peers.map(Room.user), Room.watch(event.userId)])
            .emit(PresenceServerEvent.UserStatus, {
              userId: event.userId,
              status: event.status,
              lastSeen: event.lastSeen,
              timestamp: event.timestamp,
            }),
        (error: unknown) =>
          this.logger.warn(`userStatus of ${event.userId} not sent: ${String(error)}`),
      );
  }
}
