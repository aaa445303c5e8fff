import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsUUID, type ValidationOptions } from 'class-validator';

const lower = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : value;

/**
 * A UUID, in lower case. PostgreSQL reads `ABC…` and `abc…` as one id, but ids are also room
 * names, map keys and what events carry: written as the database writes them, they agree.
 */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      options?.each && Array.isArray(value) ? value.map(lower) : lower(value),
    ),
    IsUUID('all', options),
  );
}
