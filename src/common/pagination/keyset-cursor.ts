import { invalidField } from '../errors/domain.exception.js';

/** A position in a list ordered by (time, id) descending: the time in epoch microseconds. */
export interface KeysetPosition {
  timeUs: string;
  id: string;
}

/**
 * SQL for "the row's time in epoch microseconds" and for turning such a number back into a
 * timestamptz exactly (to_timestamp would round through a double).
 */
export const epochUs = (column: string): string =>
  `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
export const fromEpochUs = (param: string): string =>
  `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;

/** The opaque nextCursor of a keyset page. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.timeUs}|${position.id}`).toString('base64url');
}

/** The position a nextCursor names, or VALIDATION_FAILED on `field` for anything else. */
export function decodeCursor(cursor: string, field = 'cursor'): KeysetPosition {
  const [timeUs, id, extra] = Buffer.from(cursor, 'base64url').toString().split('|');
  const valid =
    extra === undefined &&
    /^\d{1,18}$/.test(timeUs ?? '') &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id ?? '');
  if (!valid) {
    throw invalidField(
      field,
      'isCursor',
      `${field} must be a nextCursor from a previous page`,
      'invalid cursor',
    );
  }
  return { timeUs, id };
}

/** A page of `limit` from rows fetched with limit + 1, and the cursor after its last item. */
export function keysetPage<R extends { time_us: string; id: string }>(
  rows: R[],
  limit: number,
): { rows: R[]; hasMore: boolean; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    hasMore,
    nextCursor: hasMore && last ? encodeCursor({ timeUs: last.time_us, id: last.id }) : null,
  };
}
