import { LIMITS_OFF } from '../../src/common/limits/limits-off.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ChatClientEvent, ClientEvent, Namespace, ServerEvent } from '../../src/realtime/events.js';
import { ok, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket } from '../support/factories.js';
import { Findings } from '../support/fuzz/findings.js';
import { discoverHandlers, type HandlerSpec } from '../support/fuzz/gateway-handlers.js';
import {
  mb,
  measureHeap,
  pool,
  prototypeNames,
  unknownEventNames,
  waitForQuiet,
} from '../support/fuzz/harness.js';
import { clip, judgeAck, judgeError, preview } from '../support/fuzz/judge.js';
import { NormalChat } from '../support/fuzz/normal-chat.js';
import {
  PAYLOAD_KINDS,
  PayloadFactory,
  POLLUTION_KEYS,
  type PayloadKind,
} from '../support/fuzz/payloads.js';
import { fuzzSeed, Prng } from '../support/fuzz/prng.js';
import { RAW_CASES } from '../support/fuzz/raw-cases.js';
import { RawSocket } from '../support/fuzz/raw-socket.js';
import { allMessages, buildWorld, fuzzerFootprint, type FuzzWorld } from '../support/fuzz/world.js';
import { closeAllSockets, connect, type ClientSocket } from '../support/sockets.js';

/** Payloads of each kind per handler: 300 per handler, over 10,000 in all. */
const PER_HANDLER: Record<PayloadKind, number> = {
  wrongType: 45,
  nullish: 15,
  missing: 20,
  extra: 35,
  protoKeys: 25,
  deep: 15,
  hugeString: 8,
  weirdIds: 45,
  hugeNumbers: 32,
  nulChars: 15,
  multiArgs: 25,
  binary: 20,
};
const NO_ACK_PER_HANDLER = 15;
const UNKNOWN_EVENTS_PER_NAMESPACE = 40;
/** Acks in flight at once: enough to load the server, few enough that every ack comes back. */
const CONCURRENCY = 24;
const ACK_TIMEOUT_MS = 15_000;
/** How long an unknown event is given to be (wrongly) answered. */
const UNKNOWN_ACK_WAIT_MS = 1_500;
/** Heap growth over the storm that counts as a leak, after a forced GC: generous on purpose. */
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

const NAMESPACES = Object.values(Namespace);
const seed = fuzzSeed();
console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);

