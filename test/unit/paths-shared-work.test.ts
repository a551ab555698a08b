/**
 * Work the path optimizers share for speed gives the same results as work done afresh: the
 * greedy setup shared by its variants and trials, the scratch counters `pathScore` reuses,
 * and the greedy path scored once under a memory limit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { branchPath } from 'einsight-server/core/paths/branch';
import { pathScore } from 'einsight-server/core/paths/evaluate';
import { bestGreedySsa, bestOf, greedySetup, greedySsa, memoryRemoved, type Chooser, type GreedyCost } from 'einsight-server/core/paths/greedy';
import { optimizePath } from 'einsight-server/core/paths/index';
import { ssaToLinear } from 'einsight-server/core/paths/ssa';
import type { PathProblem } from 'einsight-server/core/paths/types';
import { loadOracle, problemOf } from '../support/oracle';

const cases = [...loadOracle('paths.jsonl'), ...loadOracle('paths-large.jsonl')].filter((c) => c.n >= 3);

const COSTS: GreedyCost[] = [memoryRemoved, (s12, s1, s2) => s12 - 0.5 * (s1 + s2), (s12) => s12, (s12, s1, s2) => s1 + s2 - s12];

describe('greedy setup shared by its variants', () => {
  it('gives every variant the path it finds with a setup of its own, and is left unchanged', () => {
    for (const c of cases) {
      const problem = problemOf(c);
      const shared = greedySetup(problem);
      const before = JSON.stringify({ ...shared, isOutput: [...shared.isOutput] });
      for (const cost of COSTS) assert.deepEqual(greedySsa(problem, cost, undefined, shared), greedySsa(problem, cost), c.id);
      assert.equal(JSON.stringify({ ...shared, isOutput: [...shared.isOutput] }), before, c.id);
    }
  });

  it('gives a custom chooser (all candidates queued, as random-greedy runs) the same paths', () => {
    const firstLive: Chooser = (queue, remaining) => {
      const c = queue.pop()!;
      return remaining.has(c.k1) && remaining.has(c.k2) ? c : null;
    };
    for (const c of cases) {
      const problem = problemOf(c);
      const shared = greedySetup(problem);
      for (const cost of COSTS) assert.deepEqual(greedySsa(problem, cost, firstLive, shared), greedySsa(problem, cost, firstLive), c.id);
    }
  });
});

describe('pathScore scratch counters', () => {
  it('scores each path the same whatever was scored before, including a problem wider than the first scratch', () => {
    const wide: PathProblem = { inputs: [Array.from({ length: 40 }, (_, i) => i), Array.from({ length: 40 }, (_, i) => i + 30)], output: [0, 69], sizes: Array(70).fill(2) };
    const scored = cases.map((c) => pathScore(problemOf(c), greedySsa(problemOf(c))));
    assert.deepEqual(pathScore(wide, [[0, 1]]), { flops: 2 ** 70 * 2, largest: 4 });
    const again = [...cases].reverse().map((c) => pathScore(problemOf(c), greedySsa(problemOf(c)))).reverse();
    assert.deepEqual(again, scored);
  });
});

describe('greedy under a memory limit', () => {
  it('picks as bestOf([branch-1 under the limit, greedy]) does, the greedy only when it fits', () => {
    let greedyWon = 0;
    for (const c of cases) {
      const problem = problemOf(c);
      const largestInput = Math.max(...problem.inputs.map((labels) => [...new Set(labels)].reduce((p, l) => p * problem.sizes[l], 1)));
      for (const limit of [largestInput, largestInput * 4]) {
        const bounded = branchPath(problem, { nbranch: 1, memoryLimit: limit, objective: 'flops' });
        const greedy = bestGreedySsa(problem);
        const expected = pathScore(problem, greedy).largest > limit ? bounded : bestOf(problem, 'flops', [bounded, greedy]);
        const got = optimizePath(problem, { optimizer: 'greedy', memoryLimit: limit });
        assert.deepEqual(got.path, ssaToLinear(expected, c.n), c.id);
        assert.equal(got.optimizer, expected === greedy ? 'greedy' : 'branch-1', c.id);
        if (got.optimizer === 'greedy') greedyWon++;
      }
    }
    assert.ok(greedyWon > 0);
  });
});
