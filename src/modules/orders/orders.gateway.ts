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
  OrderGetMessagesDto,
  OrderIdDto,
  OrderJoinChatDto,
  OrderReadMessagesDto,
  OrderSendMessageDto,
  OrderTypingDto,
} from './dto/order-chat.dto.js';
import { OrdersRealtime } from './orders.realtime.js';
import { OrdersService } from './orders.service.js';

/** /orders: the chat handlers of /chat keyed by orderId, and orderStatusChanged. */
@RealtimeGateway(Ns.Orders)
export class OrdersGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly chat: LinkedChats<'orderId'>;

  constructor(
    orders: OrdersService,
    messages: MessageService,
    private readonly sessions: ChatSessions,
    private readonly linked: LinkedChatRealtime,
    private readonly realtime: OrdersRealtime,
  ) {
    this.chat = new LinkedChats('orderId', (a, id) => orders.chatOf(a, id), sessions, messages);
  }

  afterInit(nsp: Namespace): void {
    this.linked.bind('orderId', nsp);
    this.realtime.bind(nsp);
  }

  handleConnection(socket: AppSocket): void {
    this.sessions.attach(socket);
  }

  @SubscribeMessage(LinkedChatClientEvent.JoinChat)
  joinChat(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() { orderId, ...options }: OrderJoinChatDto,
  ) {
    return this.chat.join(actor, socket, orderId, options);
  }

  @SubscribeMessage(LinkedChatClientEvent.LeaveChat)
  leaveChat(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: OrderIdDto,
  ) {
    return this.chat.leave(actor, socket, dto.orderId);
  }

  @SubscribeMessage(LinkedChatClientEvent.SendMessage)
  sendMessage(@WsActor() actor: Actor, @MessageBody() { orderId, ...body }: OrderSendMessageDto) {
    return this.chat.send(actor, orderId, body);
  }

  @SubscribeMessage(LinkedChatClientEvent.ReadMessages)
  readMessages(@WsActor() actor: Actor, @MessageBody() { orderId, ...body }: OrderReadMessagesDto) {
    return this.chat.read(actor, orderId, body);
  }

  @SubscribeMessage(LinkedChatClientEvent.Typing)
  typing(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() { orderId, ...body }: OrderTypingDto,
  ) {
    return this.chat.typing(actor, socket, orderId, body);
  }

  @SubscribeMessage(LinkedChatClientEvent.GetMessages)
  getMessages(@WsActor() actor: Actor, @MessageBody() { orderId, ...query }: OrderGetMessagesDto) {
    return this.chat.history(actor, orderId, query);
  }
}
