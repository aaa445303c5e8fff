import { ArgumentsHost, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Server, Socket } from 'socket.io';
import { METRICS_PREFIX, MetricsRegistry } from './metrics.registry.js';

/** `code` of a successful answer; failures carry their ErrorCode. */
export const OK_CODE = 'OK';

/** 0.5 ms to 5 s: a cached read answers in well under a millisecond, a stalled store in seconds. */
const ACK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type EventLabels = Record<'namespace' | 'event', string>;
type AnswerLabels = Record<'namespace' | 'event' | 'code', string>;

/** The label sets of one event on one namespace, made once: the hot path allocates none. */
export interface EventSeries {
  readonly labels: EventLabels;
  readonly ok: AnswerLabels;
  readonly failures: Map<string, AnswerLabels>;
}

/**
 * Socket metrics. Events are counted by the @RealtimeGateway enhancers, so only events with a
 * handler are seen: event names, namespaces and codes are all bounded sets. Connected sockets
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
      help: 'From the handler taking the event (after the token re-check) to its answer, OK or not.',
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

  /** The series of the event a gateway enhancer is handling (args: socket, data, ack?, event). */
  seriesOf(host: ArgumentsHost): EventSeries {
    const args = host.getArgs();
    const namespace = (args[0] as Socket).nsp.name;
    const event = args[args.length - 1] as string;
    let byEvent = this.series.get(namespace);
    if (!byEvent) this.series.set(namespace, (byEvent = new Map<string, EventSeries>()));
    let series = byEvent.get(event);
    if (!series) {
      series = {
        labels: { namespace, event },
        ok: { namespace, event, code: OK_CODE },
        failures: new Map(),
      };
      byEvent.set(event, series);
    }
    return series;
  }

  /** An event arrived (counted before the token re-check, so refusals count too). */
  receive(series: EventSeries): void {
    this.received.inc(series.labels);
  }

  /** A handler answered `ok: true`; `startedAt` is the `performance.now()` it took the event at. */
  answerOk(series: EventSeries, startedAt: number): void {
    this.answered.inc(series.ok);
    this.observe(series, startedAt);
  }

  /** A handler threw: its latency. Its code is counted by `answerError`, in the exception filter. */
  timeFailure(series: EventSeries, startedAt: number): void {
    this.observe(series, startedAt);
  }

  /** Every failure, guard refusals included, leaves through the exception filter, which calls this. */
  answerError(series: EventSeries, code: string): void {
    let labels = series.failures.get(code);
    if (!labels) {
      labels = { ...series.labels, code };
      series.failures.set(code, labels);
    }
    this.answered.inc(labels);
  }

  private observe(series: EventSeries, startedAt: number): void {
    this.latency.observe(series.labels, (performance.now() - startedAt) / 1000);
  }
}
