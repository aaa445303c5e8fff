import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) a process has used so far, or null if it is gone.
 * @param {number} pid
 * @returns {number | null}
 */
export function cpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds of a process's main thread alone (its JavaScript; not V8's helper threads, which
 * collect garbage and compile in parallel), or null if it is gone.
 * @param {number} pid
 */
export function mainThreadCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

/** @param {string} path @returns {number | null} */
function statCpuSeconds(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * Resident set size in bytes, or null if the process is gone.
 * @param {number} pid
 */
export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Kilobytes read from this machine's block devices since boot (/proc/vmstat's pgpgin), or null
 * where there is no /proc/vmstat. Machine-wide: what a page cache miss costs shows up here,
 * whichever process missed.
 */
export function diskReadKB() {
  try {
    const match = /^pgpgin (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Soft limit on open files of this process (children inherit it). */
export function openFilesLimit() {
  try {
    const match = /Max open files\s+(\d+|unlimited)/.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    return !match || match[1] === 'unlimited' ? Infinity : Number(match[1]);
  } catch {
    return Infinity;
  }
}

/**
 * PostgreSQL's processes on this machine: every `postgres` process, and which database each
 * backend serves (parsed from its title, "postgres: [cluster:] user database host(port) state").
 * Empty when the server runs elsewhere (then its CPU is reported as n/a).
 * @returns {{ pid: number, database: string | null }[]}
 */
export function postgresProcesses() {
  const found = [];
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of pids) {
    try {
      const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      if (comm !== 'postgres') continue;
      const title = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const words = title.replace(/^postgres:\s*/, '').split(/\s+/);
      if (words[0]?.endsWith(':')) words.shift();
      // Backends name user, database and client address; background workers are one or two words.
      const database = words.length >= 3 && /\(\d+\)$|\[local\]/.test(words[2]) ? words[1] : null;
      found.push({ pid: Number(name), database });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * A CPU meter over a window: `start()`, then `stop()` gives each group's share of one core
 * (1.0 = one core busy) over the wall time between the two. The groups are re-read every half
 * second, so a process that starts or ends inside the window (a PostgreSQL backend the pool opens
 * or closes) still counts for the time it was seen.
 */
export class CpuMeter {
  /** @param {() => Record<string, number[]>} groups pids per name */
  constructor(groups) {
    this.groups = groups;
    /** CPU seconds of each pid when first seen in the window (0 if born inside it). */
    /** @type {Map<number, number>} */
    this.first = new Map();
    /** @type {Map<number, number>} */
    this.last = new Map();
    /** @type {Map<string, Set<number>>} */
    this.members = new Map();
    this.startedAt = 0;
    /** @type {NodeJS.Timeout | null} */
    this.timer = null;
  }

  /** @param {boolean} initial */
  sample(initial) {
    for (const [name, pids] of Object.entries(this.groups())) {
      const seen = this.members.get(name) ?? new Set();
      this.members.set(name, seen);
      for (const pid of pids) {
        const cpu = cpuSeconds(pid);
        if (cpu === null) continue;
        if (!this.first.has(pid)) this.first.set(pid, initial ? cpu : 0);
        this.last.set(pid, cpu);
        seen.add(pid);
      }
    }
  }

  start() {
    this.first.clear();
    this.last.clear();
    this.members.clear();
    this.sample(true);
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.sample(false), 500);
    this.timer.unref();
  }

  /** @returns {Record<string, number | null>} cores used per group (null: nothing to measure) */
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    const wall = (performance.now() - this.startedAt) / 1000;
    /** @type {Record<string, number | null>} */
    const result = {};
    for (const [name, pids] of this.members) {
      if (pids.size === 0) {
        result[name] = null;
        continue;
      }
      let used = 0;
      for (const pid of pids) used += (this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0);
      result[name] = wall > 0 ? used / wall : null;
    }
    return result;
  }
}