describe(`fuzzing every socket handler (seed ${seed})`, () => {
  let t: TestApp;
  let w: FuzzWorld;
  let handlers: HandlerSpec[];

  beforeAll(async () => {
    // The abuse limits would answer most of the storm with RATE_LIMITED before any handler ran
    // (limits.*.e2e-spec.ts test them); here every payload must reach its handler.
    t = await createTestApp({ env: { ...LIMITS_OFF } });
    w = await buildWorld(t);
    handlers = discoverHandlers(t.app);
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const fuzzerSocket = (ns: string): Promise<ClientSocket> =>
    connect(t.url, ns, { token: w.fuzzer.token });

  it('finds the handlers of every namespace from the gateways themselves', () => {
    for (const ns of NAMESPACES) {
      expect([ns, handlers.filter((h) => h.namespace === ns).length > 0]).toEqual([ns, true]);
    }
    expect(handlers.map((h) => `${h.namespace} ${h.event}`)).toEqual(
      expect.arrayContaining([
        `${Namespace.Chat} ${ChatClientEvent.SendMessage}`,
        `${Namespace.Orders} ${ChatClientEvent.SendMessage}`,
        `${Namespace.Disputes} ${ChatClientEvent.JoinChat}`,
        `${Namespace.Notifications} markRead`,
        `${Namespace.Presence} subscribe`,
      ]),
    );
  });

  describe('a storm of malformed payloads', () => {
    const findings = new Findings();
    const sent = { acked: 0, unacked: 0, unknown: 0 };
    const unknownAnswered: string[] = [];
    let normal: NormalChat;
    const heap: { before?: number; after?: number } = {};
    let prototypes: { before: string[]; after?: string[] };
    let footprint: { before: unknown; after?: unknown };

    beforeAll(async () => {
      const rng = new Prng(seed);
      const factory = new PayloadFactory(rng, w.targets);
      prototypes = { before: prototypeNames() };
      footprint = { before: await fuzzerFootprint(t, w) };
      // The fuzzer's own app stays in the group, as a member's would: the normal messages then
      // make no notifications for it, so any that appear were made by the fuzzing.
      await ok(await chatSocket(t, w.fuzzer), ChatClientEvent.JoinChat, { chatId: w.chatId });
      normal = await NormalChat.join(t, w);

      // Per namespace: two sockets for acked payloads (which must never get an `error` event),
      // one for payloads without an ack and unknown events.
      const acked = new Map<string, ClientSocket[]>();
      const side = new Map<string, { socket: ClientSocket; errors: unknown[]; emits: number }>();
      for (const ns of NAMESPACES) {
        const sockets = [await fuzzerSocket(ns), await fuzzerSocket(ns)];
        for (const s of sockets) {
          s.on(ServerEvent.Error, (e: unknown) =>
            findings.note('errorEvent', `${ns}: an error event for an acked emit: ${preview(e)}`),
          );
        }
        acked.set(ns, sockets);
        const entry = { socket: await fuzzerSocket(ns), errors: [] as unknown[], emits: 0 };
        entry.socket.on(ServerEvent.Error, (e: unknown) => entry.errors.push(e));
        side.set(ns, entry);
      }

      let turn = 0;
      const fire = async ({ h, kind }: { h: HandlerSpec; kind: PayloadKind }): Promise<void> => {
        const c = factory.make(h, kind);
        const sockets = acked.get(h.namespace)!;
        const label = `${h.namespace} ${h.event} [${kind}] ${preview(c.args)}`;
        sent.acked += 1;
        let ack: unknown;
        try {
          ack = await sockets[(turn += 1) % sockets.length]
            .timeout(ACK_TIMEOUT_MS)
            .emitWithAck(h.event, ...c.args);
        } catch {
          findings.note('unanswered', `${label}: no ack within ${ACK_TIMEOUT_MS} ms`);
          return;
        }
        findings.answered(kind, answerOf(ack));
        for (const problem of judgeAck(ack, c.mustFail)) {
          findings.noteProblem(problem, `${label} → ${clip(JSON.stringify(ack), 300)}`);
        }
      };

      const withoutAck = async (): Promise<void> => {
        for (const h of handlers) {
          const entry = side.get(h.namespace)!;
          for (let i = 0; i < NO_ACK_PER_HANDLER; i += 1) {
            entry.socket.emit(h.event, ...factory.make(h, rng.pick(PAYLOAD_KINDS)).args);
            entry.emits += 1;
            sent.unacked += 1;
            if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));
          }
        }
      };

      const unknownEvents = (): Promise<void> =>
        pool(NAMESPACES, NAMESPACES.length, async (ns) => {
          const names = unknownEventNames(rng, handlers, ns).slice(0, UNKNOWN_EVENTS_PER_NAMESPACE);
          await pool(names, 10, async (name) => {
            sent.unknown += 1;
            const payload = factory.make(handlers[0], 'extra').args[0];
            try {
              const socket = side.get(ns)!.socket;
              const ack = await socket.timeout(UNKNOWN_ACK_WAIT_MS).emitWithAck(name, payload);
              unknownAnswered.push(`${ns} ${clip(name, 40)} → ${preview(ack)}`);
            } catch {
              // Ignored, as the contract says.
            }
          });
        });

      const cases = handlers.flatMap((h) =>
        PAYLOAD_KINDS.flatMap((kind) =>
          Array.from({ length: PER_HANDLER[kind] }, () => ({ h, kind })),
        ),
      );
      const order = rng.sample(cases, cases.length);
      // A first round warms every code path up, so the heap is compared with a warm baseline.
      await pool(order.splice(0, 300), CONCURRENCY, fire);
      heap.before = measureHeap();

      const started = Date.now();
      normal.start();
      await Promise.all([pool(order, CONCURRENCY, fire), withoutAck(), unknownEvents()]);
      await normal.stop();
      const stormMs = Date.now() - started;

      const errorCount = (): number => [...side.values()].reduce((n, e) => n + e.errors.length, 0);
      await waitForQuiet(errorCount);
      for (const [ns, { errors, emits }] of side) {
        if (errors.length > emits) {
          findings.note('errorEvent', `${ns}: ${errors.length} error events for ${emits} emits`);
        }
        for (const e of errors) {
          const event = (e as { event?: unknown } | null)?.event;
          if (typeof event !== 'string') findings.note('shape', `${ns}: error event ${preview(e)}`);
          for (const problem of judgeError(e)) {
            findings.noteProblem(problem, `${ns} error event ${preview(e)}`);
          }
        }
      }
      for (const [ns, sockets] of acked) {
        for (const s of [...sockets, side.get(ns)!.socket]) {
          if (!s.connected) findings.note('dropped', `${ns}: a fuzzing socket was disconnected`);
        }
      }

      await waitUntil(
        () => normal.allDelivered(),
        10_000,
        'the normal clients’ messages delivered',
      );
      heap.after = measureHeap();
      prototypes.after = prototypeNames();
      footprint.after = await fuzzerFootprint(t, w);
      console.log(
        [
          `fuzz seed ${seed}: ${sent.acked} acked payloads to ${handlers.length} handlers, ` +
            `${sent.unacked} without an ack, ${sent.unknown} unknown events; storm ${stormMs} ms`,
          ...findings.summary(),
          heap.before !== undefined && heap.after !== undefined
            ? `  heap ${mb(heap.before)} → ${mb(heap.after)}`
            : '  heap not measured (no gc)',
          `  normal messages ${normal.sent.length}`,
        ].join('\n'),
      );
    }, 240_000);

    it('sends over 10,000 malformed payloads', () => {
      expect(sent.acked + sent.unacked).toBeGreaterThanOrEqual(10_000);
    });

    it('answers every payload sent with an ack', () => {
      expect(findings.of('unanswered')).toEqual([]);
    });

    it('refuses every payload that is malformed by construction', () => {
      expect(findings.of('accepted')).toEqual([]);
    });

    it('answers with a contract error code in the { ok: false, error } envelope', () => {
      expect(findings.of('shape')).toEqual([]);
    });

    it('never answers INTERNAL to bad input', () => {
      expect(findings.of('internal')).toEqual([]);
    });

    it('leaks no stack trace, SQL or payload in its errors, and keeps them short', () => {
      expect(findings.of('leak')).toEqual([]);
    });

    it('answers an emit without an ack with at most one error event, and acked ones with none', () => {
      expect(findings.of('errorEvent')).toEqual([]);
    });

    it('ignores unknown events and drops no fuzzing socket', () => {
      expect(unknownAnswered).toEqual([]);
      expect(findings.of('dropped')).toEqual([]);
    });

    it('keeps delivering the normal clients’ messages in seq order, during and after the storm', () => {
      expect(normal.failures).toEqual([]);
      const seqs = normal.sent.map((m) => m.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
      for (const { userId, received, expected } of normal.deliveries()) {
        expect([userId, received]).toEqual([userId, expected]);
      }
    });

    it('stores nothing the fuzzer sent: the group holds exactly the normal clients’ messages', async () => {
      const messages = await allMessages(t, w.alice, w.chatId);
      expect(messages.map((m) => m.text)).toEqual([
        'normal seed',
        ...normal.sent.map((m) => m.text),
      ]);
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
      for (const m of messages) {
        expect(m).toMatchObject({ reactions: [], isDeleted: false, editedAt: null });
      }
      expect(footprint.after).toEqual(footprint.before);
    });

    it('pollutes no prototype', () => {
      expect(prototypes.after).toEqual(prototypes.before);
      for (const key of POLLUTION_KEYS) expect([key, key in {}]).toEqual([key, false]);
    });

    it('keeps its heap bounded', () => {
      if (heap.before === undefined || heap.after === undefined) return;
      expect(heap.after - heap.before).toBeLessThan(HEAP_GROWTH_LIMIT);
    });

    it('stays up: /health answers and new sockets connect and work', async () => {
      await request(t.url).get('/health').expect(200);
      const s = await chatSocket(t, w.fuzzer);
      await expect(ok(s, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ id: w.fuzzer.id });
      s.close();
    });
  });

  describe('malformed Socket.IO and Engine.IO packets over a bare WebSocket', () => {
    const outcomes: string[] = [];
    afterAll(() => console.log(`raw packets (seed-independent):\n${outcomes.join('\n')}`));

    it.each(RAW_CASES.map((c) => [c.name, c] as const))(
      'survives %s: the server drops the connection or keeps answering',
      async (_name, c) => {
        const raw = await RawSocket.open(t.url);
        try {
          const connected = await raw.connect(Namespace.Chat, { token: w.fuzzer.token });
          expect(connected).toMatch(/^40\/chat,/);
          const reply = c.reply
            ? raw.next((m) => typeof m === 'string' && m.startsWith(c.reply!))
            : undefined;
          const ack = c.ackId !== undefined ? raw.ackOf(Namespace.Chat, c.ackId) : undefined;
          for (const frame of c.frames({ token: w.fuzzer.token, chatId: w.chatId })) {
            raw.send(frame);
          }
          const outcome = await raw.probe(Namespace.Chat, ClientEvent.WhoAmI, {});
          outcomes.push(`  ${outcome.padEnd(6)} ${c.name}`);
          expect(outcome).not.toBe('hung');
          if (outcome === 'alive' && reply) await expect(reply).resolves.toBeDefined();
          if (outcome === 'alive' && ack) {
            const args = await ack;
            expect(args).toBeDefined();
            expect(judgeAck(args![0], false)).toEqual([]);
          }
        } finally {
          raw.close();
        }
      },
    );

    it('is still up after the raw packets: /health answers and a client connects', async () => {
      await request(t.url).get('/health').expect(200);
      const s = await chatSocket(t, w.fuzzer);
      await expect(ok(s, ClientEvent.WhoAmI, {})).resolves.toMatchObject({ id: w.fuzzer.id });
      s.close();
    });
  });
});

function answerOf(ack: unknown): string {
  const { ok: isOk, error } = (ack ?? {}) as { ok?: unknown; error?: { code?: unknown } };
  if (isOk === true) return 'ok';
  return typeof error?.code === 'string' ? error.code : 'malformed';
}
