import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
} from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import type { Actor } from '../../common/auth/actor.js';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';
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
  /** One subscribe at a time per socket: one that fails leaves exactly the rooms it joined. */
  private readonly subscribing = new KeyedQueue();

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
    return this.subscribing.run(socket.id, async () => {
      const watched = [...socket.rooms].filter((room) => room.startsWith(WATCH_ROOM)).length;
      const adding = dto.userIds.map(Room.watch).filter((room) => !socket.rooms.has(room));
      if (watched + adding.length > MAX_WATCHED) {
        throw invalidField(
          'userIds',
          'maxWatched',
          `a socket watches at most ${MAX_WATCHED} users`,
        );
      }
      // Joined before the read, so no change falls between the answer and the events; a refused
      // subscribe (the store away) watches no one new.
      await socket.join(adding);
      try {
        return { users: await this.presence.of(dto.userIds) };
      } catch (error) {
        for (const room of adding) await socket.leave(room);
        throw error;
      }
    });
  }
}
