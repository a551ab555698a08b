/**
 * Einsum equations: parsing (letters `ij,jk->ik`, einops-style names `b i j, b j k -> b i k`
 * and numpy's interleaved sublists), size binding and formatting, following numpy /
 * opt_einsum 3.4 semantics.
 */
import type { TextRange } from './contraction';
import {
  EquationError,
  compareCodePoints,
  detectStyle,
  scanTerms,
  type LabelStyle,
  type ParsedEquation,
  type ParsedTerm,
} from './equation-syntax';

export { EquationError, type ParsedEquation, type ParsedTerm } from './equation-syntax';
export { bindShapes, type BindOptions } from './equation-bind';
export { formatEquation, formatTerm } from './equation-format';

export interface ParseOptions {
  /** `auto` (default) reads names when a term has whitespace between two label characters. */
  style?: 'auto' | LabelStyle;
  /**
   * opt_einsum's reading (and so jax's): any character but `,-.>` and whitespace is a label,
   * `'...kh1d'` included; numpy, torch and tensorflow take letters only.
   */
  anyCharacter?: boolean;
}

/**
 * Far longer than any equation a contraction can have (60 operands of 254 dimensions, named):
 * longer text is refused at once rather than parsed, bound and priced for seconds.
 */
export const MAX_EQUATION_LENGTH = 100_000;

export function parseEquation(text: string, options: ParseOptions = {}): ParsedEquation {
  // An empty equation is valid: one scalar operand (`np.einsum('', 5)` is 5), as `','` is two.
  if (text.length > MAX_EQUATION_LENGTH) {
    const length = text.length.toLocaleString('en-US');
    throw new EquationError(`the equation is ${length} characters long: longer than any contraction's (einsight reads up to 100,000)`, {
      start: MAX_EQUATION_LENGTH,
      end: text.length,
    });
  }
  const requested = options.style ?? 'auto';
  const anyCharacter = options.anyCharacter ?? false;
  const key = text.length <= CACHED_LENGTH ? `${requested}|${anyCharacter ? 1 : 0}|${text}` : null;
  const cached = key === null ? undefined : PARSED.get(key);
  if (cached) return cached;
  const style = requested === 'auto' ? detectStyle(text) : requested;
  const parsed = deepFreeze(buildEquation(text, style, anyCharacter));
  if (key !== null) {
    if (PARSED.size >= CACHED_EQUATIONS) PARSED.delete(PARSED.keys().next().value!);
    PARSED.set(key, parsed);
  }
  return parsed;
}

/**
 * Parsed equations by options and text, oldest first: a module writes a few equations at
 * hundreds of sites, and each site's equation was parsed (and kept) once by the reading and
 * once by the pricing (the largest allocation of reading the sites). Results are frozen, since
 * every caller of one text shares them; an invalid equation is not kept (it throws each time).
 */
const PARSED = new Map<string, ParsedEquation>();
const CACHED_EQUATIONS = 1024;
/** Far longer than equations code writes: a pasted giant equation is parsed, not kept. */
const CACHED_LENGTH = 512;

/** Freezes a parsed equation and everything in it (its terms, labels and ranges). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function buildEquation(text: string, style: LabelStyle, anyCharacter = false): ParsedEquation {
  const { inputs, output, arrowRange } = scanTerms(text, style, anyCharacter);
  if (output) {
    checkExplicitOutput(inputs, output);
    return { text, style, inputs, output, explicitOutput: true, arrowRange };
  }
  return { text, style, inputs, output: implicitOutput(text, inputs), explicitOutput: false, arrowRange: null };
}

/** Up to this many labels, scanning the terms is cheaper than building sets of them. */
const SCAN_LIMIT = 64;

function checkExplicitOutput(inputs: ParsedTerm[], output: ParsedTerm): void {
  let inputCount = 0;
  for (const term of inputs) inputCount += term.labels.length;
  const small = inputCount + output.labels.length <= SCAN_LIMIT;
  const inputLabels = small ? null : new Set(inputs.flatMap((t) => t.labels));
  const inInputs = (label: string) => (inputLabels ? inputLabels.has(label) : inputs.some((t) => t.labels.includes(label)));
  const inputEllipsis = inputs.some((t) => t.ellipsis >= 0);
  const seen = small ? null : new Set<string>();
  // Walk the output left to right, ellipsis included, so the leftmost problem is reported.
  for (let i = 0; i <= output.labels.length; i++) {
    if (i === output.ellipsis && !inputEllipsis) {
      throw new EquationError("the output has '...' but no input has one", output.ellipsisRange!);
    }
    if (i === output.labels.length) break;
    const label = output.labels[i];
    const range = output.labelRanges[i];
    if (!inInputs(label)) throw new EquationError(`output label '${label}' does not appear in any input`, range);
    const repeated = seen ? seen.has(label) : output.labels.indexOf(label) < i;
    if (repeated) throw new EquationError(`output label '${label}' appears more than once`, range);
    seen?.add(label);
  }
}

