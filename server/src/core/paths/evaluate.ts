/**
 * Fast FLOP count of an SSA path in doubles, for optimizers comparing candidate paths.
 * Reports use the exact BigInt accounting in ../cost.ts; both follow opt_einsum's flop_count.
 */
import { labelSets, sizeOf } from './labelsets';
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

export function pathFlops(problem: PathProblem, path: SsaPath): number {
  return pathScore(problem, path).flops;
}

/** FLOPs and largest intermediate of an SSA path. */
export function pathScore(problem: PathProblem, path: SsaPath): { flops: number; largest: number } {
  const { inputs, output } = labelSets(problem);
  const outputSet = new Set(output);
  const live: number[][] = [...inputs];
  const carriers = new Map<number, number>();
  const count = (labels: number[], delta: number) => {
    for (const l of labels) carriers.set(l, (carriers.get(l) ?? 0) + delta);
  };
  for (const labels of inputs) count(labels, 1);
  let total = 0;
  let largest = 0;
  for (const step of path) {
    const union = new Set<number>();
    for (const id of step) {
      const labels = live[id];
      count(labels, -1);
      for (const l of labels) union.add(l);
    }
    const result: number[] = [];
    let summed = false;
    for (const l of union) {
      if (outputSet.has(l) || (carriers.get(l) ?? 0) > 0) result.push(l);
      else summed = true;
    }
    total += sizeOf(union, problem.sizes) * (Math.max(1, step.length - 1) + (summed ? 1 : 0));
    largest = Math.max(largest, sizeOf(result, problem.sizes));
    count(result, 1);
    live.push(result);
  }
  return { flops: total, largest };
}
