import pg from 'pg';

/**
 * Timestamps on their way from PostgreSQL to a view. Every view prints them as ISO text with
 * milliseconds; pg would parse each `timestamptz` into a Date first (postgres-date's regular
 * expressions), only for iso() to format it again: about 5 µs a timestamp, 50 in a page of 50
 * messages (more when edited or deleted), 1000 in the view of a chat of 1000 members. PostgreSQL's
 * own text, in UTC, becomes ISO text by cutting and pasting: 0.4 µs.
 */

/** Statements whose timestamptz columns come back as PostgreSQL's text (timestampsAsText). */
const textual = new Set<string>();

/**
 * Marks a statement whose timestamps only ever reach a view through iso(): on PostgreSQL they come
 * back as text, not Dates. Its callers must type them `Date | string` (PGlite, and PostgreSQL
 * without our client, still give Dates).
 */
export function timestampsAsText(text: string): string {
  textual.add(text);
  return text;
}

const TIMESTAMPTZ = 1184;
const asText = (value: string): string => value;
/** pg's own timestamptz parser (postgres-date), for text iso() does not read itself. */
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (value: string) => Date;

/**
 * pg's type parsers, but timestamptz as PostgreSQL's text: for the statements marked above. The
 * global parsers, as no client of ours sets its own. pg also sends a query's `types` as the
 * parameter types of the statement it prepares (`types.length` of them): this object has no
 * length, so there are none, as without it. Keep it that way.
 */
const TEXT_TIMESTAMPS = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === TIMESTAMPTZ && format !== 'binary') return asText;
    return pg.types.getTypeParser(oid, format);
  },
};

/** The type parsers for `text` on our pg client: TEXT_TIMESTAMPS when it is marked. */
export function typesOf(text: string): typeof TEXT_TIMESTAMPS | undefined {
  return textual.has(text) ? TEXT_TIMESTAMPS : undefined;
}

/**
 * A UTC timestamp as PostgreSQL writes it in text (`2026-12-06 01:17:48.815123+00`) or in JSON
 * (`2026-12-06T01:17:48.815123+00:00`), with up to six digits of fraction.
 */
const UTC_TEXT = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00(?::00)?|Z)$/;

/**
 * A timestamp as ISO text with milliseconds (`2026-12-06T01:17:48.815Z`), the fraction truncated
 * as a Date made from it would be. Other text (a session in another time zone, a year past 9999)
 * goes through a Date as before: PostgreSQL's text form through pg's own parser, the JSON form
 * (ISO 8601) through JavaScript's.
 */
export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const parts = UTC_TEXT.exec(value);
  if (!parts)
    return (value.charAt(10) === 'T' ? new Date(value) : parseTimestamptz(value)).toISOString();
  const ms = parts[3] ? `${parts[3]}00`.slice(0, 3) : '000';
  return `${parts[1]}T${parts[2]}.${ms}Z`;
}
