/**
 * The largest source einsight analyses. tree-sitter's WebAssembly parser grows its memory with
 * the text, and near 40 MB of Python it aborts, leaving its module dead for the process; far
 * below that, parsing alone outlasts the per-file time limit. Files above the limit are refused
 * before any parsing, with the reason (documented in the README): the front ends report them
 * as not analysed, like code nested too deeply.
 */
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
