import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { DomainException } from '../common/errors/domain.exception.js';
import { ErrorCode } from '../common/errors/error-code.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** With METRICS_TOKEN set, /metrics wants `Authorization: Bearer <METRICS_TOKEN>`. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    const token = config.metricsToken;
    if (token) this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (token !== undefined && timingSafeEqual(digest(token), this.expected)) return true;
    throw new DomainException(ErrorCode.Unauthorized);
  }
}
