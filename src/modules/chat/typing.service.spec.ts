import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppConfig } from '../../config/app-config.js';
import { NodeMemberships } from '../../state/node-memberships.js';
import { ChatDomainEvent, type TypingEvent } from './chat.events.js';
import { TypingService } from './typing.service.js';
import { RecordingStore } from '../../../test/support/recording-store.js';

const TTL = 10_000;
const ANN = { id: 'u1', name: 'Ann' };

describe('TypingService', () => {
  let store: RecordingStore;
  let events: TypingEvent[];
  let typing: TypingService;
  let tag: (userId: string) => string;
  const nodes: { typing: TypingService; memberships: NodeMemberships }[] = [];

  /** A node's typing service on the shared store; its events go to `events`. */
  const node = (): TypingService => {
    const config = { typingTtlMs: TTL, presence: { nodeTtlMs: 60_000 } } as AppConfig;
    const memberships = new NodeMemberships(store, config);
    const emitter = new EventEmitter2();
    emitter.on(ChatDomainEvent.Typing, (event: TypingEvent) => events.push(event));
    const service = new TypingService(emitter, config, store, memberships);
    nodes.push({ typing: service, memberships });
    return service;
  };

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    store = new RecordingStore();
    events = [];
    typing = node();
    const memberships = nodes[0].memberships;
    tag = (userId) => memberships.tagged(userId);
  });

  afterEach(() => {
    for (const { typing, memberships } of nodes.splice(0)) {
      typing.onModuleDestroy();
      memberships.onModuleDestroy();
    }
    jest.useRealTimers();
  });

  /** Lets a rejected store write reach its handler. */
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('tells the store of a renewing typist at most every half TTL, for a TTL and a half', async () => {
    typing.set('c1', ANN, true);
    expect(store.writes).toEqual([
      { entries: [{ key: 'chat:typing:c1', member: tag('u1') }], ttlMs: TTL * 1.5 },
    ]);
    for (let i = 0; i < 4; i++) {
      jest.advanceTimersByTime(1000);
      typing.set('c1', ANN, true);
    }
    jest.advanceTimersByTime(999);
    typing.set('c1', ANN, true);
    expect(store.writes).toHaveLength(1);
    // Listed until the timer stops it, a TTL after that last renewal, though the only write
    // is more than a TTL old by then.
    jest.advanceTimersByTime(TTL - 1);
    expect(await typing.typingIn('c1')).toEqual(['u1']);
    jest.advanceTimersByTime(1);
    expect(await typing.typingIn('c1')).toEqual([]);
    expect(events.map((e) => e.isTyping)).toEqual([true, false]);
  });

  it('writes again once half a TTL has passed since the last write', () => {
    typing.set('c1', ANN, true);
    jest.advanceTimersByTime(TTL / 2 - 1);
    typing.set('c1', ANN, true);
    expect(store.writes).toHaveLength(1);
    jest.advanceTimersByTime(1);
    typing.set('c1', ANN, true);
    expect(store.writes).toHaveLength(2);
  });

  it('lists a user typing through two nodes until both have stopped', async () => {
    const other = node();
    typing.set('c1', ANN, true);
    other.set('c1', ANN, true);
    typing.set('c1', ANN, false);
    expect(await other.typingIn('c1')).toEqual(['u1']);
    other.set('c1', ANN, false);
    expect(await typing.typingIn('c1')).toEqual([]);
  });

  it('renews the timer: a typist stops a TTL after the last renewal, not the first', async () => {
    typing.set('c1', ANN, true);
    jest.advanceTimersByTime(TTL - 1000);
    typing.set('c1', ANN, true);
    jest.advanceTimersByTime(TTL - 1);
    expect(events).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(events).toEqual([
      { chatId: 'c1', userId: 'u1', userName: 'Ann', isTyping: true },
      { chatId: 'c1', userId: 'u1', userName: 'Ann', isTyping: false },
    ]);
    expect(await typing.typingIn('c1')).toEqual([]);
  });

  it('writes a failed share again at the next renewal, and everyone when the store is back', async () => {
    store.down = true;
    typing.set('c1', ANN, true);
    typing.set('c2', { id: 'u2', name: 'Bo' }, true);
    await settle();
    expect(store.writes).toHaveLength(2);
    store.down = false;
    jest.advanceTimersByTime(100);
    typing.set('c1', ANN, true);
    expect(store.writes).toHaveLength(3);
    expect(await typing.typingIn('c1')).toEqual(['u1']);
    // c2's typist is written when the store says it is back, with c1's.
    store.restore();
    expect(store.writes[3].entries).toEqual([
      { key: 'chat:typing:c1', member: tag('u1') },
      { key: 'chat:typing:c2', member: tag('u2') },
    ]);
    expect(await typing.typingIn('c2')).toEqual(['u2']);
  });

  it('stops at once on isTyping false, and removes the typist from the store', async () => {
    typing.set('c1', ANN, true);
    typing.set('c1', ANN, false);
    expect(await typing.typingIn('c1')).toEqual([]);
    expect(events.map((e) => e.isTyping)).toEqual([true, false]);
    // A renewal after the stop starts (and announces) anew.
    typing.set('c1', ANN, true);
    expect(events.map((e) => e.isTyping)).toEqual([true, false, true]);
  });
});
