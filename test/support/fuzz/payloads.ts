import type { HandlerSpec } from './gateway-handlers.js';
import type { Prng } from './prng.js';
import { FuzzValues, MARK, type FuzzTargets } from './values.js';

export const PAYLOAD_KINDS = [
  'wrongType',
  'nullish',
  'missing',
  'extra',
  'protoKeys',
  'deep',
  'hugeString',
  'weirdIds',
  'hugeNumbers',
  'nulChars',
  'multiArgs',
  'binary',
] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

export interface FuzzCase {
  kind: PayloadKind;
  /** What is emitted after the event name; the sender adds the ack callback. */
  args: unknown[];
  /** Invalid by construction: an `ok: true` answer is a finding. */
  mustFail: boolean;
}

/** Keys that prototype pollution would leave on Object.prototype. */
export const POLLUTION_KEYS = ['polluted', 'isAdmin', 'fuzzRole'];
/** Socket.IO frames above this are dropped by the server (maxHttpBufferSize, 1 MB). */
const FRAME_BUDGET = 999_000;

/**
 * Malformed payloads for one handler, built from its payload class: each kind breaks the
 * payload in one way. Kinds marked mustFail are invalid whatever the random parts turn out;
 * the others (odd ids, huge numbers) put nothing in the payload that could create data.
 */
export class PayloadFactory {
  private readonly v: FuzzValues;

  constructor(
    private readonly r: Prng,
    targets: FuzzTargets,
  ) {
    this.v = new FuzzValues(r, targets);
  }

  make(h: HandlerSpec, kind: PayloadKind): FuzzCase {
    switch (kind) {
      case 'wrongType':
        return this.wrongType(h);
      case 'nullish':
        return this.nullish(h);
      case 'missing':
        return this.missing(h);
      case 'extra':
        return this.extra(h);
      case 'protoKeys':
        return this.protoKeys(h);
      case 'deep':
        return this.deep(h);
      case 'hugeString':
        return this.hugeString(h);
      case 'weirdIds':
        return this.weirdIds(h);
      case 'hugeNumbers':
        return this.hugeNumbers(h);
      case 'nulChars':
        return this.nulChars(h);
      case 'multiArgs':
        return this.multiArgs(h);
      case 'binary':
        return this.binary(h);
    }
  }

  // --- kinds ------------------------------------------------------------------------------

  private wrongType(h: HandlerSpec): FuzzCase {
    const r = this.r;
    if (h.fields.length === 0 || r.chance(0.3)) {
      const top = r.pick<() => unknown>([
        () => r.pick([42, -1, 0, 3.14, 1e21, true, false]),
        () => r.pick([`${MARK} plain`, '', ' ', 'null', '{}', '[]']),
        () => [],
        () => [this.v.near(h)],
        () => [1, 'two', { three: 3 }],
      ])();
      return { kind: 'wrongType', args: [top], mustFail: true };
    }
    const payload = this.v.near(h);
    for (const f of r.sample(h.fields, r.int(1, h.fields.length)))
      payload[f.name] = this.v.wrong(f);
    return { kind: 'wrongType', args: [payload], mustFail: true };
  }

  private nullish(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const required = h.fields.filter((f) => !f.optional);
    const hasRequired = required.length > 0;
    const variant = r.int(0, 5);
    if (variant === 0) return { kind: 'nullish', args: [null], mustFail: true };
    // undefined travels as null in JSON.
    if (variant === 1) return { kind: 'nullish', args: [undefined], mustFail: true };
    if (variant === 2) return { kind: 'nullish', args: [], mustFail: hasRequired };
    if (variant === 3) return { kind: 'nullish', args: [{}], mustFail: hasRequired };
    if (variant === 4 && hasRequired) {
      const payload = this.v.near(h);
      for (const f of r.sample(required, r.int(1, required.length))) payload[f.name] = null;
      return { kind: 'nullish', args: [payload], mustFail: true };
    }
    // Every field null: fine only when none is required (and then the handler only reads).
    const payload = Object.fromEntries(h.fields.map((f) => [f.name, null]));
    return { kind: 'nullish', args: [payload], mustFail: hasRequired };
  }

  private missing(h: HandlerSpec): FuzzCase {
    const required = h.fields.filter((f) => !f.optional);
    if (required.length === 0) {
      const payload = this.v.near(h);
      for (const f of h.fields) if (this.r.chance(0.5)) delete payload[f.name];
      // Only handlers whose every field is optional get here: lists and the like.
      return { kind: 'missing', args: [h.fields.length ? payload : {}], mustFail: false };
    }
    const payload = this.v.near(h);
    for (const f of this.r.sample(required, this.r.int(1, required.length))) delete payload[f.name];
    return { kind: 'missing', args: [payload], mustFail: true };
  }

