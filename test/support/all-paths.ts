/** Every pairwise path of a small contraction, scored, to check the exact searches against. */
import { pathScore } from 'einsight-server/core/paths/evaluate';
import type { LinearPath, PathProblem } from 'einsight-server/core/paths/types';

export function linearToSsa(path: LinearPath, n: number): number[][] {
  const live = [...Array(n).keys()];
  let next = n;
  return path.map((step) => {
    const ids = step.map((p) => live[p]);
    for (const p of [...step].sort((a, b) => b - a)) live.splice(p, 1);
    live.push(next++);
    return ids;
  });
}

/** FLOPs and largest intermediate (the output included) of a linear path. */
export function score(problem: PathProblem, path: LinearPath): { flops: number; largest: number } {
  return pathScore(problem, linearToSsa(path, problem.inputs.length));
}

/** Every order of pairwise steps (feasible up to about 6 operands). */
export function* pairwisePaths(n: number): Generator<LinearPath> {
  if (n <= 1) {
    yield [];
    return;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (const rest of pairwisePaths(n - 1)) yield [[i, j], ...rest];
}

/** The lexicographic minimum of (FLOPs, largest intermediate) over every pairwise path. */
export function bruteForceBest(problem: PathProblem): { flops: number; largest: number } {
  let best = { flops: Infinity, largest: Infinity };
  for (const path of pairwisePaths(problem.inputs.length)) {
    const s = score(problem, path);
    if (s.flops < best.flops || (s.flops === best.flops && s.largest < best.largest)) best = s;
  }
  return best;
}
