import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './servers.mjs';

/** The load-generator processes (bench/load-worker.mjs) and a request/response over their IPC. */
export class WorkerPool {
  /** @param {number} size */
  constructor(size) {
    /** @type {import('node:child_process').ChildProcess[]} */
    this.children = [];
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
    this.waiting = new Map();
    this.next = 0;
    /** Hears the workers' progress reports (`{ type: 'progress', … }`) of long operations. */
    /** @type {((worker: number, message: any) => void) | null} */
    this.onProgress = null;
    for (let i = 0; i < size; i++) {
      const child = fork(join(ROOT, 'bench', 'load-worker.mjs'), [], {
        cwd: ROOT,
        // Typed arrays of samples cross the channel as such, not as JSON.
        serialization: 'advanced',
        execArgv: ['--max-old-space-size=4096'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (/** @type {any} */ message) => {
        if (message.type === 'progress') return this.onProgress?.(i, message);
        const waiter = this.waiting.get(message.id);
        if (!waiter) return;
        this.waiting.delete(message.id);
        if (message.ok) waiter.resolve(message.result);
        else waiter.reject(new Error(`load worker ${i}: ${message.error}`));
      });
      child.on('exit', (code, signal) => {
        for (const [id, waiter] of this.waiting) {
          waiter.reject(new Error(`load worker ${i} exited (${code ?? signal})`));
          this.waiting.delete(id);
        }
      });
      this.children.push(child);
    }
  }

  get size() {
    return this.children.length;
  }

  /** @returns {number[]} */
  get pids() {
    return this.children.map((c) => /** @type {number} */ (c.pid));
  }

  /**
   * @param {number} worker @param {string} op @param {object} args
   * @returns {Promise<any>}
   */
  call(worker, op, args) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.children[worker].send({ id, op, args });
    });
  }

  /**
   * The same operation on every worker, with per-worker arguments (null: skip that worker).
   * @param {string} op @param {(worker: number) => object | null} argsOf
   * @returns {Promise<any[]>} results of the workers that ran it
   */
  async all(op, argsOf) {
    const calls = [];
    for (let w = 0; w < this.size; w++) {
      const args = argsOf(w);
      if (args) calls.push(this.call(w, op, args));
    }
    return Promise.all(calls);
  }

  async close() {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.disconnect();
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
  }
}

/**
 * Splits items round-robin over `n` workers (worker w gets items w, w+n, w+2n, …).
 * @template T @param {T[]} items @param {number} n @param {number} [offset]
 * @returns {T[][]}
 */
export function spread(items, n, offset = 0) {
  /** @type {T[][]} */
  const parts = Array.from({ length: n }, () => []);
  items.forEach((item, i) => parts[(i + offset) % n].push(item));
  return parts;
}
