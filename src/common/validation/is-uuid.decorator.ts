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
 * Whether a string may hold a UUID written some other way (braces, `urn:uuid:`, other hyphens,
 * spaces or invisible characters in it): 32 hex digits or more among its characters. Such a
 * mangled id is refused as malformed: read as unknown, a `leaveChat` of a joined chat written so
 * would succeed without leaving it, and PostgreSQL itself would read the UUID inside.
 */
const holdsAUuid = (value: string): boolean => value.replace(/[^0-9a-f]/gi, '').length >= 32;
/** Control and format (invisible) characters: not in an id anyone made up to be read. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/**
 * An id as the database writes it: a UUID in lower case; a made-up one (1–MAX_ID_LENGTH
 * characters, none of them control or format characters, no UUID inside) as UNKNOWN_ID; anything
 * else unchanged, for validation to refuse.
 */
export function normalizeId(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (isUUID(value, 'all')) return value.toLowerCase();
  const madeUp =
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    !UNPRINTABLE.test(value) &&
    !holdsAUuid(value);
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
      options?.each ? (Array.isArray(value) ? value.map(lower) : lower(value)) : normalizeId(value),
    ),
    IsUUID('all', options),
  );
}
