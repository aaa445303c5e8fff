import type { PayloadKind } from './payloads.js';

export type Category =
  'unanswered' | 'accepted' | 'internal' | 'leak' | 'shape' | 'errorEvent' | 'dropped';

const KEPT_PER_CATEGORY = 40;

/** What the storm found, by category (the first few in full, all of them counted). */
export class Findings {
  private readonly kept = new Map<Category, string[]>();
  private readonly counts = new Map<Category, number>();
  private readonly answers = new Map<PayloadKind, Map<string, number>>();

  note(category: Category, text: string): void {
    const list = this.kept.get(category) ?? [];
    if (list.length < KEPT_PER_CATEGORY) list.push(text);
    this.kept.set(category, list);
    this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
  }

  /** A problem text of judge.ts, filed under its category. */
  noteProblem(problem: string, context: string): void {
    this.note(categorize(problem), `${context}: ${problem}`);
  }

  of(category: Category): string[] {
    return this.kept.get(category) ?? [];
  }

  /** Counts the answer (`ok` or an error code) to a payload of `kind`. */
  answered(kind: PayloadKind, answer: string): void {
    const byAnswer = this.answers.get(kind) ?? new Map<string, number>();
    this.answers.set(kind, byAnswer);
    byAnswer.set(answer, (byAnswer.get(answer) ?? 0) + 1);
  }

  summary(): string[] {
    const lines = [...this.answers].map(([kind, byAnswer]) => {
      const total = [...byAnswer.values()].reduce((a, b) => a + b, 0);
      const split = [...byAnswer].map(([answer, n]) => `${answer}:${n}`).join(' ');
      return `  ${kind.padEnd(12)} ${String(total).padStart(5)}  ${split}`;
    });
    const problems = [...this.counts].map(([c, n]) => `${c}:${n}`).join(' ');
    return [...lines, `  problems ${problems || 'none'}`];
  }
}

function categorize(problem: string): Category {
  if (problem.startsWith('accepted')) return 'accepted';
  if (problem.startsWith('INTERNAL')) return 'internal';
  if (/^(stack|SQL|payload echoed|error of)/.test(problem)) return 'leak';
  return 'shape';
}