  private extra(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const own = new Set(h.fields.map((f) => f.name));
    const names = [
      'extra',
      'isAdmin',
      'role',
      'senderId',
      'id',
      'seq',
      'userId',
      '$where',
      '$gt',
      'toString',
      'hasOwnProperty',
      'isPrototypeOf',
      '__lookupGetter__',
      'valueOf',
      'toJSON',
      'then',
      '0',
      '',
      ' ',
      'a.b',
      'a[0]',
      '💥',
      'x'.repeat(r.int(65, 300)),
    ].filter((n) => !own.has(n));
    const payload = this.v.near(h);
    for (const name of r.sample(names, r.int(1, 4))) payload[name] = this.v.anyValue();
    // Now and then thousands of keys: the error must not list them all.
    if (r.chance(0.1)) for (let i = r.int(100, 5_000); i > 0; i -= 1) payload[`k${i}`] = i;
    return { kind: 'extra', args: [payload], mustFail: true };
  }

  private protoKeys(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const key = r.pick(POLLUTION_KEYS);
    const poison = r.pick([
      `{"__proto__":{"${key}":"${MARK}"}}`,
      `{"constructor":{"prototype":{"${key}":"${MARK}"}}}`,
      `{"prototype":{"${key}":"${MARK}"}}`,
      `{"__proto__":[]}`,
      `{"__proto__":null}`,
      `{"a":{"b":{"__proto__":{"${key}":true}}}}`,
    ]);
    const payload = this.v.near(h);
    const where = r.int(0, 2);
    if (where === 0 || h.fields.length === 0) {
      return { kind: 'protoKeys', args: [mergeOwnKeys(payload, poison)], mustFail: true };
    }
    const field = r.pick(h.fields).name;
    const parsed: unknown = JSON.parse(poison);
    payload[field] = where === 1 ? parsed : [parsed];
    return { kind: 'protoKeys', args: [payload], mustFail: true };
  }

  private deep(h: HandlerSpec): FuzzCase {
    const r = this.r;
    // Deeper than this overflows the client's own JSON.stringify; raw packets go 100,000 deep.
    const depth = r.pick([20, 64, 300, 1_000, 2_000]);
    const shape = r.pick(['object', 'array', 'mixed'] as const);
    let value: unknown = r.chance(0.5) ? `${MARK} leaf` : this.v.anyId();
    for (let i = 0; i < depth; i += 1) {
      const asArray = shape === 'array' || (shape === 'mixed' && i % 2 === 0);
      value = asArray ? [value] : { a: value };
    }
    const where = r.int(0, 2);
    if (where === 0 || h.fields.length === 0) {
      if (where === 2)
        return { kind: 'deep', args: [{ ...this.v.near(h), nested: value }], mustFail: true };
      return { kind: 'deep', args: [value], mustFail: true };
    }
    const payload = this.v.near(h);
    payload[r.pick(h.fields).name] = value;
    return { kind: 'deep', args: [payload], mustFail: true };
  }

  private hugeString(h: HandlerSpec): FuzzCase {
    const r = this.r;
    // In bytes; even in 4-byte emoji, 20 kB is 10,000 characters, over every length limit.
    const size = r.chance(0.04) ? FRAME_BUDGET - 2_000 : r.pick([20_000, 64_000, 100_000, 300_000]);
    const huge = bigString(r, size);
    const where = r.int(0, 4);
    let payload: unknown;
    if (where === 0 && h.bareKey) payload = huge;
    else if (where === 1 || h.fields.length === 0) payload = { ...this.v.near(h), extra: huge };
    else if (where === 2) payload = { ...this.v.near(h), [huge.slice(0, r.int(1_000, 50_000))]: 1 };
    else {
      const f = r.pick(h.fields);
      const p = this.v.near(h);
      p[f.name] = f.kind === 'array' ? [huge] : huge;
      payload = p;
    }
    return { kind: 'hugeString', args: [fitFrame(payload)], mustFail: true };
  }

  private weirdIds(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const idFields = h.fields.filter(
      (f) => f.kind === 'uuid' || /ids?$/i.test(f.name) || f.element === 'uuid',
    );
    if (h.bareKey && (idFields.length === 0 || r.chance(0.25))) {
      return { kind: 'weirdIds', args: [this.v.weirdId()], mustFail: false };
    }
    if (idFields.length === 0) return this.wrongType(h);
    const payload: Record<string, unknown> = {};
    for (const f of r.sample(idFields, r.int(1, idFields.length))) {
      const roll = r.next();
      if (f.kind !== 'array') payload[f.name] = this.v.weirdId();
      else if (roll < 0.1) payload[f.name] = Array.from({ length: 501 }, (_, i) => `u${i}`);
      else if (roll < 0.2) payload[f.name] = Array<string>(2).fill(this.v.anyId());
      else payload[f.name] = Array.from({ length: r.int(1, 3) }, () => this.v.weirdId());
    }
    return { kind: 'weirdIds', args: [payload], mustFail: false };
  }

