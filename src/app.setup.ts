import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { expressErrorHandler, HttpExceptionFilter } from './common/http/http-exception.filter.js';
import { AppValidationPipe } from './common/validation/validation.pipe.js';
import { memoizeValidationMetadata } from './common/validation/validation-metadata-cache.js';
import { AppConfig } from './config/app-config.js';
import { logRequests } from './logging/logging.module.js';
import { SocketAuthenticator } from './modules/auth/socket-authenticator.js';
import { AuthenticatedIoAdapter } from './realtime/authenticated-io.adapter.js';
import { announceSocket } from './realtime/socket-events.js';
import { socketLimits } from './realtime/limits/socket-limits.js';
import { installWsDispatch } from './realtime/ws-dispatch.js';
import { installSharedHandlers } from './realtime/shared-handlers.js';
import { coalesceWrites } from './realtime/coalesced-writes.js';
import type { RedisClusterLink } from './realtime/redis-cluster.adapter.js';
import { REDIS_CLUSTER } from './redis/redis.tokens.js';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { RealtimeMetrics } from './metrics/realtime.metrics.js';
import { LimitMetrics } from './metrics/limit.metrics.js';

/** What a graceful shutdown needs from the server set up here. */
export interface ServerControls {
  /** Stops taking connections and closes every socket's transport (clients reconnect elsewhere). */
  closeConnections(): void;
}

/** Everything about the HTTP and socket server that main.ts and the tests share. */
export function setupApp(app: INestApplication): ServerControls {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  logRequests(app);
  app.setGlobalPrefix('api', { exclude: ['health', 'health/ready', 'metrics'] });
  memoizeValidationMetadata();
  installWsDispatch();
  installSharedHandlers();
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableCors({ origin: config.corsOrigins, credentials: true });
  const metrics = app.get(RealtimeMetrics);
  const limits = socketLimits(config.limits, config.trustProxy, app.get(LimitMetrics).refused);
  const authenticator = app.get(SocketAuthenticator);
  const io = new AuthenticatedIoAdapter(app, {
    middlewares: [...limits.beforeAuth, authenticator.middleware, ...limits.afterAuth],
    serverOptions: {
      path: '/socket.io',
      serveClient: false,
      // A larger frame disconnects its client; validation keeps message limits well below it.
      maxHttpBufferSize: config.socketMaxBufferBytes,
      cors: { origin: config.corsOrigins, credentials: true },
      // CORS headers do not stop WebSocket upgrades from other origins; this does.
      allowRequest: (req, callback) =>
        callback(null, originAllowed(config.corsOrigins, req.headers.origin)),
    },
    onConnection: [
      authenticator.connected,
      announceSocket(app.get(EventEmitter2)),
      ...limits.onConnection,
    ],
    onEngineConnection: [coalesceWrites, ...limits.onEngineConnection],
    meter: metrics,
    onServer: (server) => metrics.watch(server),
    cluster: app.get<RedisClusterLink | null>(REDIS_CLUSTER) ?? undefined,
  });
  app.useWebSocketAdapter(io);
  setupSwagger(app);
  // Errors raised before Nest's router (malformed JSON, oversized bodies) get the contract's shape.
  app.use(expressErrorHandler);
  return { closeConnections: () => io.closeConnections() };
}

/** Browsers send Origin; clients that send none (servers, mobile apps) are not browsers. */
export function originAllowed(allowed: true | string[], origin: string | undefined): boolean {
  return allowed === true || origin === undefined || allowed.includes(origin);
}

function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Messaging backend')
      .setDescription(
        'REST API of the real-time messaging backend. Socket.IO namespaces and events are described in PROTOCOL.md.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/**
 * Listens on `port` and `host` (the configured ones unless given) with an accept queue of
 * LISTEN_BACKLOG. Nest's typings stop at (port, host); it hands further arguments to
 * `server.listen(port, host, backlog)`.
 */
export async function listen(app: INestApplication, port?: number, host?: string): Promise<void> {
  const config = app.get(AppConfig);
  const listenWithBacklog = app.listen.bind(app) as unknown as (
    port: number,
    host: string,
    backlog: number,
  ) => Promise<unknown>;
  await listenWithBacklog(port ?? config.port, host ?? config.host, config.listenBacklog);
}
