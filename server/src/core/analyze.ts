/**
 * One-call analysis of a bound contraction: naive, left-to-right (source order) and best
 * costs, the chosen path with its steps. This is what front ends and features consume.
 */
import type { Contraction } from './contraction';
import { costOfPath, leftToRightPath, naiveCost, toPathProblem, type NaiveCost, type PathCost } from './cost';
import { optimizePath } from './paths/index';
import type { OptimizeOptions, OptimizerName } from './paths/types';

export interface ContractionAnalysis {
  contraction: Contraction;
  /** One loop over every index at once (numpy's einsum without `optimize`). */
  naive: NaiveCost;
  /** Pairwise in source order: ((a·b)·c)·d — onnxruntime, tfjs, torch without opt_einsum. */
  leftToRight: PathCost;
  /** The optimizer's path. */
  best: PathCost & { optimizer: OptimizerName };
  /** True when some size is symbolic: then compare `flopsPolynomial`s, not `flops`. */
  symbolic: boolean;
}

export function analyzeContraction(c: Contraction, options: OptimizeOptions = {}): ContractionAnalysis {
  const { path, optimizer } = optimizePath(toPathProblem(c), options);
  return {
    contraction: c,
    naive: naiveCost(c),
    leftToRight: costOfPath(c, leftToRightPath(c.inputs.length)),
    best: { ...costOfPath(c, path), optimizer },
    symbolic: c.sizes.some((s) => s.symbol !== null),
  };
}
