import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ActiveUsers } from '../chat/active-users.js';
import { ChatService } from '../chat/chat.service.js';
import {
  ChatDomainEvent,
  type MessageCreatedEvent,
  type MessagesReadEvent,
} from '../chat/chat.events.js';
import { MessageType } from '../chat/entities/message.entity.js';
import {
  DisputeDomainEvent,
  type DisputeOpenedEvent,
  type DisputeStatusChangedEvent,
} from '../disputes/dispute.events.js';
import { OrderDomainEvent, type OrderStatusChangedEvent } from '../orders/order.events.js';
import { NotificationKind, NotificationType } from './entities/notification.entity.js';
import type { NotificationInput } from './notification.types.js';
import { messageNewKey, previewOf } from './notification-preview.js';
import { NotificationsService } from './notifications.service.js';

/**
 * Turns domain events into notifications: nobody calls this module; it listens. Each runs after
 * the change it reports has committed and been acknowledged, and a failure is logged, not thrown.
 */
@Injectable()
export class NotificationProducers {
  private readonly logger = new Logger(NotificationProducers.name);

  constructor(
    private readonly notifications: NotificationsService,
    private readonly active: ActiveUsers,
    private readonly chats: ChatService,
  ) {}

  /**
   * A reply notifies the author of the replied message (a member, or staff who may read the chat:
   * ADMIN, or a MODERATOR in a dispute chat, who write without being members); every other
   * member with no socket joined to the chat gets (or has updated) their one unread
   * `message.new` for that chat.
   * Members joined on this node are known to be looking without asking the shared store: a
   * message every member of which is joined here (most, in an active chat) costs no lookup.
   */
  @OnEvent(ChatDomainEvent.MessageCreated)
  messageCreated({ message, memberIds: members }: MessageCreatedEvent): void {
    if (message.type === MessageType.System) return;
    const repliedTo = message.replyTo?.senderId;
    const replied = repliedTo && repliedTo !== message.senderId ? repliedTo : null;
    let unseen: string[];
    try {
      const joinedHere = this.active.joinedHere(message.chatId);
      unseen = members.filter(
        (id) => id !== message.senderId && id !== replied && !joinedHere.has(id),
      );
    } catch (error) {
      // Thrown on, it would fail the send of a message already stored.
      this.logger.error(`notifications for message.created not made: ${String(error)}`);
      return;
    }
    if (!replied && unseen.length === 0) return;
    this.guard('message.created', async () => {
      // A member is known at once; anyone else (staff) is looked up.
      const replyTo =
        replied &&
        (members.includes(replied) || (await this.chats.readableByStaff(replied, message.chatId)))
          ? replied
          : null;
      const watching = unseen.length > 0 ? new Set(await this.watching(message.chatId)) : null;
      const preview = previewOf(message.text, message.attachments.length);
      const data = {
        chatId: message.chatId,
        messageId: message.id,
        seq: message.seq,
        senderId: message.senderId,
      };
      await Promise.all([
        replyTo &&
          this.notifications.notify([replyTo], {
            type: NotificationType.InApp,
            kind: NotificationKind.MessageReply,
            subject: 'New reply to your message',
            message: preview,
            data,
          }),
        watching &&
          this.notifications.notifyCoalesced(
            unseen.filter((id) => !watching.has(id)),
            messageNewKey(message.chatId),
            {
              type: NotificationType.InApp,
              kind: NotificationKind.MessageNew,
              subject: 'New messages',
              message: preview,
              data,
            },
          ),
      ]);
    });
  }

  /** Reading a chat reads its `message.new` too. */
  @OnEvent(ChatDomainEvent.MessagesRead)
  messagesRead({ userId, chatId, lastReadSeq }: MessagesReadEvent): void {
    this.guard('message.read', () => this.notifications.chatRead(userId, chatId, lastReadSeq));
  }

  @OnEvent(OrderDomainEvent.StatusChanged)
  orderStatusChanged(event: OrderStatusChangedEvent): void {
    const { order } = event;
    this.toOthers(event.participantIds, event.changedBy, {
      kind: NotificationKind.OrderStatus,
      subject: `Order "${order.title}" is ${order.status}`,
      message: `Order status changed from ${event.previousStatus} to ${order.status}`,
      data: {
        orderId: order.id,
        chatId: order.chatId,
        status: order.status,
        previousStatus: event.previousStatus,
        changedBy: event.changedBy,
      },
    });
  }

  @OnEvent(DisputeDomainEvent.Opened)
  disputeOpened({ dispute, order, participantIds }: DisputeOpenedEvent): void {
    this.toOthers(participantIds, dispute.openedBy, {
      kind: NotificationKind.DisputeOpened,
      subject: `A dispute was opened on order "${order.title}"`,
      message: dispute.reason,
      data: { disputeId: dispute.id, orderId: order.id, chatId: dispute.chatId },
    });
  }

  @OnEvent(DisputeDomainEvent.Assigned)
  disputeAssigned(event: DisputeStatusChangedEvent): void {
    this.toOthers(event.participantIds, event.changedBy, {
      kind: NotificationKind.DisputeAssigned,
      subject: 'A moderator is reviewing the dispute',
      message: 'The dispute is now IN_REVIEW',
      data: disputeData(event),
    });
  }

  @OnEvent(DisputeDomainEvent.StatusChanged)
  disputeStatusChanged(event: DisputeStatusChangedEvent): void {
    this.toOthers(event.participantIds, event.changedBy, {
      kind: NotificationKind.DisputeStatus,
      subject: `The dispute was ${event.dispute.status}`,
      message: event.dispute.resolution ?? `The dispute is now ${event.dispute.status}`,
      data: disputeData(event),
    });
  }

  /** In-app notifications to the participants but the one who caused the change. */
  private toOthers(
    participantIds: string[],
    causedBy: string,
    input: Omit<NotificationInput, 'type'>,
  ): void {
    const recipients = participantIds.filter((id) => id !== causedBy);
    this.guard(input.kind, () =>
      this.notifications.notify(recipients, { type: NotificationType.InApp, ...input }),
    );
  }

  /**
   * Who is looking at the chat. When that cannot be known (Redis is away), nobody but those
   * joined on this node is: one notification too many (they are coalesced per chat) beats one
   * lost.
   */
  private async watching(chatId: string): Promise<string[]> {
    try {
      return await this.active.of(chatId);
    } catch (error) {
      this.logger.warn(
        `who is looking at ${chatId} is unknown, notifying all not joined here: ${String(error)}`,
      );
      return [];
    }
  }

  private guard(what: string, work: () => Promise<unknown>): void {
    work().catch((error: unknown) =>
      this.logger.error(`notifications for ${what} not made: ${String(error)}`),
    );
  }
}

function disputeData(event: DisputeStatusChangedEvent): Record<string, unknown> {
  return {
    disputeId: event.dispute.id,
    orderId: event.dispute.orderId,
    chatId: event.dispute.chatId,
    status: event.dispute.status,
    previousStatus: event.previousStatus,
    moderatorId: event.dispute.moderatorId,
  };
}
