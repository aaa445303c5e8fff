import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { LimitMetrics } from '../../metrics/limit.metrics.js';
import type { AuthUser } from '../auth/auth-user.js';
import { clientIp } from './client-ip.js';
import { rateLimited } from './rate-limited.js';
import { KeyedRateLimiter } from './token-bucket.js';

/**
 * REST requests per user (per client address when unauthenticated), all /api routes together,
 * in this node's memory. In the global guard chain after authentication, which sets the user;
 * /health and /metrics are outside /api and never limited.
 */
@Injectable()
export class RestRateGuard implements CanActivate {
  private readonly buckets: KeyedRateLimiter | null;
  private readonly trustProxy: number;

  constructor(
    config: AppConfig,
    private readonly metrics: LimitMetrics,
  ) {
    const perMinute = config.limits.restPerMinute;
    this.buckets =
      perMinute > 0 ? new KeyedRateLimiter({ perSecond: perMinute / 60, burst: perMinute }) : null;
    this.trustProxy = config.trustProxy;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.buckets || context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    if (!req.path.startsWith('/api/')) return true;
    const key = req.user
      ? `user:${req.user.id}`
      : `ip:${clientIp(req.socket.remoteAddress, req.headers, this.trustProxy)}`;
    const wait = this.buckets.take(key);
    if (wait > 0) {
      this.metrics.refused('rest_rate');
      throw rateLimited(wait, 'too many requests, slow down');
    }
    return true;
  }
}
