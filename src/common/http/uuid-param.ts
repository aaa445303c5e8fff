import { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { invalidField } from '../errors/domain.exception.js';
import { normalizeId } from '../validation/is-uuid.decorator.js';

/**
 * A path id, normalized as the ids of bodies and payloads are (normalizeId): a UUID in lower
 * case, or a made-up id read as one no row has, refused as any unknown id is. What normalizeId
 * leaves alone (too long, unprintable, a UUID written another way) is VALIDATION_FAILED, before
 * any lookup.
 */
class IdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const id = normalizeId(value);
    if (typeof id !== 'string' || !isUUID(id, 'all'))
      throw invalidField('id', 'isUuid', 'id must be a UUID', 'id must be a UUID');
    return id;
  }
}

export const UuidParam = new IdParamPipe();
