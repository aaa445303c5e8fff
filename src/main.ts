import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { listen, setupApp } from './app.setup.js';
import { AppConfig } from './config/app-config.js';
import { exitGracefullyOn } from './lifecycle/graceful-shutdown.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(), { bufferLogs: true });
  const server = setupApp(app);
  // A promise some library forgot to handle must not take every socket of this node down.
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason: unknown) =>
    logger.error(
      `unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`,
    ),
  );
  const config = app.get(AppConfig);
  exitGracefullyOn(['SIGTERM', 'SIGINT'], app, server, config.shutdownGraceMs);
  await listen(app);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
