import { ParseUUIDPipe } from '@nestjs/common';
import { invalidField } from '../errors/domain.exception.js';

/** A path id that must be a UUID: anything else is VALIDATION_FAILED, before any lookup. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => invalidField('id', 'isUuid', 'id must be a UUID', 'id must be a UUID'),
});
