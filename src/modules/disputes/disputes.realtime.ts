import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { DisputeServerEvent, Room } from '../../realtime/events.js';
import { DisputeDomainEvent, type DisputeStatusChangedEvent } from './dispute.events.js';

/** disputeStatusChanged, on /disputes, to every socket of each of the dispute's participants. */
@Injectable()
export class DisputesRealtime {
  private nsp?: Namespace;

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(DisputeDomainEvent.Assigned)
  assigned(event: DisputeStatusChangedEvent): void {
    this.statusChanged(event);
  }

  @OnEvent(DisputeDomainEvent.StatusChanged)
  statusChanged(event: DisputeStatusChangedEvent): void {
    this.nsp
      ?.to(event.participantIds.map(Room.user))
      .emit(DisputeServerEvent.DisputeStatusChanged, {
        disputeId: event.dispute.id,
        orderId: event.dispute.orderId,
        status: event.dispute.status,
        previousStatus: event.previousStatus,
        changedBy: event.changedBy,
        timestamp: event.timestamp,
      });
  }
}
