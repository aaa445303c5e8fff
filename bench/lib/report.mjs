/** Formatting of progress lines and tables. */

/** @param {number | null | undefined} ms */
export function ms(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms === Infinity) return '∞';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** @param {number | null | undefined} n */
export function int(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Math.round(n).toString();
}

/** Cores used (1.00 = one core). @param {number | null | undefined} cores */
export function cores(cores) {
  return cores === null || cores === undefined ? 'n/a' : cores.toFixed(2);
}

/** Rounds a headline rate to 2 significant digits: steps are coarser than that anyway. @param {number} n */
export function round(n) {
  if (!Number.isFinite(n) || n <= 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / scale) * scale;
}

/**
 * A plain-text table; numbers right-aligned.
 * @param {string[]} header @param {(string | number)[][]} rows @returns {string}
 */
export function table(header, rows) {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (/** @type {string[]} */ r) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [
    line(cells[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}
