import { fork, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sleep } from './clock.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');

/**
 * A module of the built app (`dist/…`), for the bench to use the app's own pieces rather than
 * copies of them. @param {...string} path under dist/ @returns {Promise<any>}
 */
export function fromDist(...path) {
  return import(pathToFileURL(join(ROOT, 'dist', ...path)).href);
}

/**
 * The Node.js flags `npm start` runs the app with (package.json's `start:prod`), given to the app
 * and to the raw server alike: the bench measures what users run, and both on equal terms.
 * @type {string[]}
 */
export const NODE_FLAGS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .scripts['start:prod'].split(/\s+/)
  .filter((/** @type {string} */ arg) => arg.startsWith('--'));

/**
 * Sampling interval of the event-loop delay histograms (prom-client's default in the app, and the
 * raw server's). The histograms record the time between samples, so a free loop reads this much:
 * it is subtracted to report the delay itself.
 */
const ELD_RESOLUTION_MS = 10;

/** A port the kernel says is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls GET `url` until it answers 200, or fails after `timeoutMs`.
 * @param {string} url @param {number} timeoutMs @param {() => boolean} alive
 */
async function waitHealthy(url, timeoutMs, alive) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!alive()) throw new Error(`server exited before answering ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

/**
 * @typedef {object} RunningServer
 * @property {string} name
 * @property {number} pid
 * @property {string} url    base URL, e.g. http://127.0.0.1:4000
 * @property {() => Promise<void>} resetEld   starts an event-loop-delay window
 * @property {() => Promise<number | null>} readEld  p99 (ms) since resetEld; null if unknown
 * @property {() => Promise<void>} stop
 * @property {(path: string) => Promise<boolean>} [profile]  start (path '') or stop-and-write a CPU profile
 */

/**
 * Stops a child: SIGTERM, then SIGKILL after `graceMs`.
 * @param {import('node:child_process').ChildProcess} child @param {number} graceMs
 */
async function terminate(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * The application as a real process: `node dist/src/main.js` with the given environment, its
 * output in `logFile`. With `profiling`, it runs under bench/lib/app-entry.mjs, which can record
 * a CPU profile of a chosen window.
 * @param {{ env: Record<string, string>, logFile: string, profiling?: boolean }} o
 * @returns {Promise<RunningServer>}
 */
export async function startApp(o) {
  const port = await freePort();
  const env = { ...process.env, ...o.env, PORT: String(port), HOST: '127.0.0.1' };
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const main = join(ROOT, 'dist', 'src', 'main.js');
  const child = o.profiling
    ? fork(join(here, 'app-entry.mjs'), [main], {
        cwd: ROOT,
        env,
        execArgv: NODE_FLAGS,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      })
    : spawn(process.execPath, [...NODE_FLAGS, main], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/health`, 120_000, () => child.exitCode === null);
  const eldSeconds = async () => {
    try {
      const text = await (
        await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })
      ).text();
      const line = /^messaging_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
      return line ? Number(line[1]) : null;
    } catch {
      return null;
    }
  };
  return {
    name: 'nest',
    pid: /** @type {number} */ (child.pid),
    url,
    // prom-client resets its event-loop histogram at every scrape: a scrape opens a window.
    resetEld: async () => void (await eldSeconds()),
    readEld: async () => {
      const seconds = await eldSeconds();
      return seconds === null ? null : Math.max(0, seconds * 1000 - ELD_RESOLUTION_MS);
    },
    stop: async () => {
      await terminate(child);
      log.end();
    },
    profile: o.profiling
      ? (path) =>
          new Promise((resolve) => {
            /** @param {any} message */
            const onMessage = (message) => {
              if (message?.type !== 'profile-done') return;
              child.off('message', onMessage);
              resolve(Boolean(message.ok));
            };
            child.on('message', onMessage);
            child.send({ type: path ? 'profile-stop' : 'profile-start', path });
          })
      : undefined,
  };
}

/**
 * The raw Socket.IO baseline (bench/raw-server.mjs).
 * @param {{ secret: string, logFile: string }} o
 * @returns {Promise<RunningServer>}
 */
export async function startRaw(o) {
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const child = fork(join(ROOT, 'bench', 'raw-server.mjs'), [], {
    cwd: ROOT,
    execArgv: NODE_FLAGS,
    env: { ...process.env, PORT: '0', JWT_SECRET: o.secret },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const port = await new Promise((resolve, reject) => {
    child.once('exit', () => reject(new Error('raw server exited at start')));
    child.on('message', (/** @type {any} */ message) => {
      if (message?.type === 'ready') resolve(message.port);
    });
  });
  let calls = 0;
  return {
    name: 'raw',
    pid: /** @type {number} */ (child.pid),
    url: `http://127.0.0.1:${port}`,
    resetEld: () => {
      child.send({ type: 'eld-reset' });
      return Promise.resolve();
    },
    readEld: () =>
      new Promise((resolve) => {
        const id = ++calls;
        /** @param {any} message */
        const onMessage = (message) => {
          if (message?.type !== 'eld' || message.id !== id) return;
          child.off('message', onMessage);
          resolve(Math.max(0, message.p99Ms - ELD_RESOLUTION_MS));
        };
        child.on('message', onMessage);
        child.send({ type: 'eld-read', id });
      }),
    stop: async () => {
      await terminate(child, 3000);
      log.end();
    },
  };
}
