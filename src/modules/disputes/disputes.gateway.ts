import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { Namespace } from '../../realtime/events.js';

/** The disputes namespace: accepts authenticated connections; its handlers come with the disputes module. */
@RealtimeGateway(Namespace.Disputes)
export class DisputesGateway {}
