/**
 * Matrix-product chains (`A @ B @ v`) as einsum contractions, so they are priced with the same
 * cost model: the written parenthesization is the baseline path, the matrix-chain order the best.
 */
import type { LinearPath } from '../core/paths/types';
import type { MatmulTree } from './model';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The einsum equation of a chain whose operands have the given ranks (null: assumed a matrix).
 * A vector may only stand first or last; batch dimensions (rank > 2) broadcast through `...`.
 * Returns null when the chain is not a plain matrix chain.
 */
export function matmulChainEquation(ranks: (number | null)[]): string | null {
  const n = ranks.length;
  if (n < 2 || n + 1 > LETTERS.length) return null;
  const rank = ranks.map((r) => r ?? 2);
  if (rank.some((r, i) => r < 1 || (r === 1 && i !== 0 && i !== n - 1))) return null;
  const batched = rank.some((r) => r > 2);
  const terms = rank.map((r, i) => {
    if (r === 1) return i === 0 ? LETTERS[1] : LETTERS[n - 1];
    return `${r > 2 ? '...' : ''}${LETTERS[i]}${LETTERS[i + 1]}`;
  });
  const output = `${batched ? '...' : ''}${rank[0] === 1 ? '' : LETTERS[0]}${rank[n - 1] === 1 ? '' : LETTERS[n]}`;
  return `${terms.join(',')}->${output}`;
}

/** The linear path (opt_einsum convention) that evaluates `tree` as written. */
export function pathOfTree(tree: MatmulTree, operandCount: number): LinearPath {
  const live: number[] = Array.from({ length: operandCount }, (_, i) => i);
  let next = operandCount;
  const path: LinearPath = [];
  const visit = (node: MatmulTree): number => {
    if (typeof node === 'number') return node;
    const left = visit(node[0]);
    const right = visit(node[1]);
    const positions = [live.indexOf(left), live.indexOf(right)];
    path.push(positions);
    for (const p of [...positions].sort((a, b) => b - a)) live.splice(p, 1);
    live.push(next);
    return next++;
  };
  visit(tree);
  return path;
}

/** The parenthesization a linear path describes, operands kept in source order (`A @ (B @ v)`). */
export function treeText(path: LinearPath, names: string[]): string {
  const live = names.map((text, first) => ({ text, first }));
  for (const [i, step] of path.entries()) {
    const taken = step.map((p) => live[p]).sort((a, b) => a.first - b.first);
    for (const p of [...step].sort((a, b) => b - a)) live.splice(p, 1);
    const joined = taken.map((t) => t.text).join(' @ ');
    live.push({ text: i === path.length - 1 ? joined : `(${joined})`, first: taken[0].first });
  }
  return live[0]?.text ?? '';
}
