import { Controller, Get, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  type HealthIndicatorResult,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../common/http/public.decorator.js';
import { RedisHealthIndicator } from '../redis/redis.health.js';

const CHECK_TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: the database answers, and Redis when configured. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.db.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
    ];
    if (this.redis.enabled) checks.push(() => this.redis.check('redis', CHECK_TIMEOUT_MS));
    try {
      return await this.health.check(checks);
    } catch (error) {
      // Terminus reports "not ready" as a 503 exception; keep its per-dependency body, without
      // the drivers' messages (server addresses, user names), which go to the log.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      this.logger.warn(`not ready: ${JSON.stringify(result.error)}`);
      res.status(503);
      return { ...result, error: statusesOf(result.error), details: statusesOf(result.details) };
    }
  }
}

/** Each dependency's status alone. */
function statusesOf<Part extends Partial<HealthIndicatorResult> | undefined>(part: Part): Part {
  if (!part) return part;
  const entries = Object.entries(part).map(([name, result]) => [name, { status: result?.status }]);
  return Object.fromEntries(entries) as Part;
}
