import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppConfig } from '../../config/app-config.js';
import { NodeMemberships } from '../../state/node-memberships.js';
import { RecordingStore } from '../../../test/support/recording-store.js';
import { PresenceService } from './presence.service.js';
import { PresenceDomainEvent, type PresenceChangedEvent } from './presence.types.js';

/**
 * Also fails removals while down, and, while `refusePresent`, writes to the present set (while
 * `refuseLeaving`, removals from it; while `refuseReads`, reads of sets).
 */
class FlakyStore extends RecordingStore {
  refusePresent = false;
  refuseLeaving = false;
  refuseReads = false;

  override members(keys: string[]): Promise<string[][]> {
    if (this.refuseReads) return Promise.reject(new Error('Command timed out'));
    return super.members(keys);
  }

  override addMembers(entries: { key: string; member: string }[], ttlMs: number): Promise<void> {
    if (this.refusePresent && entries.some((e) => e.key === 'presence:present')) {
      return Promise.reject(new Error('Command timed out'));
    }
    return super.addMembers(entries, ttlMs);
  }

  override removeMember(key: string, member: string): Promise<void> {
    if (this.down) return Promise.reject(new Error('store down'));
    if (this.refuseLeaving && key === 'presence:present') {
      return Promise.reject(new Error('Command timed out'));
    }
    return super.removeMember(key, member);
  }
}

const config = {
  presence: { graceMs: 100, ttlMs: 1000, nodeTtlMs: 60_000 },
} as AppConfig;

