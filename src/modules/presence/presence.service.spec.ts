import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppConfig } from '../../config/app-config.js';
import { NodeMemberships } from '../../state/node-memberships.js';
import { RecordingStore } from '../../../test/support/recording-store.js';
import { PresenceService } from './presence.service.js';
import { PresenceDomainEvent, type PresenceChangedEvent } from './presence.types.js';

const config = {
  presence: { graceMs: 100, ttlMs: 1000, nodeTtlMs: 60_000 },
} as AppConfig;

/** Lets the store's promises and the per-user queue run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('PresenceService', () => {
  let store: RecordingStore;
  let memberships: NodeMemberships;
  let presence: PresenceService;
  let announced: [string, string][];

  beforeEach(() => {
    store = new RecordingStore();
    memberships = new NodeMemberships(store, config);
    const events = new EventEmitter2();
    announced = [];
    events.on(PresenceDomainEvent.StatusChanged, (e: PresenceChangedEvent) =>
      announced.push([e.userId, e.status]),
    );
    presence = new PresenceService(store, memberships, config, events);
    presence.onModuleInit();
  });
  afterEach(() => {
    presence.onModuleDestroy();
    memberships.onModuleDestroy();
  });

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
});
