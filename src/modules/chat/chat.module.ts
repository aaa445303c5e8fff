import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { ChatGateway } from './chat.gateway.js';

@Module({
  imports: [UsersModule],
  providers: [ChatGateway],
})
export class ChatModule {}
