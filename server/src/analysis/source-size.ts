/**
 * The largest source einsight analyses. tree-sitter's WebAssembly parser grows its memory with
 * the text, and near 40 MB of Python it aborts, leaving its module dead for the process; far
 * below that, parsing alone outlasts the per-file time limit. Files above the limit are refused
 * before any parsing, with the reason (documented in the README): the front ends report them
 * as not analysed, like code nested too deeply.
 */
import { MAX_EQUATION_LENGTH } from '../core/equation';
import { TooDeepError } from './too-deep';

/** In UTF-16 code units, as JavaScript counts text: 8 MiB of ASCII. */
export const MAX_SOURCE_LENGTH = 8 * 1024 * 1024;

/** Throws `TooDeepError` for text over the limit. */
export function refuseTooLarge(text: string): void {
  const refusal = tooLarge(text);
  if (refusal) throw refusal;
}

/** The refusal of text over the limit, or null. */
export function tooLarge(text: string): TooDeepError | null {
  if (text.length <= MAX_SOURCE_LENGTH) return null;
  const size = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  return new TooDeepError(`the file is too large to analyse (${size(text.length)} of text; einsight reads up to ${size(MAX_SOURCE_LENGTH)})`, { start: 0, end: 0 });
}

/**
 * An equation literal longer than the longest equation einsight parses (`MAX_EQUATION_LENGTH`,
 * core/equation.ts) is not decoded: every decoded character keeps its source span (for errors
 * at the right letter), and a megabyte-long literal cost over a second of decoding alone.
 */
export { MAX_EQUATION_LENGTH };

/** Why an equation literal of `length` source characters is not read, or null when it is read. */
export function equationTooLong(length: number): string | null {
  if (length <= MAX_EQUATION_LENGTH) return null;
  const count = (n: number) => n.toLocaleString('en-US');
  return `The equation is not read: it is ${count(length)} characters long, and einsight reads equations of up to ${count(MAX_EQUATION_LENGTH)}, so its cost is unknown.`;
}
