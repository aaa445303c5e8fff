import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { OrderServerEvent, Room } from '../../realtime/events.js';
import { OrderDomainEvent, type OrderStatusChangedEvent } from './order.events.js';

/** orderStatusChanged, on /orders, to every socket of each of the order's parties. */
@Injectable()
export class OrdersRealtime {
  private nsp?: Namespace;

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(OrderDomainEvent.StatusChanged)
  statusChanged(event: OrderStatusChangedEvent): void {
    this.nsp?.to(event.participantIds.map(Room.user)).emit(OrderServerEvent.OrderStatusChanged, {
      orderId: event.order.id,
      status: event.order.status,
      previousStatus: event.previousStatus,
      changedBy: event.changedBy,
      timestamp: event.timestamp,
    });
  }
}
