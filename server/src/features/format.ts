/** Numbers and shapes as the editor shows them: short, exact where it matters. */
import type { Contraction, LabelSize } from '../core/contraction';

/** `4.8e5` for large counts, the digits themselves below 10,000; exact for BigInt of any size. */
export function compactCount(value: bigint): string {
  if (value < 0n) return `-${compactCount(-value)}`;
  if (value < 10_000n) return value.toString();
  const digits = value.toString();
  let mantissa = Math.round(Number(`${digits[0]}.${digits.slice(1, 4)}`) * 10) / 10;
  let exponent = digits.length - 1;
  if (mantissa >= 10) {
    mantissa /= 10;
    exponent++;
  }
  return `${mantissa.toFixed(1)}e${exponent}`;
}

/** `1,234,567`: exact counts in tables. */
export function groupedCount(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `4.0x`, `12x`, `1.3e4x`. */
export function speedupText(speedup: number): string {
  if (!Number.isFinite(speedup)) return 'many times';
  if (speedup >= 10_000) return `${speedup.toExponential(1).replace('e+', 'e')}x`;
  if (speedup >= 100) return `${Math.round(speedup)}x`;
  return `${speedup.toFixed(1)}x`;
}

export function sizeText(size: LabelSize): string {
  return size.symbol ?? String(size.value);
}

/** The shape of a term of label ids, e.g. `(64, N, 32)`. */
export function shapeText(c: Contraction, labels: readonly number[]): string {
  const dims = labels.map((l) => sizeText(c.sizes[l]));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** Makes Markdown (code spans included) safe inside a table cell: GFM reads `\\|` as a pipe even in code. */
export function markdownCell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code holding any text, backticks included. */
export function inlineCode(text: string): string {
  const clean = text.replace(/\r?\n\s*/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}
