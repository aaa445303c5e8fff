import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { invalidField } from '../errors/domain.exception.js';

/** ParseUUIDPipe, answering in lower case: the form the database returns ids in (see IsUuid). */
class LowerCaseUuidPipe extends ParseUUIDPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    const id = await super.transform(value, metadata);
    return typeof id === 'string' ? id.toLowerCase() : id;
  }
}

/** A path id that must be a UUID: anything else is VALIDATION_FAILED, before any lookup. */
export const UuidParam = new LowerCaseUuidPipe({
  exceptionFactory: () => invalidField('id', 'isUuid', 'id must be a UUID', 'id must be a UUID'),
});
