import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { UsersModule } from '../users/users.module.js';
import { ChatGateway } from './chat.gateway.js';
import { ChatsController } from './chats.controller.js';
import { MessagesController } from './messages.controller.js';
import { ChatRealtime } from './chat.realtime.js';
import { ChatLinks } from './chat-links.js';
import { ActiveUsers } from './active-users.js';
import { ChatSessions } from './chat-sessions.js';
import { LinkedChatRealtime } from './linked-chat.realtime.js';
import { ChatSequence } from './chat-sequence.js';
import { ChatService } from './chat.service.js';
import { MessageEditService } from './message-edit.service.js';
import { MessageService } from './message.service.js';
import { TypingService } from './typing.service.js';
import { MessageStore } from './message.store.js';

@Module({
  imports: [UsersModule, FilesModule],
  controllers: [ChatsController, MessagesController],
  providers: [
    ChatGateway,
    ChatRealtime,
    ChatLinks,
    ActiveUsers,
    ChatSessions,
    LinkedChatRealtime,
    ChatSequence,
    ChatService,
    MessageService,
    MessageEditService,
    MessageStore,
    TypingService,
  ],
  exports: [
    ChatService,
    MessageService,
    ChatSessions,
    LinkedChatRealtime,
    ActiveUsers,
    TypingService,
  ],
})
export class ChatModule {}
