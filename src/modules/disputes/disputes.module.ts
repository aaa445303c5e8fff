import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { DisputesController } from './disputes.controller.js';
import { DisputesGateway } from './disputes.gateway.js';
import { DisputesRealtime } from './disputes.realtime.js';
import { DisputesService } from './disputes.service.js';
import { DisputeChats } from './dispute-chats.js';

@Module({
  imports: [ChatModule, OrdersModule],
  controllers: [DisputesController],
  providers: [DisputesGateway, DisputesRealtime, DisputesService, DisputeChats],
})
export class DisputesModule {}
