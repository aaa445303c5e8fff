import type { OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace as Ns } from '../../realtime/events.js';
import { LinkedChatGateway } from '../chat/linked-chat-gateway.mixin.js';
import { LinkedChatRealtime } from '../chat/linked-chat.realtime.js';
import { DisputeChats } from './dispute-chats.js';
import { DisputesRealtime } from './disputes.realtime.js';
import { DISPUTE_CHAT_PAYLOADS } from './dto/dispute-chat.dto.js';

/** /disputes: the chat handlers of /chat keyed by disputeId, and disputeStatusChanged. */
@RealtimeGateway(Ns.Disputes)
export class DisputesGateway
  extends LinkedChatGateway('disputeId', DISPUTE_CHAT_PAYLOADS)
  implements OnGatewayInit
{
  constructor(
    protected readonly chat: DisputeChats,
    private readonly linked: LinkedChatRealtime,
    private readonly realtime: DisputesRealtime,
  ) {
    super();
  }

  afterInit(nsp: Namespace): void {
    this.linked.bind('disputeId', nsp);
    this.realtime.bind(nsp);
  }
}
