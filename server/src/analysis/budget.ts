/**
 * A file's analysis has a time limit. Reading sites and pricing them is linear in the file's
 * size, but a generated module of tens of thousands of contractions, or many whose best path
 * takes the optimizer's whole per-site budget, would still keep `check` on one file, or the
 * editor's analysis of one buffer, busy for minutes. Past the limit the front end stops
 * reading calls and evaluation stops pricing sites; what was done is kept, and the file is
 * marked "not fully analysed: too large", at the first call or site left out. An editor's analysis
 * also stops the same way when its text changes again (`stop`): its result would be dropped.
 */
import type { FileAnalysis, SourceRange } from './model';

/** What `timeLimitMs` defaults to: far above what any hand-written file needs (see BENCHMARKS.md). */
export const DEFAULT_TIME_LIMIT_MS = 10_000;

/** Set once the analysis is no longer wanted (an AbortSignal is one). */
export interface StopSignal {
  readonly aborted: boolean;
}

export class AnalysisBudget {
  /**
   * Set at the first check, as reading begins: parsing, bounded by the size limit
   * (source-size.ts), is not counted, so the limit does not depend on how fast the machine parses.
   */
  private deadline: number | null = null;
  private ran = false;
  private firstLeftOut: SourceRange | null = null;
  private readonly counts = { read: 0, unread: 0, priced: 0, unpriced: 0 };

  constructor(
    readonly limitMs: number = DEFAULT_TIME_LIMIT_MS,
    private readonly stop: StopSignal | null = null,
  ) {}

  /** Whether the time is up (or the analysis was stopped); once it is, it stays up. */
  get expired(): boolean {
    const now = performance.now();
    this.deadline ??= now + this.limitMs;
    if (!this.ran && (now >= this.deadline || this.stop?.aborted === true)) this.ran = true;
    return this.ran;
  }

  /** A call is about to be read: false (and counted as left out) once the time is up. `where` is asked only then. */
  read(where: () => SourceRange): boolean {
    return this.account(where, 'read', 'unread');
  }

  /** A site is about to be priced: false (and counted as left out) once the time is up. */
  price(where: () => SourceRange): boolean {
    return this.account(where, 'priced', 'unpriced');
  }

  /** Why and where the analysis is incomplete; undefined when nothing was left out. */
  incomplete(): FileAnalysis['incomplete'] {
    if (!this.firstLeftOut) return undefined;
    const limit = this.limitMs < 1000 ? `${Math.round(this.limitMs)} ms` : `${Math.round(this.limitMs / 100) / 10} s`;
    const { read, unread, priced, unpriced } = this.counts;
    const parts: string[] = [];
    if (unread > 0) parts.push(`${count(unread, 'call')} not read`);
    if (unpriced > 0) parts.push(`${count(unpriced, 'contraction')} of ${(priced + unpriced).toLocaleString('en-US')} not priced`);
    const done = read + unread > 0 ? ` (${(read + unread).toLocaleString('en-US')} calls)` : '';
    return { reason: `not fully analysed: too large to analyse within the ${limit} limit${done}; ${parts.join(', ')}, from here on`, range: this.firstLeftOut };
  }

  private account(where: () => SourceRange, done: 'read' | 'priced', left: 'unread' | 'unpriced'): boolean {
    if (!this.expired) {
      this.counts[done]++;
      return true;
    }
    this.counts[left]++;
    const range = where();
    if (!this.firstLeftOut || range.start < this.firstLeftOut.start) this.firstLeftOut = range;
    return false;
  }
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
