import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { AppSocket } from '../../common/ws/app-socket.js';
import type { LimitName } from '../../metrics/limit.metrics.js';
import { EventRate } from './event-flood.js';

type Packet = unknown[];
type Use = (packet: Packet, next: () => void) => void;

/** A socket of `userId` on connection `conn`: `send` runs an event through the rate's middleware. */
function socketOf(rate: EventRate, conn: object, userId: string) {
  let use: Use | undefined;
  const socket = {
    conn,
    data: { user: { id: userId } },
    use: (fn: Use) => void (use = fn),
    listenerCount: () => 1,
    emit: () => true,
  } as unknown as AppSocket;
  rate.onConnection(socket);
  return {
    /** true when the event reaches its handler, else the refusal's code. */
    send(): boolean | string {
      let passed = false;
      let answer: { error?: { code: string } } | undefined;
      use!(['whoAmI', {}, (response: typeof answer) => (answer = response)], () => (passed = true));
      return passed || answer!.error!.code;
    },
  };
}

describe('EventRate', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts a user across connections, and a refusal by the user’s rate takes nothing from the connection', () => {
    jest.useFakeTimers({ now: 0 });
    const refused: LimitName[] = [];
    const rate = new EventRate(
      { connection: { perSecond: 0.001, burst: 2 }, user: { perSecond: 1, burst: 1 } },
      (limit) => refused.push(limit),
    );
    const socket = socketOf(rate, {}, 'u1');
    expect(socket.send()).toBe(true);
    // The user's bucket is empty: refused, and the connection's token goes back each time.
    expect([socket.send(), socket.send()]).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(refused).toEqual(['user_event_rate', 'user_event_rate']);
    // A second later the user has a token again, and the connection still its second.
    jest.setSystemTime(1000);
    expect(socket.send()).toBe(true);
    expect(socket.send()).toBe('RATE_LIMITED');
    expect(refused.at(-1)).toBe('event_rate');
    // Another connection of the user shares the user's bucket.
    jest.setSystemTime(2000);
    const other = socketOf(rate, {}, 'u1');
    expect(other.send()).toBe(true);
    expect(other.send()).toBe('RATE_LIMITED');
    expect(socketOf(rate, {}, 'u2').send()).toBe(true);
  });
});
