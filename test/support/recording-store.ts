import { MemoryStateStore } from '../../src/state/memory-state.store.js';

/** The memory store, counting writes, failing them while `down`, and able to say it is back. */
export class RecordingStore extends MemoryStateStore {
  writes: { entries: { key: string; member: string }[]; ttlMs: number }[] = [];
  down = false;
  private restored: (() => void)[] = [];

  override addMembers(entries: { key: string; member: string }[], ttlMs: number): Promise<void> {
    // Memberships renew with nothing held here; as the Redis store, that writes nothing.
    if (entries.length === 0) return Promise.resolve();
    this.writes.push({ entries, ttlMs });
    if (this.down) return Promise.reject(new Error('store down'));
    return super.addMembers(entries, ttlMs);
  }

  // The memory store's own takes no listener (it is never away); this one keeps them.
  override onRestored(listener?: () => void): void {
    if (listener) this.restored.push(listener);
  }

  restore(): void {
    this.down = false;
    for (const listener of this.restored) listener();
  }
}
