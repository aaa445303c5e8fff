import type { OrderStatus } from './entities/order.entity.js';
import type { OrderView } from './order.types.js';

/** Domain events of the orders module, for the realtime layer and notifications. */
export const OrderDomainEvent = {
  Created: 'order.created',
  StatusChanged: 'order.status_changed',
} as const;

export interface OrderCreatedEvent {
  order: OrderView;
}

export interface OrderStatusChangedEvent {
  order: OrderView;
  previousStatus: OrderStatus;
  changedBy: string;
  timestamp: string;
  /** The client and the performer. */
  participantIds: string[];
}
