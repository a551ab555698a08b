/** Shared vocabulary of the path optimizers. */

export const OPTIMIZERS = [
  'optimal',
  'dp',
  'branch-all',
  'branch-2',
  'branch-1',
  'greedy',
  'random-greedy',
  'auto',
  'auto-hq',
] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** A contraction reduced to what path finding needs: label-id sets and numeric sizes. */
export interface PathProblem {
  inputs: readonly (readonly number[])[];
  output: readonly number[];
  /** Numeric size of each label id. */
  sizes: readonly number[];
}

/** Elements; `max_input` means the largest input's size (opt_einsum's convention). */
export type MemoryLimit = number | 'max_input' | null;

export interface OptimizeOptions {
  optimizer?: OptimizerName;
  memoryLimit?: MemoryLimit;
  /** `flops` (default) minimises the FLOP count; `size` minimises the largest intermediate first. */
  objective?: 'flops' | 'size';
  /** Seed for the randomised optimizers (deterministic for a given seed). */
  seed?: number;
  /**
   * Wall-clock budget in ms. `auto` / `auto-hq` always have one (100 / 1000 ms by default) and
   * fall back to greedy when it runs out; any other optimizer given a budget does the same
   * (also when it is asked for more operands than it can search), and says so in `fellBackFrom`.
   */
  timeBudgetMs?: number;
  /** `dp` only: also join subgraphs that share no summed index (outer products); slower. */
  searchOuter?: boolean;
}

/**
 * opt_einsum's linear path convention: each step lists positions in the current operand
 * list; those operands are removed and the result is appended at the end.
 */
export type LinearPath = number[][];

export interface OptimizedPath {
  path: LinearPath;
  /** The optimizer that produced the path (for `auto`, the one it chose). */
  optimizer: OptimizerName;
  /** Set when the requested optimizer ran out of its time budget and greedy took over. */
  fellBackFrom?: OptimizerName;
}
