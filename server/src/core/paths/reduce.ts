/**
 * Summing an index that only one operand carries is a cheap single-operand step that can
 * shrink every later step. opt_einsum's dp always does it first; searching with and without
 * it and keeping the cheaper path is never worse than either.
 */
import { labelSets } from './labelsets';
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

/** Solves the problem with single-use indices summed away first; null if there are none. */
export function solveWithSingleUseSummedFirst(problem: PathProblem, solve: (p: PathProblem) => SsaPath): SsaPath | null {
  const { inputs, output } = labelSets(problem);
  const carriers = new Map<number, number>();
  for (const labels of inputs) for (const l of labels) carriers.set(l, (carriers.get(l) ?? 0) + 1);
  const keep = (l: number) => output.includes(l) || (carriers.get(l) as number) > 1;
  const reduced = inputs.map((labels) => labels.filter(keep));
  const n = inputs.length;
  const reducedId = new Map<number, number>();
  inputs.forEach((labels, t) => {
    if (reduced[t].length < labels.length) reducedId.set(t, n + reducedId.size);
  });
  if (reducedId.size === 0) return null;
  const inner = solve({ inputs: reduced, output, sizes: problem.sizes });
  const shift = reducedId.size;
  const remap = (id: number) => (id < n ? (reducedId.get(id) ?? id) : id + shift);
  return [...[...reducedId.keys()].map((t) => [t]), ...inner.map((step) => step.map(remap))];
}
