/**
 * Per key, one flush at a time: the items added while a key's flush runs wait, and all go in its
 * next flush, in the order they were added. Nothing waits when the key is idle, so a quiet key
 * costs what a direct call would; a busy one costs a flush per round trip, not one per item.
 * `add` settles as the flush that carried its item does. A flush that fails fails only its own
 * items: the key takes the next ones as usual.
 */
export class KeyedBatcher<T> {
  /** Keys with a flush running, and the items waiting for it (null: none yet). */
  private readonly waiting = new Map<string, Batch<T> | null>();

  constructor(private readonly flush: (key: string, items: T[]) => Promise<void>) {}

  add(key: string, item: T): Promise<void> {
    if (this.waiting.has(key)) {
      const batch = this.waiting.get(key) ?? new Batch<T>();
      this.waiting.set(key, batch);
      return batch.add(item);
    }
    const first = new Batch<T>();
    const carried = first.add(item);
    this.waiting.set(key, null);
    void this.run(key, first);
    return carried;
  }

  /** Keys with a flush running (for tests). */
  get size(): number {
    return this.waiting.size;
  }

  private async run(key: string, first: Batch<T>): Promise<void> {
    for (let next: Batch<T> | null = first; next;) {
      const batch = next;
      // A flush that throws before its first await still settles its batch.
      await Promise.resolve()
        .then(() => this.flush(key, batch.items))
        .then(
          () => batch.settle(),
          (error: unknown) => batch.settle(error, true),
        );
      next = this.waiting.get(key) ?? null;
      if (next) this.waiting.set(key, null);
      else this.waiting.delete(key);
    }
  }
}

class Batch<T> {
  readonly items: T[] = [];
  private readonly waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  add(item: T): Promise<void> {
    this.items.push(item);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  settle(error?: unknown, failed = false): void {
    for (const waiter of this.waiters) {
      if (failed) waiter.reject(error);
      else waiter.resolve();
    }
  }
}
