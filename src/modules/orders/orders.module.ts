import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module.js';
import { OrdersController } from './orders.controller.js';
import { OrdersGateway } from './orders.gateway.js';
import { OrdersRealtime } from './orders.realtime.js';
import { OrdersService } from './orders.service.js';
import { OrderChats } from './order-chats.js';

@Module({
  imports: [ChatModule],
  controllers: [OrdersController],
  providers: [OrdersGateway, OrdersRealtime, OrdersService, OrderChats],
  exports: [OrdersService],
})
export class OrdersModule {}
