import { describe, expect, it } from '@jest/globals';
import { UpProbe } from './up-probe.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('UpProbe', () => {
  it('answers 1 when the ping succeeds', async () => {
    await expect(new UpProbe(() => Promise.resolve('PONG'), 100).check()).resolves.toBe(1);
  });

  it('answers 0 when the ping rejects or throws', async () => {
    await expect(new UpProbe(() => Promise.reject(new Error('down')), 100).check()).resolves.toBe(
      0,
    );
    const throwing = new UpProbe(() => {
      throw new Error('no client');
    }, 100);
    await expect(throwing.check()).resolves.toBe(0);
  });

  it('answers 0 when the ping does not answer within the timeout', async () => {
    await expect(new UpProbe(never, 20).check()).resolves.toBe(0);
  });

  it('shares one ping between overlapping checks, and pings again once it settled', async () => {
    let pings = 0;
    let answer: () => void = () => undefined;
    const probe = new UpProbe(() => {
      pings += 1;
      return new Promise<void>((resolve) => (answer = resolve));
    }, 1000);
    const [first, second] = [probe.check(), probe.check()];
    answer();
    await expect(Promise.all([first, second])).resolves.toEqual([1, 1]);
    expect(pings).toBe(1);
    const third = probe.check();
    answer();
    await expect(third).resolves.toBe(1);
    expect(pings).toBe(2);
  });

  it('keeps waiting on a hung ping rather than starting another per check', async () => {
    let pings = 0;
    const probe = new UpProbe(() => {
      pings += 1;
      return never();
    }, 10);
    await probe.check();
    await probe.check();
    expect(pings).toBe(1);
  });
});
