import { settle } from './chat.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = join(import.meta.dirname, '..', '..');
/** Private builds live inside the repository, so that `node_modules` and `"type": "module"` resolve. */
const buildsDir = join(repoRoot, '.e2e-builds');
const orphanGuard = pathToFileURL(join(import.meta.dirname, 'orphan-guard.mjs')).href;

/**
 * Compiles the server into a directory of its own and returns the path of its `main.js`.
 * `nest build` (tsc builder, no plugins or assets in nest-cli.json) is `tsc -p
 * tsconfig.build.json`; running tsc directly with another `--outDir` leaves `dist/` alone, which
 * other suites and `npm start` use. Remove the directory with `removeBuild` when done.
 */
export async function buildServer(name: string): Promise<string> {
  const outDir = join(buildsDir, `${name}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(outDir, { recursive: true });
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(
    process.execPath,
    [tsc, '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', outDir],
    { cwd: repoRoot },
  );
  return join(outDir, 'src', 'main.js');
}

export function removeBuild(mainJs: string): void {
  rmSync(join(mainJs, '..', '..'), { recursive: true, force: true });
  try {
    rmdirSync(buildsDir); // only when no other build is in it
  } catch {
    // another suite's build is still there
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A server process: `node main.js`, its output appended to `logFile`. */
export class NodeProcess {
  private child?: ChildProcess;
  private exit?: Promise<Exit>;

  constructor(
    readonly name: string,
    private readonly mainJs: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  /** Starts the process and waits until `/health/ready` answers 200. */
  async start(readyWithinMs = 30_000): Promise<void> {
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', orphanGuard, this.mainJs], {
      env: {
        PATH: process.env.PATH ?? '',
        ...this.env,
        PORT: String(this.port),
        ORPHAN_GUARD_PARENT_PID: String(process.pid),
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + readyWithinMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting:\n${this.logs()}`);
      if ((await this.readyStatus()) === 200) return;
      await settle(100);
    }
    throw new Error(`${this.name} not ready within ${readyWithinMs} ms:\n${this.logs()}`);
  }

  /** `/health/ready`'s status, or 0 when nothing answers within `timeoutMs`. */
  async readyStatus(timeoutMs = 3000): Promise<number> {
    try {
      const res = await fetch(`${this.url}/health/ready`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Sends `signal` and resolves with how the process ended. */
  async stop(signal: NodeJS.Signals): Promise<Exit> {
    if (!this.child || !this.exit) throw new Error(`${this.name} was never started`);
    if (this.running) this.child.kill(signal);
    return this.exit;
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '(no log)';
    }
  }

  /** Ends the process at once if it runs (clean-up; also safe from a process 'exit' handler). */
  killNow(): Promise<Exit | undefined> {
    if (this.running) this.child?.kill('SIGKILL');
    return this.exit ?? Promise.resolve(undefined);
  }
}
