import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { DisputesController } from './disputes.controller.js';
import { DisputesGateway } from './disputes.gateway.js';
import { DisputesRealtime } from './disputes.realtime.js';
import { DisputesService } from './disputes.service.js';

@Module({
  imports: [ChatModule, OrdersModule],
  controllers: [DisputesController],
  providers: [DisputesGateway, DisputesRealtime, DisputesService],
})
export class DisputesModule {}
