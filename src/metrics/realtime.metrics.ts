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
 * The series of one event on one namespace. Its counts are plain numbers, handed to prom-client
 * when it is read (a scrape): counting an event is then an increment, where prom-client's own
 * `inc`, even on a child bound to its labels, hashes and checks the labels every time. The latency
 * histogram is prom-client's.
 */
export interface EventSeries {
  readonly labels: EventLabels;
  /** Events received since the counters were last read. */
  received: number;
  /** OK answers since the counters were last read. */
  ok: number;
  /** Failed answers since the counters were last read, by error code. */
  readonly failures: Map<string, number>;
  readonly latency: Histogram.Internal<'namespace' | 'event'>;
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
    const collect = () => this.collect();
    this.received = new Counter({
      name: `${METRICS_PREFIX}ws_events_received_total`,
      help: 'Client events that reached a handler, counted on arrival (before the token re-check).',
      labelNames: ['namespace', 'event'],
      registers,
      collect,
    });
    this.answered = new Counter({
      name: `${METRICS_PREFIX}ws_acks_total`,
      help: 'Answers to client events: OK, or the error code (sent as an error event when the client gave no callback).',
      labelNames: ['namespace', 'event', 'code'],
      registers,
      collect,
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
        received: 0,
        ok: 0,
        failures: new Map(),
        latency: this.latency.labels(labels),
      };
      byEvent.set(event, series);
    }
    return series;
  }

  /** An event arrived (counted before the token re-check, so refusals count too). */
  receive(series: EventSeries): void {
    series.received++;
  }

  /**
   * The event was answered, OK or with an error `code` (guard refusals included); `startedAt` is
   * the `performance.now()` it arrived at.
   */
  answer(series: EventSeries, startedAt: number, code: string): void {
    if (code === OK_CODE) series.ok++;
    else series.failures.set(code, (series.failures.get(code) ?? 0) + 1);
    this.observe(series, startedAt);
  }

  /** Adds what was counted since the last read to prom-client's counters (either one's read). */
  private collect(): void {
    for (const byEvent of this.series.values()) {
      for (const series of byEvent.values()) {
        if (series.received > 0) this.received.inc(series.labels, series.received);
        series.received = 0;
        if (series.ok > 0) this.answered.inc({ ...series.labels, code: OK_CODE }, series.ok);
        series.ok = 0;
        for (const [code, count] of series.failures) {
          if (count > 0) this.answered.inc({ ...series.labels, code }, count);
          series.failures.set(code, 0);
        }
      }
    }
  }

  private observe(series: EventSeries, startedAt: number): void {
    series.latency.observe((performance.now() - startedAt) / 1000);
  }
}
