/**
 * Per key, one flush at a time: the items added while a key's flush runs wait, and go in its
 * next flushes, in the order they were added, at most `maxItems` to a flush. Nothing waits when
 * the key is idle, so a quiet key costs what a direct call would; a busy one costs a flush per
 * round trip, not one per item. `add` settles as the flush that carried its item does. A flush
 * that fails fails only its own items: the key takes the next ones as usual.
 */
export class KeyedBatcher<T> {
  /** Keys with a flush running, and the batches waiting for it, oldest first. */
  private readonly waiting = new Map<string, Batch<T>[]>();
  /** Per busy key, who waits for it to be idle. */
  private readonly idlers = new Map<string, (() => void)[]>();

  constructor(
    private readonly flush: (key: string, items: T[]) => Promise<void>,
    private readonly maxItems = 256,
  ) {}

  add(key: string, item: T): Promise<void> {
    const queue = this.waiting.get(key);
    if (queue) {
      let last = queue.at(-1);
      if (!last || last.items.length >= this.maxItems) queue.push((last = new Batch<T>()));
      return last.add(item);
    }
    const first = new Batch<T>();
    const carried = first.add(item);
    this.waiting.set(key, []);
    void this.run(key, first);
    return carried;
  }

  /** Settles once the key has no flush running or waiting (at once when it has none). */
  whenIdle(key: string): Promise<void> {
    if (!this.waiting.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const idlers = this.idlers.get(key);
      if (idlers) idlers.push(resolve);
      else this.idlers.set(key, [resolve]);
    });
  }

  /** Keys with a flush running (for tests). */
  get size(): number {
    return this.waiting.size;
  }

  private async run(key: string, first: Batch<T>): Promise<void> {
    for (let batch: Batch<T> | undefined = first; batch;) {
      const current: Batch<T> = batch;
      // A flush that throws before its first await still settles its batch.
      await Promise.resolve()
        .then(() => this.flush(key, current.items))
        .then(
          () => current.settle(),
          (error: unknown) => current.settle(error, true),
        );
      batch = this.waiting.get(key)?.shift();
      if (!batch) this.waiting.delete(key);
    }
    for (const idle of this.idlers.get(key) ?? []) idle();
    this.idlers.delete(key);
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
