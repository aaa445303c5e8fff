import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { exitGracefullyOn, shutDown, shutdownDeadlines } from './graceful-shutdown.js';

const database = (idleCount: number) => ({
  isInitialized: true,
  driver: { master: { totalCount: 1, idleCount, waitingCount: 0 } },
});
const idleDatabase = database(1);
const busyDatabase = database(0);

/** An app whose close takes `closeMs` (forever when undefined), recording the order of steps. */
function fakeApp(steps: string[], closeMs?: number, database = idleDatabase): INestApplication {
  return {
    get: () => database,
    close: () =>
      new Promise<void>((resolve) => {
        steps.push('close');
        if (closeMs !== undefined) setTimeout(resolve, closeMs);
      }),
  } as unknown as INestApplication;
}

describe('shutDown', () => {
  it('closes the connections before the app, and says when it is done', async () => {
    const steps: string[] = [];
    const done = await shutDown(
      fakeApp(steps, 0),
      { closeConnections: () => steps.push('connections') },
      5000,
    );
    expect(done).toBe(true);
    expect(steps).toEqual(['connections', 'close']);
  });

  it('stops waiting after the grace period and says it did not finish', async () => {
    // The app never finishes closing: only the grace period can end the wait.
    const done = await shutDown(fakeApp([]), { closeConnections: () => undefined }, 300);
    expect(done).toBe(false);
  });

  it('gives the database part of the grace period, so that the rest is left for closing', () => {
    const { quietWithinMs, graceMs } = shutdownDeadlines(10_000);
    expect(graceMs).toBe(10_000);
    expect(quietWithinMs).toBeGreaterThan(0);
    expect(quietWithinMs).toBeLessThanOrEqual(0.6 * graceMs);
  });

  it('closes the app anyway when the database never goes quiet, within the grace period', async () => {
    const steps: string[] = [];
    const started = Date.now();
    await shutDown(
      fakeApp(steps, 0, busyDatabase),
      { closeConnections: () => steps.push('connections') },
      500,
    );
    expect(steps).toEqual(['connections', 'close']);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('says it did not finish when the work in flight was cut off by the close', async () => {
    const done = await shutDown(
      fakeApp([], 0, busyDatabase),
      { closeConnections: () => undefined },
      500,
    );
    expect(done).toBe(false);
  });
});

describe('exitGracefullyOn', () => {
  it('exits 1 at once on a second signal while the first is still shutting down', () => {
    const signal = 'SIGUSR2';
    const exits: number[] = [];
    const before = process.listeners(signal);
    exitGracefullyOn([signal], fakeApp([], 0), { closeConnections: () => undefined }, 1000, (c) =>
      exits.push(c),
    );
    const added = process.listeners(signal).filter((l) => !before.includes(l));
    try {
      process.emit(signal, signal);
      expect(exits).toEqual([]);
      process.emit(signal, signal);
      expect(exits).toEqual([1]);
    } finally {
      for (const listener of added) process.off(signal, listener);
    }
  });
});
