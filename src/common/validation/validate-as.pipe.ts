import type { ArgumentMetadata, PipeTransform, Type } from '@nestjs/common';
import { AppValidationPipe } from './validation.pipe.js';

/**
 * Validates a parameter as `type` where its declared type cannot name the class (a handler
 * shared by several gateways through a mixin), with the same rules and errors as everywhere.
 */
export class ValidateAs implements PipeTransform {
  private static readonly pipe = new AppValidationPipe();

  /** Public so tooling (the fuzz suite) can see what a handler validates its payload as. */
  constructor(readonly type: Type) {}

  /** At once or as a promise, as AppValidationPipe answers. */
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return ValidateAs.pipe.transform(value, { ...metadata, metatype: this.type }) as unknown;
  }
}
