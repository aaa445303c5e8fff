/**
 * Runs tasks one at a time per key, in call order, and concurrently across keys. Used where the
 * order in which results are published must follow the order in which they were committed.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `task` once it holds every key. It takes its turn on each key at the call, so what is
   * run on any of them after the call waits for it; and as every call takes all its turns at
   * once, two tasks that share keys cannot wait on each other.
   */
  runAll<T>(keys: string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    if (unique.length === 1) return this.run(unique[0], task);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const turns = unique.map(
      (key) =>
        new Promise<void>((held) => {
          void this.run(key, () => {
            held();
            return done;
          });
        }),
    );
    return Promise.all(turns)
      .then(task)
      .finally(() => release());
  }

  /** Keys with work queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
