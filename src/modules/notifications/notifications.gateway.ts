import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
} from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import type { Actor } from '../../common/auth/actor.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { EmptyPayload } from '../../common/validation/empty-payload.pipe.js';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { WsActor } from '../../common/ws/ws-actor.decorator.js';
import { Namespace as Ns, NotificationClientEvent as C, Room } from '../../realtime/events.js';
import type { Page } from '../chat/chat.types.js';
import { ListNotificationsDto, NotificationIdDto } from './dto/notification.dto.js';
import type { NotificationView } from './notification.types.js';
import { NotificationsRealtime } from './notifications.realtime.js';
import { NotificationsService } from './notifications.service.js';

/** /notifications: every socket is in its user's channel from the start. */
@RealtimeGateway(Ns.Notifications)
export class NotificationsGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly realtime: NotificationsRealtime,
  ) {}

  afterInit(nsp: Namespace): void {
    this.realtime.bind(nsp);
  }

  handleConnection(socket: AppSocket): void {
    void socket.join(Room.user(socket.data.user!.id));
  }

  /** The socket is already subscribed; this confirms it (and re-joins, should it have left). */
  @SubscribeMessage(C.Subscribe)
  async subscribe(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody(EmptyPayload) _: object,
  ) {
    await socket.join(Room.user(actor.id));
    return { userId: actor.id };
  }

  @SubscribeMessage(C.List)
  list(
    @WsActor() actor: Actor,
    @MessageBody() dto: ListNotificationsDto,
  ): Promise<Page<NotificationView>> {
    return this.notifications.list(actor.id, dto);
  }

  @SubscribeMessage(C.GetUnreadCount)
  getUnreadCount(
    @WsActor() actor: Actor,
    @MessageBody(EmptyPayload) _: object,
  ): Promise<{ count: number }> {
    return this.notifications.unreadCount(actor.id);
  }

  @SubscribeMessage(C.MarkRead)
  markRead(@WsActor() actor: Actor, @MessageBody() dto: NotificationIdDto) {
    return this.notifications.markRead(actor.id, dto.notificationId);
  }

  @SubscribeMessage(C.MarkAllRead)
  markAllRead(@WsActor() actor: Actor, @MessageBody(EmptyPayload) _: object) {
    return this.notifications.markAllRead(actor.id);
  }
}
