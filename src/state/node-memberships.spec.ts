import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { MemoryStateStore } from './memory-state.store.js';
import { NodeMemberships } from './node-memberships.js';
import { StateStore } from './state-store.js';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const config = (nodeTtlMs: number) =>
  ({ presence: { nodeTtlMs, ttlMs: 1000, graceMs: 0 } }) as unknown as AppConfig;

describe('NodeMemberships', () => {
  it('counts holders per node and shares the member while any holds it', async () => {
    const store = new MemoryStateStore();
    const [a, b] = [
      new NodeMemberships(store, config(10_000)),
      new NodeMemberships(store, config(10_000)),
    ];
    expect(await a.hold('k', 'u1')).toBe(true);
    expect(await a.hold('k', 'u1')).toBe(false);
    expect(await b.hold('k', 'u1')).toBe(true);
    expect(await a.members(['k'])).toEqual([['u1']]);
    expect([...a.heldHere('k')]).toEqual([['u1', 2]]);
    expect(await a.release('k', 'u1')).toBe(false);
    expect([...a.heldHere('k')]).toEqual([['u1', 1]]);
    expect(await a.release('k', 'u1')).toBe(true);
    expect(a.heldHere('k').size).toBe(0);
    expect([...b.heldHere('k')]).toEqual([['u1', 1]]);
    expect(await a.members(['k'])).toEqual([['u1']]);
    await b.release('k', 'u1');
    expect(await a.members(['k'])).toEqual([[]]);
    a.onModuleDestroy();
    b.onModuleDestroy();
  });

  it('keeps what a live node holds beyond its TTL, and drops what a dead node held after it', async () => {
    const store = new MemoryStateStore();
    const live = new NodeMemberships(store, config(300));
    const dead = new NodeMemberships(store, config(300));
    await live.hold('k', 'alive');
    await dead.hold('k', 'crashed');
    dead.onModuleDestroy(); // stops renewing, as a killed process would
    await wait(500);
    expect(await live.members(['k'])).toEqual([['alive']]);
    live.onModuleDestroy();
  });

  it('puts back, on renewal, what a failed store write missed', async () => {
    const store = new MemoryStateStore();
    const flaky = Object.create(store) as MemoryStateStore;
    let down = true;
    flaky.addMembers = (entries, ttl) =>
      down ? Promise.reject(new Error('store away')) : store.addMembers(entries, ttl);
    const node = new NodeMemberships(flaky, config(300));
    await expect(node.hold('k', 'u')).rejects.toThrow('store away');
    down = false;
    await wait(150);
    expect(await node.members(['k'])).toEqual([['u']]);
    node.onModuleDestroy();
  });

  it('puts back at once, when the store comes back, what it lost while away', async () => {
    const store = new RestartingStore();
    // Renewal every 20 s: only the store's coming back can explain an entry back within the test.
    const node = new NodeMemberships(store, config(60_000));
    await node.hold('k', 'u');
    store.restartEmpty();
    await wait(20);
    expect(await node.members(['k'])).toEqual([['u']]);
    node.onModuleDestroy();
  });

  it('does not put back a member released while an earlier batch of renewals was written', async () => {
    const store = new RestartingStore();
    const node = new NodeMemberships(store, config(60_000));
    const members = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    for (const member of members) await node.hold('k', member);
    store.restartEmpty();
    // The first 1000 are being written; the last is released before its batch goes out.
    await node.release('k', 'u1000');
    await wait(20);
    const [held] = await node.members(['k']);
    expect(held).toHaveLength(1000);
    expect(held).not.toContain('u1000');
    node.onModuleDestroy();
  });
});

/** A store whose server can restart with nothing in it, telling its listeners when it is back. */
class RestartingStore extends StateStore {
  private inner = new MemoryStateStore();
  private readonly listeners: (() => void)[] = [];

  restartEmpty(): void {
    this.inner = new MemoryStateStore();
    for (const listener of this.listeners) listener();
  }

  onRestored(listener: () => void): void {
    this.listeners.push(listener);
  }
  addMembers(entries: { key: string; member: string }[], ttlMs: number): Promise<void> {
    return this.inner.addMembers(entries, ttlMs);
  }
  removeMember(key: string, member: string): Promise<void> {
    return this.inner.removeMember(key, member);
  }
  members(keys: string[]): Promise<string[][]> {
    return this.inner.members(keys);
  }
  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.inner.set(key, value, ttlMs);
  }
  get(keys: string[]): Promise<(string | null)[]> {
    return this.inner.get(keys);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  swap(key: string, value: string): Promise<string | null> {
    return this.inner.swap(key, value);
  }
}