/** Lets the store's promises and the per-user queue run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('PresenceService', () => {
  let store: FlakyStore;
  let memberships: NodeMemberships;
  let presence: PresenceService;
  let announced: [string, string][];
  let changes: PresenceChangedEvent[];

  beforeEach(() => {
    store = new FlakyStore();
    memberships = new NodeMemberships(store, config);
    const events = new EventEmitter2();
    announced = [];
    changes = [];
    events.on(PresenceDomainEvent.StatusChanged, (e: PresenceChangedEvent) => {
      announced.push([e.userId, e.status]);
      changes.push(e);
    });
    presence = new PresenceService(store, memberships, config, events);
    presence.onModuleInit();
  });
  afterEach(async () => {
    await presence.onModuleDestroy();
    memberships.onModuleDestroy();
  });

  /** A second node on the same store, with what it announces; `close` stops it. */
  function anotherNode(nodeConfig: AppConfig) {
    const nodeMemberships = new NodeMemberships(store, nodeConfig);
    const events = new EventEmitter2();
    const seen: [string, string][] = [];
    events.on(PresenceDomainEvent.StatusChanged, (e: PresenceChangedEvent) =>
      seen.push([e.userId, e.status]),
    );
    const service = new PresenceService(store, nodeMemberships, nodeConfig, events);
    const close = async (): Promise<void> => {
      await service.onModuleDestroy();
      nodeMemberships.onModuleDestroy();
    };
    return { service, seen, close };
  }

  const connect = (userId: string): void =>
    presence.connected({ userId, socketId: `s-${userId}`, namespace: '/chat' });

  it('announces a user online when they connect', async () => {
    connect('u1');
    await settle();
    expect(announced).toEqual([['u1', 'online']]);
  });

  it('announces a user who connected while the store was away once it is back', async () => {
    store.down = true;
    connect('u1');
    await settle();
    expect(announced).toEqual([]);
    store.restore();
    await settle();
    expect(announced).toEqual([['u1', 'online']]);
  });

  it('announces, once the store is back, a change whose status was swapped but not announced', async () => {
    store.refusePresent = true;
    connect('u1');
    await settle();
    expect(announced).toEqual([]);
    store.refusePresent = false;
    store.restore();
    await settle();
    expect(announced).toEqual([['u1', 'online']]);
  });

  it('announces after the next renewal a user whose hold failed while the store stayed connected', async () => {
    // Renewals every 100 ms, in a service of its own.
    const quick = { presence: { ...config.presence, nodeTtlMs: 300 } } as AppConfig;
    const { service, seen, close } = anotherNode(quick);
    service.onModuleInit();
    try {
      store.down = true;
      service.connected({ userId: 'u2', socketId: 's-u2', namespace: '/chat' });
      await settle();
      // Back without a restore: the store refused the write, and the connection stayed open.
      store.down = false;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(seen).toEqual([['u2', 'online']]);
    } finally {
      await close();
    }
  });

  /** Two sockets of the user, the first's hold failed: held here twice, written nowhere yet. */
  const connectTwiceAfterAFailedHold = async (userId: string): Promise<void> => {
    store.down = true;
    connect(userId);
    await settle();
    store.down = false;
    connect(userId);
    await settle();
  };

  it('counts a socket here whose hold is not in the store yet as connected', async () => {
    await connectTwiceAfterAFailedHold('u1');
    expect(announced).toEqual([['u1', 'online']]);
  });

  it('rechecks after the renewal a user it counted as connected before their hold was written', async () => {
    await connectTwiceAfterAFailedHold('u1');
    // Another node, reading the store (no hold yet), announced the user offline meanwhile.
    await store.swap('presence:status:u1', 'offline');
    await memberships['refresh']();
    await settle();
    expect(announced).toEqual([
      ['u1', 'online'],
      ['u1', 'online'],
    ]);
  });

  const disconnect = (userId: string): void =>
    presence.disconnected({ userId, socketId: `s-${userId}`, namespace: '/chat' });
  /** Waits out the grace period, and lets what it set off run. */
  const afterGrace = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, config.presence.graceMs + 50));
    await settle();
  };
  const ONLINE_THEN_OFFLINE = [
    ['u1', 'online'],
    ['u1', 'offline'],
  ];

  it('keeps a user online everywhere during the grace period after their last socket closed', async () => {
    connect('u1');
    await settle();
    disconnect('u1');
    await settle();
    // Any node's lookup or sweep reads the store: the hold is still in it.
    const [held] = await memberships.members(['presence:conn:u1']);
    expect(held).toEqual(['u1']);
    expect((await presence.of(['u1']))[0].status).toBe('online');
    await presence.sweep();
    await settle();
    expect(announced).toEqual([['u1', 'online']]);
  });

  it('announces offline after the grace period, with the time the socket closed as lastSeen', async () => {
    connect('u1');
    await settle();
    const closedAt = Date.now();
    disconnect('u1');
    await afterGrace();
    expect(announced).toEqual(ONLINE_THEN_OFFLINE);
    const offline = changes.find((e) => e.status === 'offline')!;
    expect(Date.parse(offline.lastSeen!)).toBeGreaterThanOrEqual(closedAt - 5);
    expect(Date.parse(offline.lastSeen!)).toBeLessThan(closedAt + config.presence.graceMs);
    expect((await presence.of(['u1']))[0]).toEqual({
      userId: 'u1',
      status: 'offline',
      lastSeen: offline.lastSeen,
    });
  });

  it('lets the holds of a grace period go when the node shuts down', async () => {
    connect('u1');
    await settle();
    disconnect('u1');
    await settle();
    await presence.onModuleDestroy();
    const [held] = await memberships.members(['presence:conn:u1']);
    expect(held).toEqual([]);
  });

  it('lets the hold of a socket that closes while the node shuts down go at once', async () => {
    connect('u1');
    await settle();
    await presence.onModuleDestroy();
    disconnect('u1');
    await settle();
    const [held] = await memberships.members(['presence:conn:u1']);
    expect(held).toEqual([]);
  });

  it('keeps the close time for lastSeen when the offline announcement fails after the release', async () => {
    connect('u1');
    await settle();
    const closedAt = Date.now();
    store.refuseLeaving = true;
    disconnect('u1');
    await afterGrace();
    expect(announced).toEqual([['u1', 'online']]);
    store.refuseLeaving = false;
    await memberships['refresh']();
    await settle();
    expect(announced).toEqual(ONLINE_THEN_OFFLINE);
    const offline = changes.find((e) => e.status === 'offline')!;
    expect(Date.parse(offline.lastSeen!)).toBeLessThan(closedAt + config.presence.graceMs);
  });

  it('announces offline once when the store fails just after the announcement', async () => {
    connect('u1');
    await settle();
    // The re-read that follows the announcement fails.
    presence['events'].on(PresenceDomainEvent.StatusChanged, (e: PresenceChangedEvent) => {
      if (e.status === 'offline') store.refuseReads = true;
    });
    disconnect('u1');
    await afterGrace();
    store.refuseReads = false;
    await memberships['refresh']();
    await settle();
    expect(announced).toEqual(ONLINE_THEN_OFFLINE);
  });

  it('lets a socket that connects within the grace period take the hold over', async () => {
    connect('u1');
    await settle();
    disconnect('u1');
    await settle();
    connect('u1');
    await afterGrace();
    expect(announced).toEqual([['u1', 'online']]);
    // Held once, by the new socket: its close is the last one.
    expect(memberships.heldHere('presence:conn:u1').get('u1')).toBe(1);
    disconnect('u1');
    await afterGrace();
    expect(announced).toEqual(ONLINE_THEN_OFFLINE);
  });

  it('announces offline a user online for weeks once their node is gone', async () => {
    const DAY = 24 * 3600 * 1000;
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    // Another node, sweeping the same store.
    const { service: other, seen, close } = anotherNode(config);
    try {
      connect('u1');
      await settle();
      for (let day = 1; day <= 10; day += 1) {
        now += DAY;
        await memberships['refresh']();
        await other.sweep();
        await settle();
      }
      expect(seen).toEqual([]);
      // This node is gone: its hold runs out unrenewed, and the other node's sweep sees it.
      now += 2 * config.presence.nodeTtlMs;
      await other.sweep();
      await settle();
      expect(seen).toEqual([['u1', 'offline']]);
    } finally {
      clock.mockRestore();
      await close();
    }
  });

  it('takes a user announced offline already out of the present set when a sweep finds them there', async () => {
    // Renewed by a sweep that read them online just before their node announced them offline.
    await store.addMembers([{ key: 'presence:present', member: 'u9' }], 60_000);
    await store.swap('presence:status:u9', 'offline');
    await presence.sweep();
    await settle();
    expect(await store.members(['presence:present'])).toEqual([[]]);
    expect(announced).toEqual([]);
  });

  it('announces offline, once the store is back, a user who left while it was away', async () => {
    connect('u1');
    await settle();
    store.down = true;
    const closedAt = Date.now();
    disconnect('u1');
    await afterGrace();
    store.restore();
    await settle();
    expect(announced).toEqual(ONLINE_THEN_OFFLINE);
    // When the socket closed, not when the store came back.
    const offline = changes.find((e) => e.status === 'offline')!;
    expect(Date.parse(offline.lastSeen!)).toBeLessThan(closedAt + config.presence.graceMs);
  });
});
