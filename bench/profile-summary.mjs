/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`, or `node --cpu-prof`): where the
 * time went, by function (self and inclusive) and by package.
 *
 *   node bench/profile-summary.mjs bench/results/<stamp>-send.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number },
 *   children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number,
 *   endTime: number }} Profile
 */

/** Where a frame's code lives: a package, the app's own module, Node itself, or V8. @param {string} url */
export function packageOf(url) {
  if (!url) return '(v8/native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const app =
    /\/dist\/(src\/(?:modules|common|realtime|database|metrics|state)\/[^/]+|src\/[^/]+|migrations)/.exec(
      url,
    );
  if (app) return `app:${app[1].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.replace(/^file:\/\//, '');
}

/** @param {ProfileNode} node */
function frameOf(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? url.replace(/^.*\/(node_modules|dist)\//, '$1/') : '';
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

/**
 * @param {Profile} profile @param {number} top
 * @returns {string}
 */
export function summarizeProfile(profile, top = 25) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  /** @type {Map<number, number>} */
  const selfUs = new Map();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  /** @type {Map<string, number>} */
  const selfByFrame = new Map();
  /** @type {Map<string, number>} */
  const selfByPackage = new Map();
  /** @type {Map<string, number>} */
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const node = /** @type {ProfileNode} */ (byId.get(id));
    const name = node.callFrame.functionName;
    const idle = name === '(idle)' || name === '(program)' || name === '(garbage collector)';
    const frame = frameOf(node);
    selfByFrame.set(frame, (selfByFrame.get(frame) ?? 0) + us);
    const pkg = idle ? name : packageOf(node.callFrame.url);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + us);
    // Inclusive: every distinct frame on the stack of this node gets its time once.
    const seen = new Set();
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parent.get(at)) {
      const f = frameOf(/** @type {ProfileNode} */ (byId.get(at)));
      if (seen.has(f)) continue;
      seen.add(f);
      inclusive.set(f, (inclusive.get(f) ?? 0) + us);
    }
  }
  const idleUs = selfByPackage.get('(idle)') ?? 0;
  const busy = total - idleUs;
  // Shares of the busy time: how the app spends the CPU it uses.
  const pct = (/** @type {number} */ us) =>
    `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  /** @param {Map<string, number>} map @param {number} n @param {(k: string) => boolean} [keep] */
  const list = (map, n, keep = () => true) =>
    [...map.entries()]
      .filter(([k]) => keep(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${pct(us)}  ${k}`)
      .join('\n');
  selfByPackage.delete('(idle)');
  selfByFrame.delete('(idle)');
  return [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy; shares below are of the busy time`,
    `by package (self time):\n${list(selfByPackage, top)}`,
    `by function (self time):\n${list(selfByFrame, top)}`,
    `app and framework functions (inclusive time):\n${list(inclusive, top, (k) => /dist\/src|@nestjs|typeorm|class-validator|class-transformer|socket\.io|pg\/|rxjs|event-emitter/.test(k))}`,
  ].join('\n\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top n]');
    process.exit(1);
  }
  const topAt = process.argv.indexOf('--top');
  const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 25;
  console.log(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), top));
}
