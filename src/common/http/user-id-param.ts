import { PipeTransform } from '@nestjs/common';
import { invalidField } from '../errors/domain.exception.js';
import { isUserId, USER_ID_RULE } from '../validation/is-user-id.decorator.js';

/**
 * A user id in a path, held to the rule of tokens and socket payloads (isUserId): anything else
 * is VALIDATION_FAILED, not a user nobody has, answered back to the caller.
 */
class UserIdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUserId(value)) {
      throw invalidField('userId', 'isUserId', `userId ${USER_ID_RULE}`);
    }
    return value;
  }
}

export const UserIdParam = new UserIdParamPipe();
