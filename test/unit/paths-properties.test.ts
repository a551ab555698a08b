import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optimizePath } from 'einsight-server/core/paths/index';
import { validatePath } from 'einsight-server/core/cost';
import type { LinearPath, OptimizerName, PathProblem } from 'einsight-server/core/paths/types';
import { randomNetwork } from '../support/random-networks';
import { bruteForceBest, pairwisePaths, score } from '../support/all-paths';

const ALL: OptimizerName[] = ['optimal', 'dp', 'branch-all', 'branch-2', 'branch-1', 'greedy', 'random-greedy', 'auto', 'auto-hq'];

/** Replays a linear path over label sets; returns the labels of the final tensor. */
function finalLabels(problem: PathProblem, path: LinearPath): Set<number> {
  const live = problem.inputs.map((t) => new Set(t));
  for (const step of path) {
    const taken = [...step].sort((a, b) => b - a).map((p) => live.splice(p, 1)[0]);
    const needed = new Set([...problem.output, ...live.flatMap((t) => [...t])]);
    live.push(new Set(taken.flatMap((t) => [...t]).filter((l) => needed.has(l))));
  }
  assert.equal(live.length, 1);
  return live[0];
}

function flops(problem: PathProblem, path: LinearPath): number {
  return score(problem, path).flops;
}

describe('optimizers on random networks', () => {
  it('every optimizer returns a valid path whose result carries exactly the output labels', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const problem = randomNetwork({ operands: 3 + (seed % 8), regularity: 2.5, outputs: seed % 3, singleUse: seed % 2, repeats: seed % 3 === 0 ? 1 : 0, seed });
      for (const optimizer of ALL) {
        const { path } = optimizePath(problem, { optimizer, seed });
        validatePath(problem.inputs.length, path);
        assert.deepEqual(finalLabels(problem, path), new Set(problem.output), `seed ${seed} ${optimizer}`);
      }
    }
  });

  it('optimal equals the brute-force minimum, single-use indices, diagonals and outer products included', () => {
    for (let seed = 100; seed < 160; seed++) {
      const problem = randomNetwork({ operands: 3 + (seed % 3), regularity: 1.5 + (seed % 3), outputs: seed % 2, singleUse: seed % 3, repeats: seed % 2, seed });
      const { path } = optimizePath(problem, { optimizer: 'optimal' });
      assert.equal(flops(problem, path), bruteForceBest(problem).flops, `seed ${seed}`);
    }
  });

  it('optimal is never above any pairwise optimizer', () => {
    for (let seed = 200; seed < 240; seed++) {
      const problem = randomNetwork({ operands: 5 + (seed % 6), regularity: 3, outputs: 2, seed });
      const best = flops(problem, optimizePath(problem, { optimizer: 'optimal' }).path);
      for (const optimizer of ALL.filter((o) => o !== 'dp')) {
        assert.ok(best <= flops(problem, optimizePath(problem, { optimizer }).path), `seed ${seed} ${optimizer}`);
      }
    }
  });

  it('dp may sum single-use indices first, which beats every pairwise-only path', () => {
    // a[i,j] · b[j,k] · c[k,l] with a huge index s only on a: summing s first is far cheaper.
    const problem: PathProblem = { inputs: [[0, 1, 4], [1, 2], [2, 3]], output: [0, 3], sizes: [4, 4, 4, 4, 1000] };
    const dp = optimizePath(problem, { optimizer: 'dp' }).path;
    const optimal = optimizePath(problem, { optimizer: 'optimal' }).path;
    assert.deepEqual(dp[0], [0]);
    assert.ok(flops(problem, dp) < flops(problem, optimal));
  });

  it("objective 'size' finds the smallest possible largest intermediate", () => {
    for (let seed = 300; seed < 320; seed++) {
      const problem = randomNetwork({ operands: 5, regularity: 2.5, outputs: 1, seed });
      const bySize = score(problem, optimizePath(problem, { optimizer: 'optimal', objective: 'size' }).path);
      let smallest = Infinity;
      for (const path of pairwisePaths(5)) smallest = Math.min(smallest, score(problem, path).largest);
      assert.equal(bySize.largest, smallest, `seed ${seed}`);
      assert.equal(optimizePath(problem, { optimizer: 'dp', objective: 'size' }).path.length, 4);
    }
  });

  it('random-greedy is deterministic for a seed', () => {
    const problem = randomNetwork({ operands: 30, regularity: 3, outputs: 2, seed: 7 });
    const a = optimizePath(problem, { optimizer: 'random-greedy', seed: 42 });
    const b = optimizePath(problem, { optimizer: 'random-greedy', seed: 42 });
    assert.deepEqual(a.path, b.path);
  });
});

