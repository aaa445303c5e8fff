import { Logger, type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ServerControls } from '../app.setup.js';
import { databaseQuiet } from '../database/database-quiet.js';

/** How long the database must have been idle before it is closed. */
const QUIET_MS = 100;
/** The share of the grace period the database may take to go quiet; the rest is for closing. */
const QUIET_SHARE = 0.6;

/**
 * How the grace period is spent: waiting for the database work in flight to finish, up to
 * `quietWithinMs`, then closing the app (even when the work is still running) by `graceMs`.
 * Were both the same, the outer deadline would always win and the app would never be closed.
 */
export function shutdownDeadlines(graceMs: number): { quietWithinMs: number; graceMs: number } {
  return { quietWithinMs: Math.floor(graceMs * QUIET_SHARE), graceMs };
}

/**
 * Stops the node for a rolling restart, in this order: no new connections, and every socket's
 * transport closed so that its client reconnects by itself (to another node) and recovers with
 * joinChat `sinceSeq`; the work in flight (sends, and the notifications they set off) finishes;
 * then the app closes (hooks, Redis, database). Resolves true when all of it was done within
 * `graceMs`; false when the time ran out first, a step failed, or the work in flight was still
 * running when the app had to be closed (it is closed all the same).
 */
export async function shutDown(
  app: INestApplication,
  server: ServerControls,
  graceMs: number,
): Promise<boolean> {
  const logger = new Logger('Shutdown');
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const steps = async (): Promise<'done' | 'work cut off'> => {
    server.closeConnections();
    const quiet = await databaseQuiet(app.get(DataSource), {
      quietMs: QUIET_MS,
      withinMs: shutdownDeadlines(graceMs).quietWithinMs,
    });
    if (!quiet) logger.warn('database work still running at shutdown; closing anyway');
    await app.close();
    return quiet ? 'done' : 'work cut off';
  };
  try {
    const outcome = await Promise.race([steps(), outOfTime]);
    if (outcome === 'late')
      logger.error(`shutdown not done within SHUTDOWN_GRACE_MS (${graceMs} ms)`);
    else
      logger.log(
        `shut down in ${Date.now() - started} ms${outcome === 'done' ? '' : ', work cut off'}`,
      );
    return outcome === 'done';
  } catch (error) {
    logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * On the first of `signals`, shuts down and exits: 0 when that went well, 1 otherwise. A second
 * signal (an impatient operator, an orchestrator's repeat) exits 1 at once.
 */
export function exitGracefullyOn(
  signals: NodeJS.Signals[],
  app: INestApplication,
  server: ServerControls,
  graceMs: number,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      new Logger('Shutdown').warn(`${signal} again: exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    new Logger('Shutdown').log(`${signal}: closing connections, then the app`);
    void shutDown(app, server, graceMs).then((done) => exit(done ? 0 : 1));
  };
  for (const signal of signals) process.on(signal, onSignal);
}
