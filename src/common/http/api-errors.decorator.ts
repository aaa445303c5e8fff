import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ErrorCode, httpStatusOf } from '../errors/error-code.js';

/** Every REST error: `{ statusCode, code, message, details? }`. */
export class ErrorResponse {
  @ApiProperty({ example: 403 }) statusCode!: number;
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.Forbidden }) code!: ErrorCode;
  @ApiProperty({ example: 'forbidden' }) message!: string;
  @ApiPropertyOptional({
    description:
      'VALIDATION_FAILED: [{ field, constraints }]; RATE_LIMITED: { retryAfterMs }; CONFLICT over a limit: { limit }; NOT_FOUND of users: { userIds }',
    oneOf: [
      {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            field: { type: 'string' },
            constraints: { type: 'object', additionalProperties: { type: 'string' } },
          },
          required: ['field', 'constraints'],
        },
      },
      { type: 'object' },
    ],
  })
  details?: unknown;
}

const DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.ValidationFailed]: 'VALIDATION_FAILED: bad path, query or body',
  [ErrorCode.Unauthorized]: 'UNAUTHORIZED or TOKEN_EXPIRED',
  [ErrorCode.Forbidden]: 'FORBIDDEN: also for what does not exist or cannot be seen',
  [ErrorCode.Conflict]: 'CONFLICT or CHAT_CLOSED',
  [ErrorCode.RateLimited]: 'RATE_LIMITED: over a rate limit; retry after details.retryAfterMs',
  [ErrorCode.Unavailable]: 'UNAVAILABLE: a backing store is down; retry',
};

/**
 * Documents the contract's error responses on a protected controller: those every route may give
 * (the REST rate applies to all of /api), and `codes`.
 */
export function ApiErrors(...codes: ErrorCode[]): ClassDecorator & MethodDecorator {
  const all = [
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthorized,
    ErrorCode.Forbidden,
    ErrorCode.Unavailable,
    ErrorCode.RateLimited,
    ...codes,
  ];
  return applyDecorators(
    ...[...new Set(all)].map((code) =>
      ApiResponse({
        status: httpStatusOf(code),
        description: DESCRIPTIONS[code] ?? code,
        type: ErrorResponse,
      }),
    ),
  );
}
