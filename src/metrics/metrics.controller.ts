import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { register, Registry } from 'prom-client';
import { Public } from '../common/http/public.decorator.js';
import { MetricsRegistry } from './metrics.registry.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/**
 * GET /metrics: the process metrics (prom-client's default registry) and this app's own.
 * Outside the JWT guard, like /health; METRICS_TOKEN protects it instead when set.
 */
@ApiTags('metrics')
@Public()
@UseGuards(MetricsTokenGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', register.contentType)
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4' })
  scrape(): Promise<string> {
    return Registry.merge([register, this.registry]).metrics();
  }
}
