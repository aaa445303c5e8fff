import { PipeTransform } from '@nestjs/common';
import { invalidField } from '../errors/domain.exception.js';
import { MAX_ID_LENGTH } from '../validation/is-uuid.decorator.js';

/**
 * A user id in a path, held to what a token's `sub` may be (claims.ts) and the socket's rule
 * (UserIdDto): 1–MAX_ID_LENGTH characters of text, no NUL, no lone surrogate. Anything else is
 * VALIDATION_FAILED, not a user nobody has, answered back to the caller.
 */
class UserIdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const ok =
      value.length > 0 &&
      value.length <= MAX_ID_LENGTH &&
      !value.includes('\u0000') &&
      value.isWellFormed();
    if (!ok) {
      throw invalidField(
        'userId',
        'isUserId',
        `userId must be 1 to ${MAX_ID_LENGTH} characters of text`,
      );
    }
    return value;
  }
}

export const UserIdParam = new UserIdParamPipe();
