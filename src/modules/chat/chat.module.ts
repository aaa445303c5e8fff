import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { ChatGateway } from './chat.gateway.js';
import { ChatRealtime } from './chat.realtime.js';
import { ChatService } from './chat.service.js';
import { MessageService } from './message.service.js';
import { MessageStore } from './message.store.js';

@Module({
  imports: [UsersModule],
  providers: [ChatGateway, ChatRealtime, ChatService, MessageService, MessageStore],
  exports: [ChatService, MessageService],
})
export class ChatModule {}
