import { Injectable } from '@nestjs/common';
import { ChatSessions } from '../chat/chat-sessions.js';
import { LinkedChats } from '../chat/linked-chats.js';
import { MessageService } from '../chat/message.service.js';
import { DisputesService } from './disputes.service.js';

/** The chat use cases of a dispute, keyed by disputeId: one for /disputes and the REST routes alike. */
@Injectable()
export class DisputeChats extends LinkedChats<'disputeId'> {
  constructor(disputes: DisputesService, sessions: ChatSessions, messages: MessageService) {
    super('disputeId', (actor, id) => disputes.chatOf(actor, id), sessions, messages);
  }
}
