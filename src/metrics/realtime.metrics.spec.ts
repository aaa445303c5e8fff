import { describe, expect, it } from '@jest/globals';
import { RealtimeMetrics } from './realtime.metrics.js';
import { MetricsRegistry } from './metrics.registry.js';

async function value(registry: MetricsRegistry, name: string, labels: object): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  const found = metric.values.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return found?.value ?? 0;
}

describe('RealtimeMetrics', () => {
  it('binds the series of an event once, so counting allocates none', () => {
    const metrics = new RealtimeMetrics(new MetricsRegistry());
    const first = metrics.seriesOf('/chat', 'sendMessage');
    expect(metrics.seriesOf('/chat', 'sendMessage')).toBe(first);
    expect(metrics.seriesOf('/orders', 'sendMessage')).not.toBe(first);
    expect(first.labels).toEqual({ namespace: '/chat', event: 'sendMessage' });
  });

  it('counts and times each answered event once, by code', async () => {
    const registry = new MetricsRegistry();
    const metrics = new RealtimeMetrics(registry);
    const series = metrics.seriesOf('/chat', 'typing');
    // One answered OK, one failed in its handler, one refused by the token re-check.
    for (let i = 0; i < 3; i += 1) metrics.receive(series);
    metrics.answer(series, performance.now(), 'OK');
    metrics.answer(series, performance.now(), 'FORBIDDEN');
    metrics.answer(series, performance.now(), 'TOKEN_EXPIRED');
    const labels = { namespace: '/chat', event: 'typing' };
    const acks = 'messaging_ws_acks_total';
    expect(await value(registry, 'messaging_ws_events_received_total', labels)).toBe(3);
    expect(await value(registry, acks, { ...labels, code: 'OK' })).toBe(1);
    expect(await value(registry, acks, { ...labels, code: 'FORBIDDEN' })).toBe(1);
    expect(await value(registry, acks, { ...labels, code: 'TOKEN_EXPIRED' })).toBe(1);
    expect(await registry.metrics()).toContain(
      'messaging_ws_ack_duration_seconds_count{namespace="/chat",event="typing"} 3',
    );
  });

  it('reads the running totals however often it is read, counting each event once', async () => {
    const registry = new MetricsRegistry();
    const metrics = new RealtimeMetrics(registry);
    const series = metrics.seriesOf('/chat', 'typing');
    const labels = { namespace: '/chat', event: 'typing' };
    const acks = 'messaging_ws_acks_total';
    metrics.receive(series);
    metrics.answer(series, performance.now(), 'FORBIDDEN');
    expect(await value(registry, 'messaging_ws_events_received_total', labels)).toBe(1);
    for (let i = 0; i < 2; i += 1) metrics.receive(series);
    metrics.answer(series, performance.now(), 'OK');
    metrics.answer(series, performance.now(), 'FORBIDDEN');
    await registry.metrics();
    expect(await value(registry, 'messaging_ws_events_received_total', labels)).toBe(3);
    expect(await value(registry, acks, { ...labels, code: 'OK' })).toBe(1);
    expect(await value(registry, acks, { ...labels, code: 'FORBIDDEN' })).toBe(2);
  });
});
