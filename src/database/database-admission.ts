import { Injectable } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { AppConfig } from '../config/app-config.js';

/**
 * Admits work that arrives in storms (every client reconnecting at once: joinChat, and the
 * presence fan-out of each coming online) a few at a time, so the pool's queue stays short.
 * Unadmitted, thousands of such requests queue for the pool together: each waits behind all
 * the others, past the pool's checkout timeout, and answers UNAVAILABLE while the database sits
 * idle, and the clients' retries keep it so. Admitted, each takes a few milliseconds and the rest
 * wait in memory, for as long as it takes. Half the pool: a join reads up to three queries at
 * once, and requests of other kinds keep connections to go on with.
 */
@Injectable()
export class DatabaseAdmission {
  private readonly limit: LimitFunction;

  constructor(config: AppConfig) {
    this.limit = pLimit(Math.max(1, Math.floor(config.db.poolSize / 2)));
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.limit(work);
  }

  /** Admitted work waiting for its turn (for tests and metrics). */
  get waiting(): number {
    return this.limit.pendingCount;
  }
}
