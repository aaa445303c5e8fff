import type { NotificationType } from './entities/notification.entity.js';

/** PROTOCOL.md `Notification`. */
export interface NotificationView {
  id: string;
  type: NotificationType;
  kind: string;
  subject: string;
  message: string;
  actionUrl: string | null;
  data: Record<string, unknown> | null;
  readAt: string | null;
  createdAt: string;
}

/** What a notification says; who gets it is decided by the caller. */
export interface NotificationInput {
  type: NotificationType;
  kind: string;
  subject: string;
  message: string;
  actionUrl?: string | null;
  data?: Record<string, unknown> | null;
}

export const NotificationDomainEvent = {
  /** A notification was created or updated in place (message.new coalescing). */
  Published: 'notification.published',
  /** A user's unread count after a change. */
  Unread: 'notification.unread',
} as const;

export interface NotificationPublishedEvent {
  userId: string;
  notification: NotificationView;
}

/** The unread count of each of `userIds` (one event for users whose counts are equal). */
export interface UnreadCountEvent {
  userIds: string[];
  count: number;
}
