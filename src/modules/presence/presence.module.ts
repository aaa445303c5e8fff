import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module.js';
import { PresenceController } from './presence.controller.js';
import { PresenceGateway } from './presence.gateway.js';
import { PresenceQueries } from './presence.queries.js';
import { PresenceRealtime } from './presence.realtime.js';
import { PresenceService } from './presence.service.js';

@Module({
  imports: [ChatModule],
  controllers: [PresenceController],
  providers: [PresenceGateway, PresenceService, PresenceQueries, PresenceRealtime],
})
export class PresenceModule {}
