import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { of, throwError } from 'rxjs';
import type { Socket } from 'socket.io';
import { AuthenticatedIoAdapter } from './authenticated-io.adapter.js';

/** A socket as far as bindMessageHandlers uses one: listeners, and emit to the client. */
function fakeSocket(): { socket: Socket; sent: unknown[][]; fire: (...args: unknown[]) => void } {
  const listeners = new EventEmitter();
  const sent: unknown[][] = [];
  const socket = {
    on: (event: string, listener: (...args: unknown[]) => void) => listeners.on(event, listener),
    emit: (...args: unknown[]) => sent.push(args),
  } as unknown as Socket;
  return { socket, sent, fire: (...args) => listeners.emit('event', ...args) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AuthenticatedIoAdapter.bindMessageHandlers', () => {
  const adapter = new AuthenticatedIoAdapter({} as never, { middlewares: [], serverOptions: {} });

  it('hands the handler its payload as Nest does: one value, several, or none', async () => {
    const { socket, fire } = fakeSocket();
    const calls: unknown[] = [];
    adapter.bindMessageHandlers(socket, [
      {
        message: 'event',
        isAckHandledManually: false,
        callback: (data: unknown) => Promise.resolve(void calls.push(data)),
      },
    ]);
    const ack = () => undefined;
    fire({ a: 1 }, ack);
    fire({ a: 2 });
    fire(1, 2, ack);
    fire(ack);
    fire();
    await tick();
    expect(calls).toEqual([{ a: 1 }, { a: 2 }, [1, 2], undefined, undefined]);
  });

  it('acknowledges with what the handler resolves to, or what its Observable emits', async () => {
    const { socket, fire } = fakeSocket();
    // As Nest's handlers do: a promise of a value, of an Observable (interceptors), or of nothing.
    const results = [{ ok: true, data: 1 }, of({ ok: true, data: 2 }), undefined];
    adapter.bindMessageHandlers(socket, [
      {
        message: 'event',
        isAckHandledManually: false,
        callback: () => Promise.resolve(results.shift()),
      },
    ]);
    const acks: unknown[] = [];
    for (let i = 0; i < 3; i++) fire({}, (response: unknown) => acks.push(response));
    await tick();
    expect(acks).toHaveLength(2);
    expect(acks).toEqual(
      expect.arrayContaining([
        { ok: true, data: 1 },
        { ok: true, data: 2 },
      ]),
    );
  });

  it('emits a { event, data } answer to the socket, and leaves a manual ack to the handler', async () => {
    const { socket, sent, fire } = fakeSocket();
    adapter.bindMessageHandlers(socket, [
      {
        message: 'event',
        isAckHandledManually: false,
        callback: () => Promise.resolve({ event: 'pong', data: 7 }),
      },
    ]);
    const acks: unknown[] = [];
    fire({}, (response: unknown) => acks.push(response));
    const manual = fakeSocket();
    adapter.bindMessageHandlers(manual.socket, [
      {
        message: 'event',
        callback: () => Promise.resolve({ ok: true }),
        isAckHandledManually: true,
      },
    ]);
    manual.fire({}, (response: unknown) => acks.push(response));
    await tick();
    expect(sent).toEqual([['pong', 7]]);
    expect(acks).toEqual([]);
  });

  it('survives a handler that throws or errors: later events are still handled', async () => {
    const { socket, fire } = fakeSocket();
    const outcomes: (() => Promise<unknown>)[] = [
      () => {
        throw new Error('thrown');
      },
      () => Promise.resolve(throwError(() => new Error('errored'))),
      () => Promise.reject(new Error('rejected')),
      () => Promise.resolve({ ok: true, data: 'after' }),
    ];
    adapter.bindMessageHandlers(socket, [
      {
        message: 'event',
        isAckHandledManually: false,
        callback: () => outcomes.shift()!() as Promise<never>,
      },
    ]);
    const errors: unknown[] = [];
    (adapter as unknown as { logger: { error: (e: unknown) => void } }).logger.error = (e) =>
      errors.push(e);
    const acks: unknown[] = [];
    for (let i = 0; i < 4; i++) fire({}, (response: unknown) => acks.push(response));
    await tick();
    expect(errors).toHaveLength(3);
    expect(acks).toEqual([{ ok: true, data: 'after' }]);
  });
});