  private hugeNumbers(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const numbers = [
      1e20,
      2 ** 31,
      2 ** 31 - 1,
      2 ** 32,
      2 ** 53,
      2 ** 53 + 2,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      -(2 ** 31) - 1,
      -1,
      -0,
      0,
      1e-7,
      0.5,
      '9999999999',
      '2147483648',
      '4294967296',
      '0000000001',
      '00',
    ];
    const ints = h.fields.filter((f) => f.kind === 'int');
    if (ints.length === 0) {
      const payload = this.v.near(h);
      const targets = h.fields.length ? r.sample(h.fields, r.int(1, h.fields.length)) : [];
      for (const f of targets)
        payload[f.name] = r.pick(numbers.filter((n) => typeof n === 'number'));
      if (targets.length === 0) payload.n = r.pick(numbers);
      return { kind: 'hugeNumbers', args: [payload], mustFail: true };
    }
    // Real ids and out-of-range numbers, nothing else: reaches the database if validation lets it.
    const payload: Record<string, unknown> = {};
    for (const f of h.fields) if (f.kind === 'uuid') payload[f.name] = this.v.nearValue(f);
    for (const f of r.sample(ints, r.int(1, ints.length))) payload[f.name] = r.pick(numbers);
    return { kind: 'hugeNumbers', args: [payload], mustFail: false };
  }

  /** Plausible payloads but for a NUL character, which no database text column takes. */
  private nulChars(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const payload = this.v.near(h);
    const strings = h.fields.filter((f) => !['int', 'boolean', 'object'].includes(f.kind));
    const poison = (text: string): string => {
      const at = r.int(0, text.length);
      return `${text.slice(0, at)}\u0000${text.slice(at)}`;
    };
    if (strings.length === 0 || r.chance(0.2)) {
      payload[poison(r.pick(['a', 'text', 'chatId']))] = 1;
      return { kind: 'nulChars', args: [payload], mustFail: true };
    }
    const f = r.pick(strings);
    const value = this.v.nearValue(f);
    if (f.kind !== 'array') payload[f.name] = poison(String(value));
    else payload[f.name] = [poison(r.pick([...(value as string[]), MARK]))];
    return { kind: 'nulChars', args: [payload], mustFail: true };
  }

  private multiArgs(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const extra = Array.from({ length: r.int(1, 3) }, () =>
      r.pick<() => unknown>([
        () => this.v.near(h),
        () => this.v.anyValue(),
        () => this.v.anyId(),
      ])(),
    );
    const first = h.bareKey && r.chance(0.3) ? this.v.anyId() : this.v.near(h);
    return { kind: 'multiArgs', args: [first, ...extra], mustFail: true };
  }

  private binary(h: HandlerSpec): FuzzCase {
    const r = this.r;
    const bytes = (): Buffer => {
      const size = r.pick([0, 1, 3, 16, 1_024, 65_536, 512_000]);
      const buffer = Buffer.alloc(size);
      for (let i = 0; i < Math.min(size, 64); i += 1) buffer[i] = r.int(0, 255);
      return buffer;
    };
    const variant = r.int(0, 5);
    if (variant === 0) return { kind: 'binary', args: [bytes()], mustFail: true };
    if (variant === 1) return { kind: 'binary', args: [new Uint8Array(bytes())], mustFail: true };
    if (variant === 2) return { kind: 'binary', args: [[bytes(), bytes()]], mustFail: true };
    const payload = this.v.near(h);
    if (variant === 3 || h.fields.length === 0) payload.blob = bytes();
    else {
      const f = r.pick(h.fields);
      payload[f.name] = variant === 4 ? bytes() : [bytes(), { nested: bytes() }];
    }
    return { kind: 'binary', args: [payload], mustFail: true };
  }
}

/** `payload` with the own keys of the JSON object `poison` (so __proto__ stays an own key). */
function mergeOwnKeys(payload: Record<string, unknown>, poison: string): unknown {
  const inner = JSON.stringify(payload).slice(1, -1);
  return JSON.parse(`${poison.slice(0, -1)}${inner ? `,${inner}` : ''}}`);
}

function bigString(r: Prng, bytes: number): string {
  const unit = r.pick(['a', ' ', 'é', '😀']);
  const unitBytes = Buffer.byteLength(unit);
  // Blank text is trimmed to nothing; marked, it would be trimmed to a valid "fzq".
  const mark = unit === ' ' ? '' : MARK;
  return `${mark}${unit.repeat(Math.floor((bytes - mark.length) / unitBytes))}`;
}

/** Shrinks the longest string until the payload fits in one frame. */
function fitFrame(payload: unknown): unknown {
  let text = JSON.stringify(payload);
  while (Buffer.byteLength(text) > FRAME_BUDGET) {
    payload = JSON.parse(text, (_key, value: unknown) =>
      typeof value === 'string' && value.length > 1_000
        ? value.slice(0, value.length * 0.9)
        : value,
    );
    text = JSON.stringify(payload);
  }
  return payload;
}
