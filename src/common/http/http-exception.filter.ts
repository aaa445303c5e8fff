import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { toErrorBody } from '../errors/error-body.js';
import { ErrorCode, httpStatusOf } from '../errors/error-code.js';

/** REST errors as `{ statusCode, code, message, details? }`, whatever was thrown. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendError(host.switchToHttp().getResponse<Response>(), exception);
  }
}

/** Express error middleware for what fails before Nest's router (malformed JSON, huge bodies). */
export function expressErrorHandler(
  error: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (res.headersSent) return next(error);
  sendError(res, error);
}

function sendError(res: Response, exception: unknown): void {
  const body = toErrorBody(exception);
  const statusCode = httpStatusOf(body.code);
  const retryAfterMs = (body.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (body.code === ErrorCode.RateLimited && typeof retryAfterMs === 'number') {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  res.status(statusCode).json({ statusCode, ...body });
}
