import { describe, expect, it } from '@jest/globals';
import { iso, timestampsAsText, typesOf } from './timestamps.js';

/** What iso() gave before it read text itself: through a Date. */
const viaDate = (text: string): string => new Date(text).toISOString();

describe('iso', () => {
  it('passes null and undefined through, and formats a Date', () => {
    expect(iso(null)).toBeNull();
    expect(iso(undefined)).toBeNull();
    expect(iso(new Date(Date.UTC(2026, 11, 6, 1, 17, 48, 815)))).toBe('2026-12-06T01:17:48.815Z');
  });

  it("turns PostgreSQL's UTC text and JSON forms into what a Date would print, every fraction", () => {
    const fractions = ['', '.5', '.81', '.815', '.8159', '.81599', '.815999', '.000001', '.999999'];
    for (const fraction of fractions) {
      for (const form of [
        `2026-12-06 01:17:48${fraction}+00`,
        `2026-12-06T01:17:48${fraction}+00:00`,
        `1999-01-31T23:59:59${fraction}Z`,
      ]) {
        expect([form, iso(form)]).toEqual([form, viaDate(form)]);
      }
    }
    expect(iso('2026-12-06 01:17:48.815999+00')).toBe('2026-12-06T01:17:48.815Z');
    expect(iso('2026-12-06 01:17:48+00')).toBe('2026-12-06T01:17:48.000Z');
  });

  it('reads any other offset through a Date', () => {
    expect(iso('2026-12-06 01:17:48.815+05:30')).toBe('2026-12-05T19:47:48.815Z');
    // A zone's local mean time, as PostgreSQL prints it for old dates: an offset with seconds.
    expect(iso('1890-01-01 00:00:00+00:19:32')).toBe('1889-12-31T23:40:28.000Z');
    expect(iso('2026-12-06 01:17:48.8+01')).toBe('2026-12-06T00:17:48.800Z');
    expect(iso('2026-12-06T01:17:48.815-02:00')).toBe('2026-12-06T03:17:48.815Z');
  });
});

describe('timestampsAsText', () => {
  it('gives a marked statement type parsers that leave timestamptz as text, and others none', () => {
    const marked = timestampsAsText('SELECT now() /* timestamps-spec */');
    const types = typesOf(marked);
    expect(typesOf('SELECT now() /* timestamps-spec, not marked */')).toBeUndefined();
    const text = '2026-12-06 01:17:48.815123+00';
    expect((types?.getTypeParser(1184, 'text') as (v: string) => unknown)(text)).toBe(text);
    // Everything else as pg parses it: int4, bool, timestamp without time zone.
    expect((types?.getTypeParser(23, 'text') as (v: string) => unknown)('42')).toBe(42);
    expect((types?.getTypeParser(16, 'text') as (v: string) => unknown)('t')).toBe(true);
    expect((types?.getTypeParser(1114, 'text') as (v: string) => unknown)(text)).toBeInstanceOf(
      Date,
    );
  });
});
