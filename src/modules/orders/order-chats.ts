import { Injectable } from '@nestjs/common';
import { ChatSessions } from '../chat/chat-sessions.js';
import { LinkedChats } from '../chat/linked-chats.js';
import { MessageService } from '../chat/message.service.js';
import { OrdersService } from './orders.service.js';

/** The chat use cases of an order, keyed by orderId: one for /orders and the REST routes alike. */
@Injectable()
export class OrderChats extends LinkedChats<'orderId'> {
  constructor(orders: OrdersService, sessions: ChatSessions, messages: MessageService) {
    super('orderId', (actor, id) => orders.chatOf(actor, id), sessions, messages);
  }
}
