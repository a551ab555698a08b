/** Writing a bound contraction back as an equation. */
import type { Contraction } from './contraction';

/**
 * Where `labels` holds its ellipsis dimensions as `...` can express them: one contiguous,
 * ordered, right-aligned run (numpy aligns broadcast dimensions from the right).
 */
function ellipsisRun(labels: readonly number[], ellipsis: readonly number[]): { at: number; length: number } | null {
  const members = new Set(ellipsis);
  const at = labels.findIndex((id) => members.has(id));
  if (at < 0) return null;
  let length = 0;
  while (at + length < labels.length && members.has(labels[at + length])) length++;
  const rest = labels.slice(at + length);
  const expected = ellipsis.slice(ellipsis.length - length);
  const aligned = expected.every((id, i) => labels[at + i] === id);
  return aligned && !rest.some((id) => members.has(id)) ? { at, length } : null;
}

/**
 * Letters style: `ij`; named style: `batch i j`. Ellipsis dimensions that `...` cannot stand for
 * (out of order, split, or not right-aligned) keep their synthetic names such as `…0`.
 */
export function formatTerm(c: Contraction, labels: readonly number[]): string {
  const ellipsis = c.ellipsisLabels;
  if (!ellipsis || ellipsis.length === 0) {
    const separator = c.style === 'named' ? ' ' : '';
    let text = '';
    for (let i = 0; i < labels.length; i++) text += i === 0 ? c.labels[labels[i]] : separator + c.labels[labels[i]];
    return text;
  }
  const run = ellipsisRun(labels, ellipsis);
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (run && i === run.at) {
      parts.push('...');
      i += run.length - 1;
    } else {
      parts.push(c.labels[labels[i]]);
    }
  }
  return parts.join(c.style === 'named' ? ' ' : '');
}

/** The explicit, normalised equation: `ij,jk->ik` or `b i j, b j k -> b i k`. */
export function formatEquation(c: Contraction): string {
  const named = c.style === 'named';
  const inputs = c.inputs.map((term) => formatTerm(c, term)).join(named ? ', ' : ',');
  return `${inputs}${named ? ' -> ' : '->'}${formatTerm(c, c.output)}`;
}
