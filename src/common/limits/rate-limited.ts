import { DomainException } from '../errors/domain.exception.js';
import { ErrorCode } from '../errors/error-code.js';

/** RATE_LIMITED with the contract's `details: { retryAfterMs }`. */
export function rateLimited(retryAfterMs: number, message?: string): DomainException {
  return new DomainException(ErrorCode.RateLimited, message, { retryAfterMs });
}
