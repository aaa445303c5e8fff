import type { FieldSpec, HandlerSpec } from './gateway-handlers.js';
import type { Prng } from './prng.js';

/** Real ids of the fuzzing user's world, so that payloads get past the first checks. */
export interface FuzzTargets {
  /** By field name: chatId, orderId, disputeId, messageId, notificationId. */
  ids: Record<string, string[]>;
  userIds: string[];
}

/** In every generated string: an error text that contains it echoes the payload back. */
export const MARK = 'fzq';

/** The values payloads are made of: plausible ones, wrong ones, and ids that look right. */
export class FuzzValues {
  constructor(
    private readonly r: Prng,
    private readonly targets: FuzzTargets,
  ) {}

  /** Every required field and some optional ones, with plausible values. */
  near(h: HandlerSpec): Record<string, unknown> {
    const payload: Record<string, unknown> = {};
    for (const f of h.fields) {
      if (!f.optional || this.r.chance(0.5)) payload[f.name] = this.nearValue(f);
    }
    return payload;
  }

  nearValue(f: FieldSpec): unknown {
    const r = this.r;
    switch (f.kind) {
      case 'uuid':
        return r.pick(this.targets.ids[f.name] ?? this.allIds());
      case 'enum':
        return r.pick(f.allowed ?? [MARK]);
      case 'emoji':
        return r.pick(['👍', '🎉', '❤️']);
      case 'int':
        return r.int(1, 3);
      case 'boolean':
        return r.chance(0.5);
      case 'object':
        return {};
      case 'array':
        if (r.chance(0.4)) return [];
        return [f.element === 'uuid' ? r.pick(this.allIds()) : r.pick(this.targets.userIds)];
      case 'string':
        return /id$/i.test(f.name) ? r.pick(this.targets.userIds) : `${MARK} hello`;
    }
  }

  /** A value no validator of this kind of field accepts (null aside: optional fields take it). */
  wrong(f: FieldSpec): unknown {
    const r = this.r;
    switch (f.kind) {
      case 'string':
      case 'uuid':
      case 'enum':
      case 'emoji':
        return r.pick<unknown>([42, -1, 1e21, true, false, {}, [], [MARK], { value: MARK }]);
      case 'int':
        return r.pick<unknown>([
          1.5,
          -1,
          -1e9,
          true,
          {},
          [],
          [1],
          `${MARK}`,
          '',
          ' 1',
          '-1',
          '1e3',
          '0x10',
          'NaN',
        ]);
      case 'boolean':
        return r.pick<unknown>(['true', 'false', 1, 0, 'yes', {}, [], [true]]);
      case 'array':
        return r.pick<unknown>([
          MARK,
          5,
          {},
          true,
          { length: 1, 0: MARK },
          [5],
          [{}],
          [[]],
          [true],
          [null],
        ]);
      case 'object':
        return r.pick<unknown>([MARK, 5, [], true]);
    }
  }

  anyValue(): unknown {
    const r = this.r;
    return r.pick<() => unknown>([
      () => `${MARK} value`,
      () => r.pick([0, -1, 1e21, 3.5]),
      () => r.chance(0.5),
      () => null,
      () => ({ a: { b: MARK } }),
      () => [1, [2, [3]]],
      () => this.anyId(),
    ])();
  }

  allIds(): string[] {
    return Object.values(this.targets.ids).flat();
  }

  anyId(): string {
    return this.r.pick([...this.allIds(), ...this.targets.userIds]);
  }

  /** Ids that look right and are not: other formats, other kinds, injections, odd characters. */
  weirdId(): string {
    const r = this.r;
    const real = r.pick(this.allIds());
    const user = r.pick(this.targets.userIds);
    return r.pick([
      real.toUpperCase(),
      ` ${real}`,
      `${real} `,
      `${real}\n`,
      `{${real}}`,
      `urn:uuid:${real}`,
      real.replace(/-/g, ''),
      real.slice(0, -1),
      `${real}0`,
      `${real.slice(0, -1)}g`,
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      randomUuid(r),
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      this.anyId(),
      user,
      user.toUpperCase(),
      `${user} `,
      '',
      ' ',
      '0',
      '-1',
      'null',
      'undefined',
      '[object Object]',
      "' OR '1'='1",
      '1; DROP TABLE chats; --',
      '\u0000',
      `${real}\u0000`,
      `${user}\u0000`,
      'a\u0000b',
      '\ud800',
      `\udfff${real}`,
      '../../etc/passwd',
      '%00',
      '*',
      `user:${user}`,
      'chat:*',
      '__proto__',
      'constructor',
      'x'.repeat(128),
      'x'.repeat(129),
      '١٢٣',
      '😀'.repeat(32),
    ]);
  }
}

function randomUuid(r: Prng): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
}
