/**
 * Entry point of path finding: resolves options, handles the trivial cases the way
 * opt_einsum's contract_path does, and dispatches to one optimizer.
 */
import { branchPath } from './branch';
import { dpPath } from './dp';
import { bestGreedyScored, bestGreedySsa, bestOf, randomGreedySsa, scoresBetter } from './greedy';
import { solveWithSingleUseSummedFirst } from './reduce';
import { BudgetExceeded, NoPathWithinLimit, TooManyOperands, labelSets, sizeOf } from './labelsets';
import { optimalPath } from './optimal';
import { pathScore } from './evaluate';
import { ssaToLinear, type SsaPath } from './ssa';
import type { MemoryLimit, OptimizeOptions, OptimizedPath, OptimizerName, PathProblem } from './types';

export * from './types';

/** Operand counts up to which `auto` / `auto-hq` run the exact subset search. */
const AUTO_OPTIMAL_MAX = 12;
const AUTO_HQ_OPTIMAL_MAX = 15;
const AUTO_DP_MAX = 20;
const AUTO_HQ_DP_MAX = 31;
const DEFAULT_AUTO_BUDGET_MS = 100;
const DEFAULT_AUTO_HQ_BUDGET_MS = 1000;

export function optimizePath(problem: PathProblem, options: OptimizeOptions = {}): OptimizedPath {
  const optimizer = options.optimizer ?? 'auto';
  const n = problem.inputs.length;
  if (n === 0) throw new RangeError('a contraction needs at least one operand');
  // As opt_einsum: one or two operands leave nothing to order.
  if (n <= 2) return { path: [n === 1 ? [0] : [0, 1]], optimizer };
  const limit = resolveMemoryLimit(options.memoryLimit ?? null, problem);
  const objective = options.objective ?? 'flops';
  try {
    const { ssa, used } = run(optimizer, problem, limit, objective, options);
    return { path: ssaToLinear(ssa, n), optimizer: used };
  } catch (error) {
    // With a budget, an exhaustive search that runs out of time (or is asked for more
    // operands than it can search) gives way to greedy instead of hanging the caller.
    const outOfBudget = error instanceof BudgetExceeded || error instanceof TooManyOperands;
    if (!outOfBudget || options.timeBudgetMs === undefined) throw error;
    const { ssa, used } = run('greedy', problem, limit, objective, {});
    return { path: ssaToLinear(ssa, n), optimizer: used, fellBackFrom: optimizer };
  }
}

/** What opt_einsum 3.4's `auto` runs for n operands (torch and opt_einsum.contract use it). */
export function optEinsumAutoChoice(n: number): OptimizerName {
  if (n <= 4) return 'optimal';
  if (n <= 6) return 'branch-all';
  if (n <= 8) return 'branch-2';
  if (n <= 14) return 'branch-1';
  return 'greedy';
}

export function resolveMemoryLimit(limit: MemoryLimit, problem: PathProblem): number {
  if (limit === null) return Infinity;
  if (limit === 'max_input') return Math.max(...labelSets(problem).inputs.map((labels) => sizeOf(labels, problem.sizes)));
  if (!(limit >= 0)) throw new RangeError(`memory limit must be a non-negative number of elements (got ${limit})`);
  return limit;
}

function run(
  optimizer: OptimizerName,
  problem: PathProblem,
  limit: number,
  objective: 'flops' | 'size',
  options: OptimizeOptions,
): { ssa: SsaPath; used: OptimizerName } {
  const n = problem.inputs.length;
  const seed = options.seed ?? 0;
  const budgetMs = options.timeBudgetMs;
  switch (optimizer) {
    case 'optimal':
      return { ssa: optimalPath(problem, { memoryLimit: limit, objective, budgetMs }), used: optimizer };
    case 'dp':
      return { ssa: dpOrAllAtOnce(problem, limit, objective, budgetMs, options.searchOuter), used: optimizer };
    case 'branch-all':
    case 'branch-2':
    case 'branch-1': {
      const nbranch = optimizer === 'branch-all' ? null : optimizer === 'branch-2' ? 2 : 1;
      return { ssa: branchPath(problem, { nbranch, memoryLimit: limit, objective, budgetMs }), used: optimizer };
    }
    case 'greedy':
      if (limit < Infinity) {
        // opt_einsum's greedy ignores memory and runs branch-1 under a limit; we also keep a
        // plain greedy path when it happens to fit.
        const bounded = branchPath(problem, { nbranch: 1, memoryLimit: limit, objective, budgetMs });
        const greedy = bestGreedyScored(problem, objective);
        if (greedy.largest > limit) return { ssa: bounded, used: 'branch-1' };
        // As bestOf([bounded, greedy]): the bounded path wins ties.
        const greedyWins = scoresBetter(objective, greedy, pathScore(problem, bounded));
        return greedyWins ? { ssa: greedy.path, used: 'greedy' } : { ssa: bounded, used: 'branch-1' };
      }
      return { ssa: bestGreedySsa(problem, objective), used: optimizer };
    case 'random-greedy':
      if (limit < Infinity) return run('greedy', problem, limit, objective, options);
      return { ssa: randomGreedySsa(problem, { repeats: 32, seed, objective, budgetMs }), used: optimizer };
    case 'auto':
    case 'auto-hq': {
      const hq = optimizer === 'auto-hq';
      const autoBudgetMs = options.timeBudgetMs ?? (hq ? DEFAULT_AUTO_HQ_BUDGET_MS : DEFAULT_AUTO_BUDGET_MS);
      const fallback = () =>
        hq && limit === Infinity
          ? { ssa: randomGreedySsa(problem, { repeats: 128, seed, objective, budgetMs: autoBudgetMs }), used: 'random-greedy' as const }
          : run('greedy', problem, limit, objective, options);
      try {
        if (n <= (hq ? AUTO_HQ_OPTIMAL_MAX : AUTO_OPTIMAL_MAX)) {
          return { ssa: optimalPath(problem, { memoryLimit: limit, objective, budgetMs: autoBudgetMs }), used: 'optimal' };
        }
        if (n <= (hq ? AUTO_HQ_DP_MAX : AUTO_DP_MAX)) {
          return { ssa: dpOrAllAtOnce(problem, limit, objective, autoBudgetMs), used: 'dp' };
        }
      } catch (error) {
        if (!(error instanceof BudgetExceeded)) throw error;
      }
      return fallback();
    }
  }
}

/** dp as searched directly and with single-use indices summed first; the better path wins. */
function dpOrAllAtOnce(
  problem: PathProblem,
  limit: number,
  objective: 'flops' | 'size',
  budgetMs?: number,
  searchOuter = false,
): SsaPath {
  const solve = (p: PathProblem) => dpPath(p, { memoryLimit: limit, objective, budgetMs, searchOuter });
  try {
    const direct = solve(problem);
    const reducedFirst = solveWithSingleUseSummedFirst(problem, solve);
    return reducedFirst ? bestOf(problem, objective, [direct, reducedFirst]) : direct;
  } catch (error) {
    if (error instanceof NoPathWithinLimit) return [problem.inputs.map((_, i) => i)];
    throw error;
  }
}
