/**
 * Remembers facts that never change once they exist (which order owns a chat, who an order's
 * parties are), up to `max` entries, forgetting the least recently used first. Values are kept as promises, so
 * concurrent look-ups of one key share one load and resolve in call order. A load that fails or
 * finds nothing (null) is not kept.
 */
export class ImmutableCache<K, V> {
  private readonly entries = new Map<K, Promise<V | null>>();

  constructor(private readonly max: number) {}

  get(key: K, load: () => Promise<V | null>): Promise<V | null> {
    const cached = this.entries.get(key);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the key as the most recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const loaded = load();
    this.entries.set(key, loaded);
    const forget = (): void => {
      if (this.entries.get(key) === loaded) this.entries.delete(key);
    };
    loaded.then((value) => value === null && forget(), forget);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return loaded;
  }

  get size(): number {
    return this.entries.size;
  }
}
