import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { AppConfig } from '../../config/app-config.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { DatabaseAdmission } from '../../database/database-admission.js';
import type { ChatService } from '../chat/chat.service.js';
import { PresenceRealtime } from './presence.realtime.js';
import type { PresenceChangedEvent, PresenceStatus } from './presence.types.js';

/** Admission of half the pool at a time. */
const poolOf = (poolSize: number) =>
  ({ db: { poolSize, connectTimeoutMs: 10 } }) as unknown as AppConfig;

const flush = () => new Promise((resolve) => setImmediate(resolve));

function change(userId: string, status: PresenceStatus): PresenceChangedEvent {
  return { userId, status, lastSeen: null, timestamp: '2026-12-05T00:00:00.000Z' };
}

interface Options {
  /** How many reads fail (the database away) before they work again. */
  failReads?: number;
  /** The first read waits for this. */
  firstRead?: Promise<void>;
  poolSize?: number;
  /** How many admissions are refused (UNAVAILABLE) before they are granted. */
  refusals?: number;
}

/** Who shares a chat with whom, a log of the reads, and of what was sent to which rooms. */
function setup(
  peersOf: Record<string, string[]>,
  { failReads = 0, firstRead = Promise.resolve(), poolSize = 2, refusals = 0 }: Options = {},
) {
  const reads: string[][] = [];
  const sent: { rooms: string[]; userId: string; status: string }[] = [];
  let failures = failReads;
  const chats = {
    coMembersOf: async (userIds: string[]) => {
      reads.push(userIds);
      if (reads.length === 1) await firstRead;
      if (failures-- > 0) throw new Error('database down');
      return new Map(userIds.filter((u) => peersOf[u]).map((u) => [u, peersOf[u]]));
    },
  } as unknown as ChatService;
  const nsp = {
    to: (rooms: string[]) => ({
      emit: (_event: string, payload: { userId: string; status: string }) =>
        sent.push({ rooms, userId: payload.userId, status: payload.status }),
    }),
  } as unknown as Namespace;
  const admission = new DatabaseAdmission(poolOf(poolSize));
  let refused = refusals;
  const run = admission.run.bind(admission);
  admission.run = <T>(work: () => Promise<T>) =>
    refused-- > 0 ? Promise.reject(new DomainException(ErrorCode.Unavailable)) : run(work);
  const realtime = new PresenceRealtime(chats, admission);
  realtime.bind(nsp);
  return { realtime, admission, reads, sent };
}

describe('PresenceRealtime', () => {
  it('reads the co-members of the changes that arrived meanwhile in one query', async () => {
    const { realtime, admission, reads, sent } = setup({ a: ['b'], c: ['d', 'e'] });
    // The admission's one slot is busy (a join): the changes gather until it is their turn.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const busy = admission.run(() => released);
    await flush();
    realtime.changed(change('a', 'online'));
    await flush();
    realtime.changed(change('c', 'online'));
    realtime.changed(change('x', 'online'));
    release();
    await busy;
    await flush();
    expect(reads).toEqual([['a', 'c', 'x']]);
    // Each change goes to its own user's co-members and watchers, and nobody else's.
    expect(sent).toEqual([
      { rooms: ['user:b', 'watch:a'], userId: 'a', status: 'online' },
      { rooms: ['user:d', 'user:e', 'watch:c'], userId: 'c', status: 'online' },
      { rooms: ['watch:x'], userId: 'x', status: 'online' },
    ]);
  });

  it("sends a user's latest status, after what was already being read", async () => {
    let release!: () => void;
    const firstRead = new Promise<void>((resolve) => (release = resolve));
    const { realtime, reads, sent } = setup({ a: ['b'] }, { firstRead, poolSize: 10 });
    realtime.changed(change('a', 'online'));
    await flush();
    // While that read runs: two more changes, of which only the last is still true.
    realtime.changed(change('a', 'offline'));
    realtime.changed(change('a', 'away'));
    await flush();
    // Admission has room for more reads, but the next waits for this one.
    expect(reads).toEqual([['a']]);
    release();
    for (let i = 0; i < 5; i += 1) await flush();
    expect(reads).toEqual([['a'], ['a']]);
    expect(sent.map((s) => s.status)).toEqual(['online', 'away']);
  });

  it('lets the joins waiting for admission go before what arrived during its read', async () => {
    let release!: () => void;
    const firstRead = new Promise<void>((resolve) => (release = resolve));
    const { realtime, admission, reads } = setup({}, { firstRead });
    const order: string[] = [];
    realtime.changed(change('a', 'online'));
    await flush();
    const join = admission.run(() =>
      Promise.resolve(void order.push(`join after ${reads.length}`)),
    );
    realtime.changed(change('b', 'online'));
    release();
    await join;
    for (let i = 0; i < 5; i += 1) await flush();
    expect(order).toEqual(['join after 1']);
    expect(reads).toEqual([['a'], ['b']]);
  });

  it('reads at most 1000 users per query', async () => {
    const { realtime, reads, sent } = setup({});
    const users = Array.from({ length: 2500 }, (_, i) => `u${i}`);
    for (const user of users) realtime.changed(change(user, 'online'));
    for (let i = 0; i < 10; i += 1) await flush();
    expect(reads.map((r) => r.length)).toEqual([1000, 1000, 500]);
    expect(sent.map((s) => s.userId)).toEqual(users);
  });

  describe('when the read is refused or fails', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
    });

    it('keeps the changes whose read failed, and reads them again a second later', async () => {
      const { realtime, reads, sent } = setup({ a: ['b'], c: ['d'] }, { failReads: 1 });
      realtime.changed(change('a', 'online'));
      for (let i = 0; i < 3; i += 1) await flush();
      expect(reads).toEqual([['a']]);
      // Meanwhile another change: it waits with the first, no read is tried before the second.
      realtime.changed(change('c', 'online'));
      jest.advanceTimersByTime(999);
      for (let i = 0; i < 3; i += 1) await flush();
      expect(reads).toEqual([['a']]);
      jest.advanceTimersByTime(1);
      for (let i = 0; i < 5; i += 1) await flush();
      expect(reads).toEqual([['a'], ['a', 'c']]);
      expect(sent.map((s) => s.userId)).toEqual(['a', 'c']);
    });

    it('keeps the changes when admission refuses the read, and tries once a second', async () => {
      const { realtime, reads, sent, admission } = setup({ a: ['b'] }, { refusals: 1 });
      const tries = jest.spyOn(admission, 'run');
      realtime.changed(change('a', 'online'));
      await flush();
      realtime.changed(change('a', 'away'));
      await flush();
      expect(tries).toHaveBeenCalledTimes(1);
      expect(reads).toEqual([]);
      jest.advanceTimersByTime(1000);
      for (let i = 0; i < 5; i += 1) await flush();
      expect(tries).toHaveBeenCalledTimes(2);
      expect(reads).toEqual([['a']]);
      expect(sent).toEqual([{ rooms: ['user:b', 'watch:a'], userId: 'a', status: 'away' }]);
    });

    it('stops trying when the app shuts down', async () => {
      const { realtime, reads } = setup({ a: ['b'] }, { failReads: 1 });
      realtime.changed(change('a', 'online'));
      for (let i = 0; i < 3; i += 1) await flush();
      realtime.onModuleDestroy();
      jest.advanceTimersByTime(5000);
      for (let i = 0; i < 3; i += 1) await flush();
      expect(reads).toEqual([['a']]);
    });
  });
});
