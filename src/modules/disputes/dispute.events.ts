import type { OrderView } from '../orders/order.types.js';
import type { DisputeStatus } from './entities/dispute.entity.js';
import type { DisputeView } from './dispute.types.js';

/** Domain events of the disputes module, for the realtime layer and notifications. */
export const DisputeDomainEvent = {
  Opened: 'dispute.opened',
  Assigned: 'dispute.assigned',
  StatusChanged: 'dispute.status_changed',
} as const;

export interface DisputeOpenedEvent {
  dispute: DisputeView;
  order: OrderView;
  /** The order's client and performer. */
  participantIds: string[];
}

/** dispute.assigned (OPEN → IN_REVIEW) and dispute.status_changed (closed) carry the same. */
export interface DisputeStatusChangedEvent {
  dispute: DisputeView;
  previousStatus: DisputeStatus;
  changedBy: string;
  timestamp: string;
  /** The order's client and performer, and the dispute's moderator once it has one. */
  participantIds: string[];
}
