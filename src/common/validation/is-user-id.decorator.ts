import { registerDecorator, type ValidationOptions } from 'class-validator';
import { MAX_ID_LENGTH } from './is-uuid.decorator.js';

/**
 * What a user id may be, one rule for tokens (claims.ts), socket payloads and REST paths:
 * 1–MAX_ID_LENGTH UTF-16 units of text, no NUL (PostgreSQL refuses it) and no lone surrogate
 * (stored as U+FFFD, two ids would become one user).
 */
export function isUserId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    !value.includes('\u0000') &&
    value.isWellFormed()
  );
}

/** What a refusal by isUserId says of the field. */
export const USER_ID_RULE = `must be 1 to ${MAX_ID_LENGTH} characters of text`;

export function IsUserId(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isUserId',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} ${USER_ID_RULE}`,
        ...options,
      },
      validator: { validate: isUserId },
    });
}
