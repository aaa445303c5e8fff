import type { OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace as Ns } from '../../realtime/events.js';
import { ChatSessions } from '../chat/chat-sessions.js';
import { LinkedChatGateway } from '../chat/linked-chat-gateway.mixin.js';
import { LinkedChatRealtime } from '../chat/linked-chat.realtime.js';
import { LinkedChats } from '../chat/linked-chats.js';
import { MessageService } from '../chat/message.service.js';
import { ORDER_CHAT_PAYLOADS } from './dto/order-chat.dto.js';
import { OrdersRealtime } from './orders.realtime.js';
import { OrdersService } from './orders.service.js';

/** /orders: the chat handlers of /chat keyed by orderId, and orderStatusChanged. */
@RealtimeGateway(Ns.Orders)
export class OrdersGateway
  extends LinkedChatGateway('orderId', ORDER_CHAT_PAYLOADS)
  implements OnGatewayInit
{
  protected readonly chat: LinkedChats<'orderId'>;

  constructor(
    orders: OrdersService,
    messages: MessageService,
    sessions: ChatSessions,
    private readonly linked: LinkedChatRealtime,
    private readonly realtime: OrdersRealtime,
  ) {
    super();
    this.chat = new LinkedChats('orderId', (a, id) => orders.chatOf(a, id), sessions, messages);
  }

  afterInit(nsp: Namespace): void {
    this.linked.bind('orderId', nsp);
    this.realtime.bind(nsp);
  }
}
