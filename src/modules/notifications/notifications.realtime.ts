import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { NotificationServerEvent, Room } from '../../realtime/events.js';
import {
  NotificationDomainEvent,
  type NotificationPublishedEvent,
  type UnreadCountEvent,
} from './notification.types.js';

/** newNotification and unreadCount, on /notifications, to every socket of the user. */
@Injectable()
export class NotificationsRealtime {
  private nsp?: Namespace;

  bind(nsp: Namespace): void {
    this.nsp = nsp;
  }

  @OnEvent(NotificationDomainEvent.Published)
  published({ userId, notification }: NotificationPublishedEvent): void {
    this.nsp?.to(Room.user(userId)).emit(NotificationServerEvent.NewNotification, notification);
  }

  @OnEvent(NotificationDomainEvent.Unread)
  unread({ userIds, count }: UnreadCountEvent): void {
    this.nsp?.to(userIds.map(Room.user)).emit(NotificationServerEvent.UnreadCount, { count });
  }
}
