import type { OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace as Ns } from '../../realtime/events.js';
import { LinkedChatGateway } from '../chat/linked-chat-gateway.mixin.js';
import { LinkedChatRealtime } from '../chat/linked-chat.realtime.js';
import { OrderChats } from './order-chats.js';
import { ORDER_CHAT_PAYLOADS } from './dto/order-chat.dto.js';
import { OrdersRealtime } from './orders.realtime.js';

/** /orders: the chat handlers of /chat keyed by orderId, and orderStatusChanged. */
@RealtimeGateway(Ns.Orders)
export class OrdersGateway
  extends LinkedChatGateway('orderId', ORDER_CHAT_PAYLOADS)
  implements OnGatewayInit
{
  constructor(
    protected readonly chat: OrderChats,
    private readonly linked: LinkedChatRealtime,
    private readonly realtime: OrdersRealtime,
  ) {
    super();
  }

  afterInit(nsp: Namespace): void {
    this.linked.bind('orderId', nsp);
    this.realtime.bind(nsp);
  }
}
