import { Injectable } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { DomainException } from '../common/errors/domain.exception.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AppConfig } from '../config/app-config.js';

/** Waiting admissions per pool connection beyond which new ones are refused at once. */
const WAITING_PER_CONNECTION = 1000;
/**
 * How long a request may wait for admission before it is refused: ten pool checkout timeouts,
 * and at least 30 s (a storm of thousands takes that long to admit on a small machine).
 */
const WAIT_IN_TIMEOUTS = 10;
const MIN_WAIT_MS = 30_000;

/**
 * Admits work that arrives in storms (every client reconnecting at once: joinChat, and the
 * presence fan-out of their coming online) a few at a time, so the pool's queue stays short.
 * Unadmitted, thousands of such requests queue for the pool together: each waits behind all
 * the others, past the pool's checkout timeout, and answers UNAVAILABLE while the database sits
 * idle, and the clients' retries keep it so. Admitted, each takes a few milliseconds and the rest
 * wait in memory. Half the pool at a time, so other requests still find connections. Waiting is
 * bounded: in number (then UNAVAILABLE at once) and in time (when the database is down, waiting
 * longer helps nobody); work no longer wanted (its socket gone) is dropped when its turn comes.
 */
@Injectable()
export class DatabaseAdmission {
  private readonly limit: LimitFunction;
  private readonly maxWaiting: number;
  private readonly maxWaitMs: number;

  constructor(config: AppConfig) {
    const { poolSize, connectTimeoutMs } = config.db;
    this.limit = pLimit(Math.max(1, Math.floor(poolSize / 2)));
    this.maxWaiting = poolSize * WAITING_PER_CONNECTION;
    this.maxWaitMs = Math.max(MIN_WAIT_MS, connectTimeoutMs * WAIT_IN_TIMEOUTS);
  }

  run<T>(work: () => Promise<T>, stillWanted: () => boolean = () => true): Promise<T> {
    if (this.limit.pendingCount >= this.maxWaiting) {
      return Promise.reject(new DomainException(ErrorCode.Unavailable));
    }
    const queuedAt = Date.now();
    return this.limit(() => {
      if (Date.now() - queuedAt > this.maxWaitMs || !stillWanted()) {
        throw new DomainException(ErrorCode.Unavailable);
      }
      return work();
    });
  }

  /** Admitted work waiting for its turn (for tests and metrics). */
  get waiting(): number {
    return this.limit.pendingCount;
  }
}
