import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseAdmission } from './database-admission.js';

/** A pool of 2: one admitted at a time, 2000 may wait, each for at most 30 s. */
const config = { db: { poolSize: 2, connectTimeoutMs: 10 } } as unknown as AppConfig;

function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('DatabaseAdmission', () => {
  it('admits one at a time here, in order, and the rest wait', async () => {
    const admission = new DatabaseAdmission(config);
    const first = gate();
    const order: number[] = [];
    const a = admission.run(async () => {
      await first.opened;
      order.push(1);
    });
    const b = admission.run(() => Promise.resolve(void order.push(2)));
    expect(admission.waiting).toBe(1);
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
  });

  it('refuses, without running it, work whose socket went away while it waited', async () => {
    const admission = new DatabaseAdmission(config);
    const first = gate();
    const running = admission.run(() => first.opened);
    let ran = false;
    let connected = true;
    const outcome = admission
      .run(
        () => Promise.resolve(void (ran = true)),
        () => connected,
      )
      .catch((error: unknown) => error);
    connected = false;
    first.open();
    await running;
    await expect(outcome).resolves.toMatchObject({ code: 'UNAVAILABLE' });
    expect(ran).toBe(false);
  });

  it('refuses work that waited longer than its deadline', async () => {
    const admission = new DatabaseAdmission(config);
    const first = gate();
    const running = admission.run(() => first.opened);
    let ran = false;
    const waiting = admission.run(() => Promise.resolve(void (ran = true)));
    const outcome = waiting.catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve)); // the first is admitted by now
    const realNow = Date.now;
    Date.now = () => realNow() + 31_000;
    try {
      first.open();
      await running;
      await outcome;
    } finally {
      Date.now = realNow;
    }
    await expect(outcome).resolves.toMatchObject({ code: 'UNAVAILABLE' });
    expect(ran).toBe(false);
  });

  it('refuses at once beyond a thousand waiting per pool connection', async () => {
    const admission = new DatabaseAdmission(config);
    const first = gate();
    const all = [admission.run(() => first.opened)];
    for (let i = 0; i < 2000; i += 1) all.push(admission.run(() => Promise.resolve()));
    await expect(admission.run(() => Promise.resolve())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    first.open();
    await Promise.all(all);
  });
});
