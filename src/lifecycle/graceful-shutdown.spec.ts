import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { shutDown } from './graceful-shutdown.js';

const idleDatabase = { driver: { master: { totalCount: 1, idleCount: 1, waitingCount: 0 } } };

/** An app whose close takes `closeMs` (forever when undefined), recording the order of steps. */
function fakeApp(steps: string[], closeMs?: number): INestApplication {
  return {
    get: () => idleDatabase,
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
});
