import { ErrorCode } from '../../../src/common/errors/error-code.js';
import { MARK } from './values.js';

export const CONTRACT_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

const STACK = /\n\s+at |\bat .*\(.*:\d+:\d+\)|\.(?:ts|js):\d+|node_modules/;
const SQL_KEYWORDS = /\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WHERE|RETURNING)\b/;
const SQL_ERRORS =
  /relation "|column "|syntax error|violates|duplicate key|invalid input syntax|out of range for type|QueryFailedError|invalid byte sequence/i;
const MAX_ERROR_CHARS = 16_384;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/** What is wrong with an answer to a malformed payload: empty when it keeps the contract. */
export function judgeAck(ack: unknown, mustFail: boolean): string[] {
  if (!isRecord(ack) || typeof ack.ok !== 'boolean') return ['the answer is not { ok, ... }'];
  if (ack.ok) {
    const extra = Object.keys(ack).filter((k) => k !== 'ok' && k !== 'data');
    const problems = extra.length ? [`unexpected keys ${extra.join(',')}`] : [];
    if (mustFail) problems.push('accepted a malformed payload');
    return problems;
  }
  const extra = Object.keys(ack).filter((k) => k !== 'ok' && k !== 'error');
  return [
    ...(extra.length ? [`unexpected keys ${extra.join(',')}`] : []),
    ...judgeError(ack.error),
  ];
}

/** What is wrong with an error body `{ code, message, details? }` (of an ack or an `error` event). */
export function judgeError(error: unknown): string[] {
  if (!isRecord(error)) return ['error is not an object'];
  const { code, message } = error as ErrorLike;
  const problems: string[] = [];
  if (typeof code !== 'string' || !CONTRACT_CODES.has(code)) problems.push(`code ${String(code)}`);
  if (code === ErrorCode.Internal) problems.push('INTERNAL for bad input');
  if (typeof message !== 'string') problems.push('message is not a string');
  for (const text of humanTexts(error)) {
    if (STACK.test(text)) problems.push(`stack trace in "${clip(text)}"`);
    if (SQL_KEYWORDS.test(text) || SQL_ERRORS.test(text)) problems.push(`SQL in "${clip(text)}"`);
    if (text.includes(MARK)) problems.push(`payload echoed in "${clip(text)}"`);
  }
  const size = JSON.stringify(error).length;
  if (size > MAX_ERROR_CHARS) problems.push(`error of ${size} characters`);
  return problems;
}

/** The message, and the constraint texts of VALIDATION_FAILED details. */
function humanTexts(error: ErrorLike): string[] {
  const texts = typeof error.message === 'string' ? [error.message] : [];
  if (Array.isArray(error.details)) {
    for (const detail of error.details as unknown[]) {
      if (!isRecord(detail) || !isRecord(detail.constraints)) continue;
      texts.push(...Object.values(detail.constraints).map(String));
    }
  }
  return texts;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length})` : text;
}

/** A short, bounded description of any value (deep, huge or binary ones included). */
export function preview(value: unknown, budget = 160): string {
  let out = '';
  const walk = (v: unknown, depth: number): void => {
    if (out.length > budget) return;
    if (depth > 6) out += '…';
    else if (typeof v === 'string') out += JSON.stringify(clip(v, 40));
    else if (Buffer.isBuffer(v) || v instanceof Uint8Array) out += `<bytes ${v.length}>`;
    else if (Array.isArray(v)) {
      out += '[';
      v.slice(0, 5).forEach((item, i) => {
        if (i) out += ',';
        walk(item, depth + 1);
      });
      out += v.length > 5 ? ',…]' : ']';
    } else if (isRecord(v)) {
      out += '{';
      Object.keys(v)
        .slice(0, 6)
        .forEach((k, i) => {
          out += `${i ? ',' : ''}${JSON.stringify(clip(k, 30))}:`;
          walk(v[k], depth + 1);
        });
      out += '}';
    } else out += String(v);
  };
  walk(value, 0);
  return clip(out, budget);
}
