import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { isUUID, IsUUID, type ValidationOptions } from 'class-validator';

/**
 * What a made-up id stands for: a UUID no row has (ours are random or time-ordered, never nil),
 * so the request goes on and is refused as for any unknown id (`FORBIDDEN` for a chat, with no
 * hint whether it exists). The contract promises only that ids are strings: `'no-such-chat'` is
 * an id nobody has, not a malformed payload.
 */
export const UNKNOWN_ID = '00000000-0000-0000-0000-000000000000';
/** Longer strings, or empty ones, are not ids: `VALIDATION_FAILED`, as any other bad value. */
export const MAX_ID_LENGTH = 128;
/**
 * A UUID written some other way (braces, `urn:uuid:`, no hyphens, spaces around it): a mangled
 * id, refused as malformed. Read as unknown, a `leaveChat` of a joined chat written so would
 * succeed without leaving it; PostgreSQL itself would read the UUID inside.
 */
const HOLDS_A_UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * An id as the database writes it: a UUID in lower case; a made-up one (1–MAX_ID_LENGTH
 * characters, no control characters, no UUID inside) as UNKNOWN_ID; anything else unchanged,
 * for validation to refuse.
 */
export function normalizeId(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (isUUID(value, 'all')) return value.toLowerCase();
  const madeUp =
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    !CONTROL.test(value) &&
    !HOLDS_A_UUID.test(value);
  return madeUp ? UNKNOWN_ID : value;
}

const lower = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : value;

/**
 * An id, normalized as above. PostgreSQL reads `ABC…` and `abc…` as one id, but ids are also
 * room names, map keys and what events carry: written as the database writes them, they agree.
 * A list of ids (`each`) takes UUIDs only, in any case: its ids come from earlier answers, and a
 * made-up one would be carried on as UNKNOWN_ID (in `messagesRead`) or collapse with another.
 */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      options?.each && Array.isArray(value) ? value.map(lower) : normalizeId(value),
    ),
    IsUUID('all', options),
  );
}
