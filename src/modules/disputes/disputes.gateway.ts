import type { OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace as Ns } from '../../realtime/events.js';
import { ChatSessions } from '../chat/chat-sessions.js';
import { LinkedChatGateway } from '../chat/linked-chat-gateway.mixin.js';
import { LinkedChatRealtime } from '../chat/linked-chat.realtime.js';
import { LinkedChats } from '../chat/linked-chats.js';
import { MessageService } from '../chat/message.service.js';
import { DisputesRealtime } from './disputes.realtime.js';
import { DisputesService } from './disputes.service.js';
import { DISPUTE_CHAT_PAYLOADS } from './dto/dispute-chat.dto.js';

/** /disputes: the chat handlers of /chat keyed by disputeId, and disputeStatusChanged. */
@RealtimeGateway(Ns.Disputes)
export class DisputesGateway
  extends LinkedChatGateway('disputeId', DISPUTE_CHAT_PAYLOADS)
  implements OnGatewayInit
{
  protected readonly chat: LinkedChats<'disputeId'>;

  constructor(
    disputes: DisputesService,
    messages: MessageService,
    sessions: ChatSessions,
    private readonly linked: LinkedChatRealtime,
    private readonly realtime: DisputesRealtime,
  ) {
    super();
    this.chat = new LinkedChats('disputeId', (a, id) => disputes.chatOf(a, id), sessions, messages);
  }

  afterInit(nsp: Namespace): void {
    this.linked.bind('disputeId', nsp);
    this.realtime.bind(nsp);
  }
}
