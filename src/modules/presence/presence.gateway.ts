import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
} from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import type { Actor } from '../../common/auth/actor.js';
import { invalidField } from '../../common/errors/domain.exception.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { EmptyPayload } from '../../common/validation/empty-payload.pipe.js';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { WsActor } from '../../common/ws/ws-actor.decorator.js';
import { Namespace as Ns, PresenceClientEvent as C, Room } from '../../realtime/events.js';
import { SubscribePresenceDto, UpdateStatusDto, UserIdDto } from './dto/presence.dto.js';
import { PresenceQueries } from './presence.queries.js';
import { PresenceRealtime } from './presence.realtime.js';
import { PresenceService } from './presence.service.js';
import type { PresenceView } from './presence.types.js';

const WATCH_ROOM = Room.watch('');
export const MAX_WATCHED = 1000;

/** /presence: a user's own status, others' statuses, and userStatus as they change. */
@RealtimeGateway(Ns.Presence)
export class PresenceGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly presence: PresenceService,
    private readonly queries: PresenceQueries,
    private readonly realtime: PresenceRealtime,
  ) {}

  afterInit(nsp: Namespace): void {
    this.realtime.bind(nsp);
  }

  handleConnection(socket: AppSocket): void {
    void socket.join(Room.user(socket.data.user!.id));
  }

  @SubscribeMessage(C.UpdateStatus)
  updateStatus(
    @WsActor() actor: Actor,
    @MessageBody() dto: UpdateStatusDto,
  ): Promise<PresenceView> {
    return this.presence.setStatus(actor.id, dto.status);
  }

  @SubscribeMessage(C.GetUser)
  getUser(@MessageBody() dto: UserIdDto): Promise<PresenceView> {
    return this.queries.one(dto.userId);
  }

  @SubscribeMessage(C.GetOnlineUsers)
  getOnlineUsers(
    @WsActor() actor: Actor,
    @MessageBody(EmptyPayload) _: object,
  ): Promise<{ users: PresenceView[] }> {
    return this.queries.onlinePeers(actor.id);
  }

  /**
   * userStatus of these users from now on, whether or not they share a chat with the caller;
   * a socket watches at most MAX_WATCHED users in all (the DTO drops repeated ids).
   */
  @SubscribeMessage(C.Subscribe)
  async subscribe(
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: SubscribePresenceDto,
  ): Promise<{ users: PresenceView[] }> {
    const rooms = dto.userIds.map(Room.watch);
    const watched = [...socket.rooms].filter((room) => room.startsWith(WATCH_ROOM)).length;
    const adding = rooms.filter((room) => !socket.rooms.has(room)).length;
    if (watched + adding > MAX_WATCHED) {
      throw invalidField('userIds', 'maxWatched', `a socket watches at most ${MAX_WATCHED} users`);
    }
    await socket.join(rooms);
    return { users: await this.presence.of(dto.userIds) };
  }
}
