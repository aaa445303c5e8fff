import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace } from '../../realtime/events.js';

/** The notifications namespace: accepts authenticated connections; its handlers come with the notifications module. */
@RealtimeGateway(Namespace.Notifications)
export class NotificationsGateway {}
