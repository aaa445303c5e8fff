import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { poolCounts, type PoolCounts } from '../database/pool-counts.js';
import { METRICS_PREFIX, MetricsRegistry } from './metrics.registry.js';
import { UpProbe } from './up-probe.js';

/** How long a scrape waits for the database to answer before reporting it down. */
export const DB_PROBE_TIMEOUT_MS = 1000;

/** Database metrics, all read at scrape time: the pool's counters and whether it answers. */
@Injectable()
export class DatabaseMetrics {
  constructor(registry: MetricsRegistry, dataSource: DataSource) {
    const registers = [registry];
    const poolGauge = (name: string, help: string, read: (pool: PoolCounts) => number): void => {
      const gauge: Gauge = new Gauge({
        name: `${METRICS_PREFIX}${name}`,
        help,
        registers,
        collect: () => {
          const counts = poolCounts(dataSource);
          gauge.set(counts ? read(counts) : 0);
        },
      });
    };
    poolGauge(
      'db_pool_connections',
      'Connections the pool holds (PGlite: its one connection).',
      (p) => p.totalCount,
    );
    poolGauge('db_pool_idle_connections', 'Connections idle in the pool.', (p) => p.idleCount);
    poolGauge('db_pool_waiting', 'Checkouts waiting for a free connection.', (p) => p.waitingCount);

    const probe = new UpProbe(() => dataSource.query('SELECT 1'), DB_PROBE_TIMEOUT_MS);
    const up: Gauge = new Gauge({
      name: `${METRICS_PREFIX}db_up`,
      help: `1 if the database answered SELECT 1 within ${DB_PROBE_TIMEOUT_MS} ms at scrape time, else 0.`,
      registers,
      collect: async () => up.set(await probe.check()),
    });
  }
}
