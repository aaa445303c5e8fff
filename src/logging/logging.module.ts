import { Module, type INestApplication } from '@nestjs/common';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { pinoHttp, type Options } from 'pino-http';
import { AppConfig } from '../config/app-config.js';

/** Strips credentials from a request URL: tokens in query strings must not reach the logs. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[REDACTED]');
}

/** The root logger's options, and how a request is logged. */
function httpLogOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[REDACTED]',
    },
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        headers: req.headers,
      }),
    },
    autoLogging: {
      // Probes and scrapers call every few seconds: their requests would drown the log.
      ignore: (req: IncomingMessage) =>
        ['/health', '/metrics'].some((path) => req.url?.startsWith(path)),
    },
  };
}

/**
 * nestjs-pino makes the root logger and the Logger Nest logs through, but binds no route: its
 * request middleware runs each request inside an AsyncLocalStorage, and on Node 20 the first
 * one switches on promise hooks for the whole process, for good. Every socket event then paid
 * for them: about a fifth of the app's CPU per event in the overhead benchmark. Requests are
 * logged by `logRequests` instead, with the same options and root logger; what the app logs
 * while serving a request no longer carries that request's id.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ pinoHttp: httpLogOptions(config), forRoutes: [] }),
    }),
  ],
})
export class LoggingModule {}

/** Logs each HTTP request when it completes (pino-http), through the root logger. */
export function logRequests(app: INestApplication): void {
  const options = httpLogOptions(app.get(AppConfig));
  app.use(pinoHttp({ ...options, logger: PinoLogger.root }));
}
