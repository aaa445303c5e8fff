/**
 * Latency samples and exact percentiles. Every sample is kept (a Float64Array that grows), and
 * percentiles are read from the sorted samples: exact, and cheap at the sizes a run produces
 * (a few million numbers at most). Samples travel between processes as typed arrays.
 */
export class Samples {
  constructor(capacity = 1024) {
    /** @type {Float64Array} */
    this.buffer = new Float64Array(capacity);
    this.length = 0;
  }

  /** @param {number} value */
  push(value) {
    if (this.length === this.buffer.length) {
      const grown = new Float64Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  /** @returns {Float64Array} a copy of the samples */
  take() {
    return this.buffer.slice(0, this.length);
  }
}

/**
 * @typedef {object} Summary
 * @property {number} count
 * @property {number|null} min
 * @property {number|null} mean
 * @property {number|null} p50
 * @property {number|null} p90
 * @property {number|null} p99
 * @property {number|null} p999
 * @property {number|null} max
 */

/**
 * Percentiles (nearest rank) over several sample arrays. `missing` counts answers that never
 * came: they are ranked as infinitely slow, so a run that loses 2% of its acks has p99 = ∞
 * rather than a flattering figure over the survivors.
 * @param {ArrayLike<number>[]} parts
 * @param {number} [missing]
 * @returns {Summary}
 */
export function summarize(parts, missing = 0) {
  const total = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, missing);
  if (total === 0) {
    return {
      count: 0,
      min: null,
      mean: null,
      p50: null,
      p90: null,
      p99: null,
      p999: null,
      max: null,
    };
  }
  const all = new Float64Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  all.fill(Infinity, at);
  all.sort();
  let sum = 0;
  for (let i = 0; i < at; i++) sum += all[i];
  /** @param {number} q */
  const rank = (q) => all[Math.min(total - 1, Math.max(0, Math.ceil(q * total) - 1))];
  return {
    count: total,
    min: all[0],
    mean: at > 0 ? sum / at : null,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    p999: rank(0.999),
    max: all[total - 1],
  };
}

/**
 * The sum, key by key, of counts the load workers each kept (ack codes, errors by message).
 * @param {Record<string, number>[]} parts @returns {Record<string, number>}
 */
export function sumCounts(parts) {
  /** @type {Record<string, number>} */
  const sum = {};
  for (const part of parts) {
    for (const [key, n] of Object.entries(part)) sum[key] = (sum[key] ?? 0) + Number(n);
  }
  return sum;
}
