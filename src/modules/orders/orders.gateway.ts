import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace } from '../../realtime/events.js';

/** The orders namespace: accepts authenticated connections; its handlers come with the orders module. */
@RealtimeGateway(Namespace.Orders)
export class OrdersGateway {}
