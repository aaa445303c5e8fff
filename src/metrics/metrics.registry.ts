import { Registry } from 'prom-client';

/** Every metric name starts with it, the process metrics included. */
export const METRICS_PREFIX = 'messaging_';

/**
 * This app's own metrics. The process metrics live in prom-client's default registry, once per
 * process; these live here, once per app, because their scrape-time readings are bound to this
 * app's database, Redis and Socket.IO server (tests run several apps in one process).
 */
export class MetricsRegistry extends Registry {}
