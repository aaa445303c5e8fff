import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { invalidField } from '../../common/errors/domain.exception.js';

const IDEMPOTENCY_KEY_MAX = 100;

/** The REST `Idempotency-Key` header plays the part of clientMessageId: a repeat returns the first message. */
export function withIdempotencyKey<T extends { clientMessageId?: string }>(
  body: T,
  idempotencyKey: string | undefined,
): T {
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX)
  ) {
    throw invalidField(
      'Idempotency-Key',
      'length',
      `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`,
      'invalid Idempotency-Key',
    );
  }
  // One key per message: were both kept, a retry with the header alone would find nothing
  // stored under it and store the message again.
  if (
    idempotencyKey !== undefined &&
    body.clientMessageId !== undefined &&
    body.clientMessageId !== idempotencyKey
  ) {
    throw invalidField(
      'Idempotency-Key',
      'equals',
      'Idempotency-Key and clientMessageId name the same key: give one, or both the same',
      'Idempotency-Key and clientMessageId differ',
    );
  }
  return { ...body, clientMessageId: body.clientMessageId ?? idempotencyKey };
}

/**
 * The request's `Idempotency-Key` header. A decorator of its own rather than `@Headers()`, which
 * Swagger would document a second time, as required.
 */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined =>
    ctx.switchToHttp().getRequest<Request>().get('idempotency-key'),
);

export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key, same message: no second row or broadcast',
};
