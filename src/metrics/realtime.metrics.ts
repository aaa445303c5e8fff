import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Server } from 'socket.io';
import { METRICS_PREFIX, MetricsRegistry } from './metrics.registry.js';

/** `code` of a successful answer; failures carry their ErrorCode. */
export const OK_CODE = 'OK';

/** 0.5 ms to 5 s: a cached read answers in well under a millisecond, a stalled store in seconds. */
const ACK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type EventLabels = Record<'namespace' | 'event', string>;

/**
 * The series of one event on one namespace, bound to their labels once: counting on the hot
 * path is then an increment, with no label hashing and no allocation.
 */
export interface EventSeries {
  readonly labels: EventLabels;
  readonly received: Counter.Internal;
  readonly ok: Counter.Internal;
  readonly latency: Histogram.Internal<'namespace' | 'event'>;
  readonly failures: Map<string, Counter.Internal>;
}

/**
 * Socket metrics. The socket adapter counts events as they reach a handler, so only events with
 * a handler are seen: event names, namespaces and codes are all bounded sets. Connected sockets
 * are read from Socket.IO's namespaces at scrape time.
 */
@Injectable()
export class RealtimeMetrics {
  private readonly received: Counter<'namespace' | 'event'>;
  private readonly answered: Counter<'namespace' | 'event' | 'code'>;
  private readonly latency: Histogram<'namespace' | 'event'>;
  private readonly series = new Map<string, Map<string, EventSeries>>();
  private server?: Server;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.received = new Counter({
      name: `${METRICS_PREFIX}ws_events_received_total`,
      help: 'Client events that reached a handler, counted on arrival (before the token re-check).',
      labelNames: ['namespace', 'event'],
      registers,
    });
    this.answered = new Counter({
      name: `${METRICS_PREFIX}ws_acks_total`,
      help: 'Answers to client events: OK, or the error code (sent as an error event when the client gave no callback).',
      labelNames: ['namespace', 'event', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: `${METRICS_PREFIX}ws_ack_duration_seconds`,
      help: 'From the event reaching its handler to its answer, OK or not (refusals included).',
      labelNames: ['namespace', 'event'],
      buckets: ACK_BUCKETS,
      registers,
    });
    const sockets: Gauge<'namespace'> = new Gauge({
      name: `${METRICS_PREFIX}sockets_connected`,
      help: 'Sockets connected to this node, by namespace.',
      labelNames: ['namespace'],
      registers,
      collect: () => {
        for (const [name, namespace] of this.server?._nsps ?? []) {
          sockets.set({ namespace: name }, namespace.sockets.size);
        }
      },
    });
  }

  /** The Socket.IO server whose namespaces are counted at scrape time. */
  watch(server: Server): void {
    this.server = server;
  }

  /** The series of one event on one namespace (the adapter asks for each event it hears). */
  seriesOf(namespace: string, event: string): EventSeries {
    let byEvent = this.series.get(namespace);
    if (!byEvent) this.series.set(namespace, (byEvent = new Map<string, EventSeries>()));
    let series = byEvent.get(event);
    if (!series) {
      const labels = { namespace, event };
      series = {
        labels,
        received: this.received.labels(labels),
        ok: this.answered.labels({ ...labels, code: OK_CODE }),
        latency: this.latency.labels(labels),
        failures: new Map(),
      };
      byEvent.set(event, series);
    }
    return series;
  }

  /** An event arrived (counted before the token re-check, so refusals count too). */
  receive(series: EventSeries): void {
    series.received.inc();
  }

  /**
   * The event was answered, OK or with an error `code` (guard refusals included); `startedAt` is
   * the `performance.now()` it arrived at.
   */
  answer(series: EventSeries, startedAt: number, code: string): void {
    let counter = code === OK_CODE ? series.ok : series.failures.get(code);
    if (!counter) {
      counter = this.answered.labels({ ...series.labels, code });
      series.failures.set(code, counter);
    }
    counter.inc();
    this.observe(series, startedAt);
  }

  private observe(series: EventSeries, startedAt: number): void {
    series.latency.observe((performance.now() - startedAt) / 1000);
  }
}
