import { HttpException, Logger } from '@nestjs/common';
import { isUnavailableError } from '../../database/db-errors.js';
import { DomainException } from './domain.exception.js';
import { DEFAULT_MESSAGES, ErrorCode } from './error-code.js';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

const logger = new Logger('Errors');

/** The body of an error that is not the client's to know about. */
export const INTERNAL_ERROR: Readonly<ErrorBody> = Object.freeze({
  code: ErrorCode.Internal,
  message: DEFAULT_MESSAGES[ErrorCode.Internal],
});

const CODE_BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  // A multipart upload of a type other than form-data.
  415: ErrorCode.ValidationFailed,
  429: ErrorCode.RateLimited,
  503: ErrorCode.Unavailable,
};

/**
 * Turns anything thrown into the contract's error body. Unknown errors become INTERNAL with a
 * fixed message: stacks, SQL and payloads stay in the log. The framework's own refusals (an
 * unknown route, a path that does not decode, a multipart error) answer their code's fixed
 * message too: theirs repeat the request ("Cannot GET /api/x?token=…").
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainException) {
    return withDetails({ code: error.code, message: error.message }, error.details);
  }
  if (isUnavailableError(error)) {
    logger.warn(`backing store unavailable: ${describe(error)}`);
    return { code: ErrorCode.Unavailable, message: DEFAULT_MESSAGES[ErrorCode.Unavailable] };
  }
  if (error instanceof HttpException) {
    const code = CODE_BY_HTTP_STATUS[error.getStatus()];
    const multer = multerMessage(error);
    if (code) return refused(code, error, multer, multer ? 'file' : undefined);
  }
  const clientError = httpClientErrorCode(error);
  if (clientError) return refused(clientError, error);
  logger.error(error instanceof Error ? (error.stack ?? error.message) : describe(error));
  return { ...INTERNAL_ERROR };
}

/**
 * A refusal by the framework (a path that does not decode, a body that does not parse, an
 * upload multer refused), in fixed words. VALIDATION_FAILED carries the contract's details all
 * the same: the part of the request at fault (`field`: path, body or file), with the message as
 * its one constraint.
 */
function refused(code: ErrorCode, error: unknown, message?: string, field?: string): ErrorBody {
  const cause = (error as { cause?: unknown }).cause;
  const unparsed = [error, cause].find(
    (e) => (e as { type?: unknown } | undefined)?.type === 'entity.parse.failed',
  );
  const text = message ?? (unparsed ? unparsedBody(unparsed) : DEFAULT_MESSAGES[code]);
  if (code !== ErrorCode.ValidationFailed) return { code, message: text };
  const part = field ?? (error instanceof URIError || cause instanceof URIError ? 'path' : 'body');
  return { code, message: text, details: [{ field: part, constraints: { valid: text } }] };
}

/**
 * Why the JSON body parser refused a body: it is not JSON, or (the parser takes only objects and
 * arrays) it is JSON of another kind, such as `null` or a string.
 */
function unparsedBody(error: unknown): string {
  try {
    JSON.parse(String((error as { body?: unknown }).body));
  } catch {
    return 'body is not valid JSON';
  }
  return 'body must be a JSON object';
}

/** Errors of Express's body parsers (http-errors): a client's fault, safe to name by status. */
function httpClientErrorCode(error: unknown): ErrorCode | undefined {
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  if (expose !== true || typeof status !== 'number') return undefined;
  return CODE_BY_HTTP_STATUS[status] ?? ErrorCode.ValidationFailed;
}

/** Multer's refusals of an upload, by their code: its fixed texts, without the field's name. */
const MULTER_MESSAGES: Record<string, string> = {
  LIMIT_PART_COUNT: 'too many parts',
  LIMIT_FILE_SIZE: 'file too large',
  LIMIT_FILE_COUNT: 'too many files',
  LIMIT_FIELD_KEY: 'field name too long',
  LIMIT_FIELD_VALUE: 'field value too long',
  LIMIT_FIELD_COUNT: 'too many fields',
  LIMIT_UNEXPECTED_FILE: 'unexpected file field (send the file as "file")',
  MISSING_FIELD_NAME: 'field name missing',
  LIMIT_FIELD_NESTING: 'field name nesting too deep',
  LIMIT_FIELD_ARRAY_INDEX: 'field name array index too large',
  INVALID_FIELD_NAME: 'invalid field name',
};

/** Nest keeps multer's error as the exception's cause. */
function multerMessage(error: HttpException): string | undefined {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(MULTER_MESSAGES, code)
    ? MULTER_MESSAGES[code]
    : undefined;
}

function withDetails(body: ErrorBody, details: unknown): ErrorBody {
  return details === undefined ? body : { ...body, details };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
