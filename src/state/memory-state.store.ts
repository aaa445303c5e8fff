import { StateStore } from './state-store.js';

/** The state of a single node, in memory (the default without REDIS_URL). */
export class MemoryStateStore extends StateStore {
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly values = new Map<string, { value: string; until: number }>();

  addMembers(entries: { key: string; member: string }[], ttlMs: number): Promise<void> {
    const until = Date.now() + ttlMs;
    for (const { key, member } of entries) {
      const set = this.sets.get(key) ?? new Map<string, number>();
      set.set(member, until);
      this.sets.set(key, set);
    }
    return Promise.resolve();
  }

  removeMember(key: string, member: string): Promise<void> {
    const set = this.sets.get(key);
    set?.delete(member);
    if (set?.size === 0) this.sets.delete(key);
    return Promise.resolve();
  }

  members(keys: string[]): Promise<string[][]> {
    const now = Date.now();
    return Promise.resolve(
      keys.map((key) => {
        const set = this.sets.get(key);
        if (!set) return [];
        for (const [member, until] of set) if (until <= now) set.delete(member);
        if (set.size === 0) this.sets.delete(key);
        return [...set.keys()];
      }),
    );
  }

  set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.values.set(key, { value, until: ttlMs ? Date.now() + ttlMs : Infinity });
    return Promise.resolve();
  }

  get(keys: string[]): Promise<(string | null)[]> {
    return Promise.resolve(keys.map((key) => this.live(key)));
  }

  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }

  swap(key: string, value: string): Promise<string | null> {
    const previous = this.live(key);
    this.values.set(key, { value, until: Infinity });
    return Promise.resolve(previous);
  }

  /** Memory is never out of reach. */
  onRestored(): void {}

  private live(key: string): string | null {
    const entry = this.values.get(key);
    if (!entry) return null;
    if (entry.until > Date.now()) return entry.value;
    this.values.delete(key);
    return null;
  }
}