describe('auto', () => {
  it('runs the exact search for small networks, dp in the middle and greedy for large ones', () => {
    const sized = (operands: number) => randomNetwork({ operands, regularity: 2.2, outputs: 1, seed: operands });
    assert.equal(optimizePath(sized(8), { optimizer: 'auto' }).optimizer, 'optimal');
    assert.equal(optimizePath(sized(16), { optimizer: 'auto' }).optimizer, 'dp');
    assert.equal(optimizePath(sized(60), { optimizer: 'auto' }).optimizer, 'greedy');
    assert.equal(optimizePath(sized(15), { optimizer: 'auto-hq' }).optimizer, 'optimal');
    assert.equal(optimizePath(sized(60), { optimizer: 'auto-hq' }).optimizer, 'random-greedy');
  });

  it('falls back to greedy instead of running past its time budget', () => {
    const dense = randomNetwork({ operands: 19, regularity: 8, outputs: 2, seed: 5 });
    const { optimizer, path } = optimizePath(dense, { optimizer: 'auto', timeBudgetMs: 1 });
    assert.equal(optimizer, 'greedy');
    validatePath(19, path);
  });

  it('handles one and two operands as opt_einsum does', () => {
    assert.deepEqual(optimizePath({ inputs: [[0, 0]], output: [], sizes: [3] }).path, [[0]]);
    assert.deepEqual(optimizePath({ inputs: [[0], [0]], output: [], sizes: [3] }).path, [[0, 1]]);
  });

  it('greedy copes with a 1,000-operand network', () => {
    const big = randomNetwork({ operands: 1000, regularity: 3, outputs: 4, seed: 11 });
    const { path } = optimizePath(big, { optimizer: 'greedy' });
    validatePath(1000, path);
    assert.deepEqual(finalLabels(big, path), new Set(big.output));
  });
});

describe('option errors', () => {
  it('rejects a negative memory limit and too many operands for the exact search', () => {
    const p = randomNetwork({ operands: 4, regularity: 2, outputs: 0, seed: 1 });
    assert.throws(() => optimizePath(p, { memoryLimit: -1 }), /memory limit must be a non-negative number/);
    const huge = randomNetwork({ operands: 25, regularity: 2, outputs: 0, seed: 1 });
    assert.throws(() => optimizePath(huge, { optimizer: 'optimal' }), /optimal searches at most 20 operands/);
    assert.throws(() => optimizePath({ inputs: [], output: [], sizes: [] }), /at least one operand/);
  });
});

describe('dp with outer products', () => {
  it('reaches the exact minimum when an outer product is the cheapest first step', () => {
    // Two small vectors whose outer product is tiny, then one contraction with a big tensor:
    // dp without outer products must contract the big tensor twice.
    const problem: PathProblem = { inputs: [[0], [1], [0, 1, 2]], output: [2], sizes: [30, 30, 1000] };
    const optimal = flops(problem, optimizePath(problem, { optimizer: 'optimal' }).path);
    const connected = flops(problem, optimizePath(problem, { optimizer: 'dp' }).path);
    const withOuter = flops(problem, optimizePath(problem, { optimizer: 'dp', searchOuter: true }).path);
    assert.equal(withOuter, optimal);
    assert.ok(connected > optimal);
  });
});

describe('time budgets', () => {
  it('gives way to greedy when an exhaustive search runs out of its budget', () => {
    const dense = randomNetwork({ operands: 16, regularity: 6, outputs: 2, seed: 3 });
    const result = optimizePath(dense, { optimizer: 'branch-all', timeBudgetMs: 20 });
    assert.equal(result.optimizer, 'greedy');
    assert.equal(result.fellBackFrom, 'branch-all');
    validatePath(16, result.path);
  });

  it('with a budget, too many operands for optimal or dp is a fallback, not an error', () => {
    const wide = randomNetwork({ operands: 40, regularity: 3, outputs: 2, seed: 4 });
    for (const optimizer of ['optimal', 'dp'] as const) {
      const result = optimizePath(wide, { optimizer, timeBudgetMs: 50 });
      assert.equal(result.fellBackFrom, optimizer);
      validatePath(40, result.path);
    }
    assert.throws(() => optimizePath(wide, { optimizer: 'optimal' }), /optimal searches at most 20 operands/);
  });

  it('random-greedy stops its trials at the deadline with a valid path', () => {
    const big = randomNetwork({ operands: 300, regularity: 3, outputs: 2, seed: 5 });
    const result = optimizePath(big, { optimizer: 'random-greedy', timeBudgetMs: 1 });
    assert.equal(result.optimizer, 'random-greedy');
    validatePath(300, result.path);
  });
});
