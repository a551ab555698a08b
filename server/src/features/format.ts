/** Numbers and shapes as the editor shows them: short, exact where it matters. */
import type { Contraction, LabelSize } from '../core/contraction';

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
