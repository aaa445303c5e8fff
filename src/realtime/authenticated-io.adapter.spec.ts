import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { of } from 'rxjs';
import { EventEmitter } from 'node:events';
import type { Socket } from 'socket.io';
import type { Reply } from '../common/ws/ws-answer.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { RealtimeMetrics } from '../metrics/realtime.metrics.js';
import { AuthenticatedIoAdapter } from './authenticated-io.adapter.js';
import { ServerEvent } from './events.js';

/** A socket as far as bindMessageHandlers uses one: listeners, and emit to the client. */
function fakeSocket(): { socket: Socket; sent: unknown[][]; fire: (...args: unknown[]) => void } {
  const listeners = new EventEmitter();
  const sent: unknown[][] = [];
  const socket = {
    on: (event: string, listener: (...args: unknown[]) => void) => listeners.on(event, listener),
    emit: (...args: unknown[]) => sent.push(args),
    nsp: { name: '/chat' },
  } as unknown as Socket;
  return { socket, sent, fire: (...args) => listeners.emit('event', ...args) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An adapter that counts its answers in a registry of its own. */
function meteredAdapter(): { registry: MetricsRegistry; metered: AuthenticatedIoAdapter } {
  const registry = new MetricsRegistry();
  const metered = new AuthenticatedIoAdapter({} as never, {
    middlewares: [],
    serverOptions: {},
    meter: new RealtimeMetrics(registry),
  });
  return { registry, metered };
}

describe('AuthenticatedIoAdapter.bindMessageHandlers', () => {
  const adapter = new AuthenticatedIoAdapter({} as never, { middlewares: [], serverOptions: {} });

  /** Binds one handler named `event` on a fresh socket. */
  function bind(
    callback: (data: unknown, reply: Reply) => unknown,
    on = adapter,
    isAckHandledManually = false,
  ) {
    const fake = fakeSocket();
    on.bindMessageHandlers(fake.socket, [
      { message: 'event', isAckHandledManually, callback: callback as never },
    ]);
    return fake;
  }

  it('hands the handler its payload as Nest does: one value, several, or none', async () => {
    const calls: unknown[] = [];
    const { fire } = bind((data) => Promise.resolve(void calls.push(data)));
    const ack = () => undefined;
    fire({ a: 1 }, ack);
    fire({ a: 2 });
    fire(1, 2, ack);
    fire(ack);
    fire();
    await tick();
    expect(calls).toEqual([{ a: 1 }, { a: 2 }, [1, 2], undefined, undefined]);
  });

  it('answers what the handler resolves to in the envelope, nothing as {}', async () => {
    const results = [1, { a: 2 }, undefined, null];
    const { fire, sent } = bind(() => Promise.resolve(results.shift()));
    const acks: unknown[] = [];
    for (let i = 0; i < 4; i++) fire({}, (answer: unknown) => acks.push(answer));
    await tick();
    expect(acks).toEqual([
      { ok: true, data: 1 },
      { ok: true, data: { a: 2 } },
      { ok: true, data: {} },
      { ok: true, data: {} },
    ]);
    expect(sent).toEqual([]);
  });

  it('answers once: the first reply wins over the envelope of what the handler returns', async () => {
    // As the exception filter does: it replies with the error, and Nest's handler resolves.
    const error = { code: 'FORBIDDEN', message: 'no' };
    const { fire } = bind((_data, reply) => {
      reply({ ok: false, error } as never);
      reply({ ok: true, data: 'twice' });
      return Promise.resolve(undefined);
    });
    const acks: unknown[] = [];
    fire({}, (answer: unknown) => acks.push(answer));
    await tick();
    expect(acks).toEqual([{ ok: false, error }]);
  });

  it('sends a failure as an error event naming the event when the client gave no callback', async () => {
    const error = { code: 'VALIDATION_FAILED', message: 'bad' };
    const { fire, sent } = bind((_data, reply) => {
      reply({ ok: false, error } as never);
      return Promise.resolve(undefined);
    });
    fire({});
    await tick();
    expect(sent).toEqual([[ServerEvent.Error, { event: 'event', ...error }]]);
    // A success without a callback is sent nowhere.
    const quiet = bind(() => Promise.resolve('done'));
    quiet.fire({});
    await tick();
    expect(quiet.sent).toEqual([]);
  });

  it('leaves a manual ack (@Ack) to the handler: what it sends, if it sends', async () => {
    const acks: unknown[] = [];
    const answers = [{ by: 'hand' }, undefined];
    const { fire, sent } = bind(
      (_data, ack) => {
        const answer = answers.shift();
        if (answer) ack(answer as never);
        return Promise.resolve('not sent');
      },
      adapter,
      true,
    );
    for (let i = 0; i < 2; i++) fire({}, (answer: unknown) => acks.push(answer));
    await tick();
    expect(acks).toEqual([{ by: 'hand' }]);
    expect(sent).toEqual([]);
  });

  it('sends a manual failure without a callback as an error event, once', async () => {
    const error = { code: 'FORBIDDEN', message: 'no' };
    const { fire, sent } = bind(
      (_data, ack) => {
        ack({ ok: false, error } as never);
        ack({ ok: false, error: { code: 'CONFLICT', message: 'again' } } as never);
        return Promise.resolve(undefined);
      },
      adapter,
      true,
    );
    fire({});
    await tick();
    expect(sent).toEqual([[ServerEvent.Error, { event: 'event', ...error }]]);
  });

  it('answers with the first value of an Observable, as a handler behind an interceptor returns', async () => {
    const { fire } = bind(() => Promise.resolve(of(1, 2)));
    const acks: unknown[] = [];
    fire({}, (answer: unknown) => acks.push(answer));
    await tick();
    expect(acks).toEqual([{ ok: true, data: 1 }]);
  });

  it('answers INTERNAL when Socket.IO cannot send the answer, and logs why', async () => {
    const errors: unknown[] = [];
    const logged = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((e: unknown) => void errors.push(e));
    try {
      const { fire } = bind(() => Promise.resolve('data'));
      const acks: unknown[] = [];
      fire({}, (answer: { ok: boolean }) => {
        if (answer.ok) throw new TypeError('Do not know how to serialize a BigInt');
        acks.push(answer);
      });
      await tick();
      expect(errors).toEqual([expect.any(TypeError)]);
      expect(acks).toEqual([
        { ok: false, error: { code: 'INTERNAL', message: expect.any(String) } },
      ]);
    } finally {
      logged.mockRestore();
    }
  });

  it('answers INTERNAL to a handler that throws or rejects past its filter, and goes on', async () => {
    // toErrorBody logs the unknown errors it answers INTERNAL: not wanted in the test's output.
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const outcomes: (() => unknown)[] = [
        () => {
          throw new Error('thrown');
        },
        () => Promise.reject(new Error('rejected')),
        () => Promise.resolve('after'),
      ];
      const { fire } = bind(() => outcomes.shift()!());
      const acks: unknown[] = [];
      for (let i = 0; i < 3; i++) fire({}, (answer: unknown) => acks.push(answer));
      await tick();
      const internal = { ok: false, error: { code: 'INTERNAL', message: expect.any(String) } };
      expect(acks).toEqual([internal, internal, { ok: true, data: 'after' }]);
      expect(logged).toHaveBeenCalledTimes(2);
    } finally {
      logged.mockRestore();
    }
  });

  it('counts and times every answer by code', async () => {
    const { registry, metered } = meteredAdapter();
    const error = { code: 'FORBIDDEN', message: 'no' };
    const { fire } = bind(
      (data, reply) =>
        Promise.resolve(data === 'refuse' ? reply({ ok: false, error } as never) : 1),
      metered,
    );
    fire('accept', () => undefined);
    fire('refuse', () => undefined);
    fire('refuse');
    await tick();
    const text = await registry.metrics();
    const labels = 'namespace="/chat",event="event"';
    expect(text).toContain(`messaging_ws_events_received_total{${labels}} 3`);
    expect(text).toContain(`messaging_ws_acks_total{${labels},code="OK"} 1`);
    expect(text).toContain(`messaging_ws_acks_total{${labels},code="FORBIDDEN"} 2`);
    expect(text).toContain(`messaging_ws_ack_duration_seconds_count{${labels}} 3`);
  });

  it('counts a hand-made failure with a code outside the contract as INTERNAL', async () => {
    const { registry, metered } = meteredAdapter();
    const made = { ok: false, error: { code: 'MADE_UP', message: 'x' } };
    const acks: unknown[] = [];
    const { fire } = bind((_data, ack) => Promise.resolve(ack(made as never)), metered, true);
    fire({}, (answer: unknown) => acks.push(answer));
    await tick();
    expect(acks).toEqual([made]);
    const text = await registry.metrics();
    expect(text).toContain(
      'messaging_ws_acks_total{namespace="/chat",event="event",code="INTERNAL"} 1',
    );
    expect(text).not.toContain('MADE_UP');
  });
});
