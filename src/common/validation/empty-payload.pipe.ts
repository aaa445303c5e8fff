import { Injectable, type PipeTransform } from '@nestjs/common';
import { invalidField } from '../errors/domain.exception.js';
import { isBinary, MAX_KEY_LENGTH } from './validation.pipe.js';

/**
 * The payload of an event that takes none: nothing, or `{}`. Anything else is VALIDATION_FAILED,
 * as the contract forbids unknown fields for every event (a `markAllRead` with garbage must not
 * mark everything read).
 */
@Injectable()
export class EmptyPayload implements PipeTransform {
  transform(value: unknown): Record<string, never> {
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value) || isBinary(value)) {
      throw invalidField('', 'isObject', 'payload must be an object');
    }
    const [key] = Object.keys(value);
    if (key === undefined) return {};
    // A long key is not named, so the error never echoes it.
    if (key.length > MAX_KEY_LENGTH)
      throw invalidField('', 'isEmpty', 'this event takes no fields');
    throw invalidField(key, 'whitelistValidation', `property ${key} should not exist`);
  }
}
