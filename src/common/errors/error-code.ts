/** The error codes of the wire contract (PROTOCOL.md, "Acknowledgements and errors"). */
export enum ErrorCode {
  Unauthorized = 'UNAUTHORIZED',
  TokenExpired = 'TOKEN_EXPIRED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  ValidationFailed = 'VALIDATION_FAILED',
  Conflict = 'CONFLICT',
  ChatClosed = 'CHAT_CLOSED',
  RateLimited = 'RATE_LIMITED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  Unavailable = 'UNAVAILABLE',
  Internal = 'INTERNAL',
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Unauthorized:
    case ErrorCode.TokenExpired:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.ValidationFailed:
      return 400;
    case ErrorCode.Conflict:
    case ErrorCode.ChatClosed:
      return 409;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.Unavailable:
      return 503;
    case ErrorCode.Internal:
      return 500;
  }
}

export const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  [ErrorCode.Unauthorized]: 'unauthorized',
  [ErrorCode.TokenExpired]: 'token expired',
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.NotFound]: 'not found',
  [ErrorCode.ValidationFailed]: 'validation failed',
  [ErrorCode.Conflict]: 'conflict',
  [ErrorCode.ChatClosed]: 'chat is closed',
  [ErrorCode.RateLimited]: 'rate limited',
  [ErrorCode.PayloadTooLarge]: 'payload too large',
  [ErrorCode.Unavailable]: 'service unavailable, try again',
  [ErrorCode.Internal]: 'internal error',
};
