import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace } from '../../realtime/events.js';

/** The presence namespace: accepts authenticated connections; its handlers come with the presence module. */
@RealtimeGateway(Namespace.Presence)
export class PresenceGateway {}
