/**
 * Lexing of einsum equations into terms. Errors are thrown in text order so the first
 * problem the user sees is the leftmost one.
 */
import type { TextRange } from './contraction';

export class EquationError extends Error {
  constructor(
    message: string,
    readonly range: TextRange,
  ) {
    super(message);
    this.name = 'EquationError';
  }
}

export interface ParsedTerm {
  /** Labels in order, without the ellipsis. */
  labels: string[];
  /** Index in `labels` where `...` sits (the number of labels before it); -1 if none. */
  ellipsis: number;
  range: TextRange;
  labelRanges: TextRange[];
  ellipsisRange: TextRange | null;
}

export interface ParsedEquation {
  text: string;
  style: 'letters' | 'named' | 'sublist';
  inputs: ParsedTerm[];
  /**
   * For an implicit output the ranges point into the inputs: the term range is empty at the
   * end of the text and each label range is that label's single input occurrence.
   */
  output: ParsedTerm;
  explicitOutput: boolean;
  arrowRange: TextRange | null;
}

export type LabelStyle = 'letters' | 'named';

export interface ScannedTerms {
  inputs: ParsedTerm[];
  /** The term after `->`, or null when the output is implicit. */
  output: ParsedTerm | null;
  arrowRange: TextRange | null;
}

const SPACE = /\s/u;
/**
 * A label in letters style: any letter, or any other non-ASCII symbol that is not a space —
 * opt_einsum draws labels for big networks from Unicode (e.g. '×'), so its equations use them.
 */
const LETTER = /[\p{L}]|[^\p{ASCII}\s]/u;
const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{M}\p{N}_]/u;
/**
 * Whitespace inside a term (between names or a name and '...') only matters when labels are
 * names; letter equations put spaces around ',' and '->' at most.
 */
const NAMED_HINT = /[\p{L}\p{M}\p{N}_.]\s+[\p{L}\p{M}\p{N}_.]/u;

export function detectStyle(text: string): LabelStyle {
  return NAMED_HINT.test(text) ? 'named' : 'letters';
}

/** Compares by Unicode code point, as Python's `sorted` does (UTF-16 order differs for astral letters). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

class TermBuilder {
  readonly labels: string[] = [];
  readonly labelRanges: TextRange[] = [];
  ellipsisRange: TextRange | null = null;
  private ellipsis = -1;
  private start = -1;
  private end = -1;

  /** `segmentStart` is where the term's text begins (just after the previous separator). */
  constructor(private readonly segmentStart: number) {}

  addLabel(name: string, range: TextRange): void {
    this.touch(range);
    this.labels.push(name);
    this.labelRanges.push(range);
  }

  addEllipsis(range: TextRange): void {
    if (this.ellipsisRange) throw new EquationError("a term can contain '...' only once", range);
    this.touch(range);
    this.ellipsis = this.labels.length;
    this.ellipsisRange = range;
  }

  finish(text: string): ParsedTerm {
    let range: TextRange;
    if (this.start >= 0) {
      range = { start: this.start, end: this.end };
    } else {
      // An empty term (a scalar operand) is pinned just before whatever ends it.
      let at = this.segmentStart;
      while (at < text.length && SPACE.test(text[at])) at++;
      range = { start: at, end: at };
    }
    return {
      labels: this.labels,
      ellipsis: this.ellipsis,
      range,
      labelRanges: this.labelRanges,
      ellipsisRange: this.ellipsisRange,
    };
  }

  private touch(range: TextRange): void {
    if (this.start < 0) this.start = range.start;
    this.end = range.end;
  }
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function invalidCharacter(ch: string, style: LabelStyle): string {
  const rule =
    style === 'letters' ? 'einsum labels are single letters' : "labels are names made of letters, digits and '_'";
  return `invalid character '${ch}': ${rule}`;
}

/** Splits `text` into input terms and an optional output term. */
export function scanTerms(text: string, style: LabelStyle, anyCharacter = false): ScannedTerms {
  const inputs: ParsedTerm[] = [];
  let arrowRange: TextRange | null = null;
  let term = new TermBuilder(0);
  let i = 0;
  while (i < text.length) {
    // ASCII, nearly every character of real equations, is classified without a RegExp.
    const code = text.charCodeAt(i);
    const ascii = code < 128;
    const ch = ascii ? text[i] : String.fromCodePoint(text.codePointAt(i)!);
    const next = i + ch.length;
    if (ascii ? code === 32 || (code >= 9 && code <= 13) : SPACE.test(ch)) {
      i = next;
    } else if (ch === ',') {
      if (arrowRange) {
        throw new EquationError("the output after '->' is a single term and cannot contain ','", { start: i, end: next });
      }
      inputs.push(term.finish(text));
      term = new TermBuilder(next);
      i = next;
    } else if (ch === '-') {
      if (text[next] !== '>') throw new EquationError("'-' must be followed by '>' (write '->')", { start: i, end: next });
      const arrow = { start: i, end: next + 1 };
      if (arrowRange) throw new EquationError("an equation can have only one '->'", arrow);
      arrowRange = arrow;
      inputs.push(term.finish(text));
      term = new TermBuilder(arrow.end);
      i = arrow.end;
    } else if (ch === '>') {
      throw new EquationError("'>' must follow '-' (write '->')", { start: i, end: next });
    } else if (ch === '.') {
      let end = i;
      while (text[end] === '.') end++;
      const dots = { start: i, end };
      if (end - i !== 3) {
        throw new EquationError(`'${text.slice(i, end)}' is not an ellipsis: write exactly three dots '...'`, dots);
      }
      term.addEllipsis(dots);
      i = end;
    } else if (style === 'letters' && (anyCharacter || (ascii ? isAsciiLetter(code) : LETTER.test(ch)))) {
      term.addLabel(ch, { start: i, end: next });
      i = next;
    } else if (style === 'named' && NAME_PART.test(ch)) {
      let end = next;
      while (end < text.length) {
        const part = String.fromCodePoint(text.codePointAt(end)!);
        if (!NAME_PART.test(part)) break;
        end += part.length;
      }
      const name = text.slice(i, end);
      const range = { start: i, end };
      if (!NAME_START.test(ch)) {
        throw new EquationError(`invalid label '${name}': a label must start with a letter or '_'`, range);
      }
      term.addLabel(name, range);
      i = end;
    } else {
      throw new EquationError(invalidCharacter(ch, style), { start: i, end: next });
    }
  }
  const last = term.finish(text);
  if (arrowRange) return { inputs, output: last, arrowRange };
  inputs.push(last);
  return { inputs, output: null, arrowRange: null };
}
