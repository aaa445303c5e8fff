/**
 * Answers 1 when `ping` succeeds within `timeoutMs`, 0 when it fails or is late. Scrapes that
 * overlap share one ping, so a hung backing store is never pinged faster than it answers.
 */
export class UpProbe {
  private attempt?: Promise<0 | 1>;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly timeoutMs: number,
  ) {}

  check(): Promise<0 | 1> {
    if (!this.attempt) {
      const attempt = new Promise((resolve) => resolve(this.ping())).then(
        () => 1 as const,
        () => 0 as const,
      );
      this.attempt = attempt;
      void attempt.then(() => {
        if (this.attempt === attempt) this.attempt = undefined;
      });
    }
    return within(this.attempt, this.timeoutMs, 0);
  }
}

function within<T>(promise: Promise<T>, timeoutMs: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, late);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
