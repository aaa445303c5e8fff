import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { METRICS_PREFIX, MetricsRegistry } from './metrics.registry.js';

/** The `limit` label: one value per abuse limit, a bounded set. */
export type LimitName =
  | 'message_rate'
  | 'chat_rate'
  | 'event_rate'
  | 'user_event_rate'
  | 'connection_rate'
  | 'sockets_per_user'
  | 'rooms_per_socket'
  | 'rest_rate'
  | 'slow_consumer'
  | 'frame_size';

/** Refusals by the abuse limits: one counter, incremented where each limit says no. */
@Injectable()
export class LimitMetrics {
  private readonly refusals: Counter<'limit'>;

  constructor(registry: MetricsRegistry) {
    this.refusals = new Counter({
      name: `${METRICS_PREFIX}limit_refusals_total`,
      help: 'Actions refused, or connections dropped, by an abuse limit.',
      labelNames: ['limit'],
      registers: [registry],
    });
  }

  readonly refused = (limit: LimitName): void => {
    this.refusals.inc({ limit });
  };
}
