import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ServerEvent } from '../../src/realtime/events.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { PROBE_NAMESPACE, ProbeModule } from '../support/probe.module.js';
import {
  closeAllSockets,
  connect,
  emitAck,
  emitAckWithin,
  nextEvent,
  type ClientSocket,
} from '../support/sockets.js';
import { tokenFor, uniqueId } from '../support/tokens.js';

describe('socket acknowledgements and errors', () => {
  let t: TestApp;
  let socket: ClientSocket;
  const userId = uniqueId();

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeModule] });
    socket = await connect(t.url, PROBE_NAMESPACE, {
      token: tokenFor({ id: userId, role: 'CLIENT' }),
    });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('answers a successful handler with { ok: true, data }', async () => {
    await expect(emitAck(socket, 'echo', { text: 'hi', limit: 5 })).resolves.toEqual({
      ok: true,
      data: { text: 'hi', limit: 5, userId },
    });
  });

  it('answers a handler that returns nothing with { ok: true, data: {} }', async () => {
    await expect(emitAck(socket, 'nothing', {})).resolves.toEqual({ ok: true, data: {} });
  });

  it('answers a bad payload with VALIDATION_FAILED and field details', async () => {
    const ack = await emitAck(socket, 'echo', { text: '', limit: 1000, inner: { label: 5 } });
    expect(ack.ok).toBe(false);
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
    const fields = (ack.error?.details as { field: string; constraints: object }[]).map(
      (d) => d.field,
    );
    expect(fields.sort()).toEqual(['inner.label', 'limit', 'text']);
  });

  it('answers unknown fields with VALIDATION_FAILED naming the field', async () => {
    const ack = await emitAck(socket, 'echo', { text: 'hi', isAdmin: true });
    expect(ack).toEqual({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        message: 'validation failed',
        details: [
          {
            field: 'isAdmin',
            constraints: { whitelistValidation: 'property isAdmin should not exist' },
          },
        ],
      },
    });
  });

  it.each([['a string'], [42], [null], [[1, 2]]])(
    'answers a non-object payload %j with VALIDATION_FAILED',
    async (payload) => {
      const ack = await emitAck(socket, 'echo', payload);
      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
    },
  );

  it('refuses __proto__ keys inside free-form data without polluting anything', async () => {
    const payload = JSON.parse('{"text":"hi","meta":{"__proto__":{"polluted":true}}}') as object;
    const ack = await emitAck(socket, 'echo', payload);
    expect(ack.ok).toBe(false);
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a constructor key at the top level', async () => {
    const ack = await emitAck(
      socket,
      'echo',
      JSON.parse('{"text":"hi","constructor":{"prototype":{}}}'),
    );
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
  });

  // class-validator looks fields up in a plain object, so inherited names passed as known fields.
  it.each([['hasOwnProperty'], ['isPrototypeOf'], ['__lookupGetter__'], ['toString']])(
    'refuses a %s key, which names an Object.prototype member, as an unknown field',
    async (key) => {
      const ack = await emitAck(socket, 'echo', { text: 'hi', [key]: 'x' });
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
      expect((ack.error?.details as { field: string }[]).map((d) => d.field)).toEqual([key]);
    },
  );

  it('refuses an over-long key without sending it back', async () => {
    const key = `k${'x'.repeat(10_000)}`;
    const ack = await emitAck(socket, 'echo', { text: 'hi', [key]: 1 });
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(ack)).not.toContain('xxxxxxxxxx');
  });

  it('refuses an object with thousands of keys with a short answer', async () => {
    const payload = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    const ack = await emitAck(socket, 'echo', { text: 'hi', ...payload });
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(ack).length).toBeLessThan(1_000);
  });

  it('refuses binary data as the payload, in one detail', async () => {
    const ack = await emitAck(socket, 'echo', Buffer.alloc(2_000));
    expect(ack.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: '', constraints: { isObject: 'payload must be an object' } }],
    });
  });

  it('accepts ordinary free-form data', async () => {
    await expect(
      emitAck(socket, 'echo', { text: 'hi', meta: { a: { b: [1, 2] } } }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('refuses absurdly deep nesting with VALIDATION_FAILED', async () => {
    let deep: Record<string, unknown> = {};
    const payload = { text: 'hi', meta: deep };
    for (let i = 0; i < 50; i += 1) deep = deep.next = {};
    const ack = await emitAck(socket, 'echo', payload);
    expect(ack.error?.code).toBe('VALIDATION_FAILED');
  });

  it('passes a domain error through with its code and details', async () => {
    await expect(emitAck(socket, 'conflict', {})).resolves.toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'already there', details: { id: 'x' } },
    });
  });

  it.each([['crash'], ['asyncCrash']])(
    'answers an unexpected error (%s) with INTERNAL and no internals',
    async (event) => {
      const ack = await emitAck(socket, event, {});
      expect(ack).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    },
  );

  it('answers a failing event sent without a callback with an error event', async () => {
    const error = nextEvent(socket, ServerEvent.Error);
    socket.emit('echo', { text: 42 });
    await expect(error).resolves.toMatchObject({ event: 'echo', code: 'VALIDATION_FAILED' });
  });

  it('ignores unknown events and keeps serving the socket', async () => {
    socket.emit('noSuchEvent', { a: 1 });
    await expect(emitAckWithin(500, socket, 'noSuchEvent', {})).rejects.toThrow();
    await expect(emitAck(socket, 'echo', { text: 'still here' })).resolves.toMatchObject({
      ok: true,
    });
  });
});
