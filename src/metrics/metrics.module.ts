import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { DatabaseMetrics } from './database.metrics.js';
import { MetricsController } from './metrics.controller.js';
import { LimitMetrics } from './limit.metrics.js';
import { METRICS_PREFIX, MetricsRegistry } from './metrics.registry.js';
import { RealtimeMetrics } from './realtime.metrics.js';
import { RedisMetrics } from './redis.metrics.js';

/**
 * Node's process metrics (CPU, memory, event loop lag, GC), in prom-client's default registry.
 * prom-client refuses to register them twice in one process, and tests boot several apps in one:
 * the first app collects them, later ones find them there.
 */
function collectProcessMetrics(): void {
  if (register.getSingleMetric(`${METRICS_PREFIX}process_cpu_seconds_total`)) return;
  collectDefaultMetrics({ prefix: METRICS_PREFIX });
}

/**
 * Prometheus metrics at GET /metrics. Global: the @RealtimeGateway enhancers of every module
 * count events through RealtimeMetrics.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: MetricsRegistry,
      useFactory: (): MetricsRegistry => {
        collectProcessMetrics();
        return new MetricsRegistry();
      },
    },
    RealtimeMetrics,
    LimitMetrics,
    DatabaseMetrics,
    RedisMetrics,
  ],
  exports: [RealtimeMetrics, LimitMetrics],
})
export class MetricsModule {}
