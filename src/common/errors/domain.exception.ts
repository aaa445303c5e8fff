import { DEFAULT_MESSAGES, ErrorCode } from './error-code.js';

export interface FieldError {
  field: string;
  constraints: Record<string, string>;
}

/** The one exception services throw; each transport maps `code` to its own error shape. */
export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = 'DomainException';
  }
}

/** VALIDATION_FAILED about one field: `details: [{ field, constraints: { [rule]: reason } }]`. */
export function invalidField(
  field: string,
  rule: string,
  reason: string,
  message = 'validation failed',
): DomainException {
  return new DomainException(ErrorCode.ValidationFailed, message, [
    { field, constraints: { [rule]: reason } },
  ]);
}
