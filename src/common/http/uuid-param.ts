import { ParseUUIDPipe } from '@nestjs/common';
import { DomainException } from '../errors/domain.exception.js';
import { ErrorCode } from '../errors/error-code.js';

/** A path id that must be a UUID: anything else is VALIDATION_FAILED, before any lookup. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    new DomainException(ErrorCode.ValidationFailed, 'id must be a UUID', [
      { field: 'id', constraints: { isUuid: 'id must be a UUID' } },
    ]),
});
