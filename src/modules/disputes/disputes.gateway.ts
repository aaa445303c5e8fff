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
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { WsActor } from '../../common/ws/ws-actor.decorator.js';
import { LinkedChatClientEvent, Namespace as Ns } from '../../realtime/events.js';
import { ChatSessions } from '../chat/chat-sessions.js';
import { LinkedChatRealtime } from '../chat/linked-chat.realtime.js';
import { LinkedChats } from '../chat/linked-chats.js';
import { MessageService } from '../chat/message.service.js';
import {
  DisputeGetMessagesDto,
  DisputeIdDto,
  DisputeJoinChatDto,
  DisputeReadMessagesDto,
  DisputeSendMessageDto,
  DisputeTypingDto,
} from './dto/dispute-chat.dto.js';
import { DisputesRealtime } from './disputes.realtime.js';
import { DisputesService } from './disputes.service.js';

/** /disputes: the chat handlers of /chat keyed by disputeId, and disputeStatusChanged. */
@RealtimeGateway(Ns.Disputes)
export class DisputesGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly chat: LinkedChats<'disputeId'>;

  constructor(
    disputes: DisputesService,
    messages: MessageService,
    private readonly sessions: ChatSessions,
    private readonly linked: LinkedChatRealtime,
    private readonly realtime: DisputesRealtime,
  ) {
    this.chat = new LinkedChats('disputeId', (a, id) => disputes.chatOf(a, id), sessions, messages);
  }

  afterInit(nsp: Namespace): void {
    this.linked.bind('disputeId', nsp);
    this.realtime.bind(nsp);
  }

  handleConnection(socket: AppSocket): void {
    this.sessions.attach(socket);
  }

  @SubscribeMessage(LinkedChatClientEvent.JoinChat)
  joinChat(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() { disputeId, ...options }: DisputeJoinChatDto,
  ) {
    return this.chat.join(actor, socket, disputeId, options);
  }

  @SubscribeMessage(LinkedChatClientEvent.LeaveChat)
  leaveChat(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: DisputeIdDto,
  ) {
    return this.chat.leave(actor, socket, dto.disputeId);
  }

  @SubscribeMessage(LinkedChatClientEvent.SendMessage)
  sendMessage(
    @WsActor() actor: Actor,
    @MessageBody() { disputeId, ...body }: DisputeSendMessageDto,
  ) {
    return this.chat.send(actor, disputeId, body);
  }

  @SubscribeMessage(LinkedChatClientEvent.ReadMessages)
  readMessages(
    @WsActor() actor: Actor,
    @MessageBody() { disputeId, ...body }: DisputeReadMessagesDto,
  ) {
    return this.chat.read(actor, disputeId, body);
  }

  @SubscribeMessage(LinkedChatClientEvent.Typing)
  typing(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() { disputeId, ...body }: DisputeTypingDto,
  ) {
    return this.chat.typing(actor, socket, disputeId, body);
  }

  @SubscribeMessage(LinkedChatClientEvent.GetMessages)
  getMessages(
    @WsActor() actor: Actor,
    @MessageBody() { disputeId, ...query }: DisputeGetMessagesDto,
  ) {
    return this.chat.history(actor, disputeId, query);
  }
}