/**
 * numpy's implicit mode: labels that occur exactly once (a repeat inside one operand counts),
 * in code-point order, after the broadcast dimensions when any input has `...`.
 */
function implicitOutput(text: string, inputs: ParsedTerm[]): ParsedTerm {
  const occurrences = new Map<string, { count: number; range: TextRange }>();
  for (const term of inputs) {
    term.labels.forEach((label, i) => {
      const seen = occurrences.get(label);
      if (seen) seen.count++;
      else occurrences.set(label, { count: 1, range: term.labelRanges[i] });
    });
  }
  const labels = [...occurrences.keys()].filter((l) => occurrences.get(l)!.count === 1).sort(compareCodePoints);
  const end = { start: text.length, end: text.length };
  return {
    labels,
    ellipsis: inputs.some((t) => t.ellipsis >= 0) ? 0 : -1,
    range: end,
    labelRanges: labels.map((l) => occurrences.get(l)!.range),
    ellipsisRange: null,
  };
}

/** An item of numpy's interleaved form `einsum(a, [0, 1], b, [1, 2], [0, 2])`. */
export type SublistItem = number | '...';

/** numpy accepts subscripts 0..51, which it maps to 'A'..'Z' then 'a'..'z'. */
const SUBLIST_LABELS = 52;
/**
 * opt_einsum accepts any non-negative integer (its `get_symbol`); those past 51 are spelled
 * here as CJK ideographs, single letters no other label uses.
 */
const WIDE_LABEL_BASE = 0x4e00;
const WIDE_LABELS = 0x9fff - WIDE_LABEL_BASE + 1;

export interface SublistOptions {
  /** opt_einsum's reading: integer labels past 51 are labels too. */
  wideLabels?: boolean;
}

/** The letter a sublist item stands for, or null when it is no label. */
export function sublistLabel(item: unknown, options: SublistOptions = {}): string | null {
  if (item === '...') return '...';
  if (typeof item !== 'number' || !Number.isInteger(item) || item < 0) return null;
  if (item < SUBLIST_LABELS) return String.fromCharCode(item < 26 ? 65 + item : 97 + item - 26);
  if (!options.wideLabels || item - SUBLIST_LABELS >= WIDE_LABELS) return null;
  return String.fromCodePoint(WIDE_LABEL_BASE + item - SUBLIST_LABELS);
}

/**
 * Parses numpy's interleaved form. `text` is the equivalent letter equation and every error
 * range points into it; an invalid item (which has no letter) reports the range of its term.
 */
export function parseSublists(operands: SublistItem[][], output?: SublistItem[], options: SublistOptions = {}): ParsedEquation {
  if (operands.length === 0) throw new EquationError('einsum needs at least one operand', { start: 0, end: 0 });
  const lists = output === undefined ? operands : [...operands, output];
  const terms = lists.map((items) => items.map((item) => sublistLabel(item, options)).filter((s) => s !== null).join(''));
  const inputText = terms.slice(0, operands.length).join(',');
  const text = output === undefined ? inputText : `${inputText}->${terms[operands.length]}`;
  let start = 0;
  for (let k = 0; k < lists.length; k++) {
    const bad = lists[k].findIndex((item) => sublistLabel(item, options) === null);
    if (bad >= 0) {
      const where = k < operands.length ? `operand ${k}` : 'the output';
      const item: unknown = lists[k][bad];
      const value = typeof item === 'string' ? JSON.stringify(item) : String(item);
      throw new EquationError(
        `sublist item ${value} (${where}, position ${bad}) is not a label: use ${options.wideLabels ? 'a non-negative integer' : 'an integer from 0 to 51'} or '...'`,
        { start, end: start + terms[k].length },
      );
    }
    start += terms[k].length + (k + 1 === operands.length ? 2 : 1);
  }
  return { ...buildEquation(text, 'letters'), style: 'sublist' };
}
