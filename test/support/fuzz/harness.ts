import v8 from 'node:v8';
import vm from 'node:vm';
import { settle } from '../chat.js';
import type { HandlerSpec } from './gateway-handlers.js';
import type { Prng } from './prng.js';

/** Runs `work` over `items`, at most `limit` at a time. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[(next += 1) - 1]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Waits until `count()` stops changing (bounded), e.g. for events that may still arrive. */
export async function waitForQuiet(count: () => number, stepMs = 250, steps = 40): Promise<void> {
  for (let last = -1, i = 0; i < steps && count() !== last; i += 1) {
    last = count();
    await settle(stepMs);
  }
}

/** Event names no gateway of `namespace` handles, odd ones and other namespaces' ones among them. */
export function unknownEventNames(rng: Prng, handlers: HandlerSpec[], namespace: string): string[] {
  const own = new Set(handlers.filter((h) => h.namespace === namespace).map((h) => h.event));
  const names = [
    'error',
    'noSuchEvent',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'toString',
    'prototype',
    'ping',
    'message',
    'connection',
    'SendMessage',
    'sendmessage',
    ' sendMessage',
    'sendMessage ',
    '',
    ' ',
    '\u0000',
    '😀',
    'a'.repeat(10_000),
    ...handlers.map((h) => h.event),
  ];
  const unknown = [...new Set(names)].filter((n) => !own.has(n));
  return rng.sample(unknown, unknown.length);
}

/** The own property names of the built-in prototypes: pollution shows up here. */
export function prototypeNames(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .flatMap((p) => Object.getOwnPropertyNames(p))
    .sort();
}

/** Heap in use after full GCs; undefined where GC cannot be forced. */
export function measureHeap(): number | undefined {
  const gc = forceGc();
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function forceGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
