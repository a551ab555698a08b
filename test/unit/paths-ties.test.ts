import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { costOfPath, toPathProblem } from 'einsight-server/core/cost';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { bestOf } from 'einsight-server/core/paths/greedy';
import { optimizePath } from 'einsight-server/core/paths/index';
import type { OptimizerName } from 'einsight-server/core/paths/types';
import { bruteForceBest, pairwisePaths, score } from '../support/all-paths';
import { randomNetwork } from '../support/random-networks';
import { analyze } from '../support/rewrite-harness';

/** The path an optimizer finds for `eq` at `shapes`, with its exact cost. */
function solve(eq: string, shapes: number[][], optimizer: OptimizerName) {
  const contraction = bindShapes(parseEquation(eq), shapes);
  const { path } = optimizePath(toPathProblem(contraction), { optimizer });
  const cost = costOfPath(contraction, path);
  return { path, flops: cost.flops, largest: cost.largest, price: (p: number[][]) => costOfPath(contraction, p) };
}

describe('among paths of equal FLOPs, the smaller largest intermediate', () => {
  it('optimal contracts a vector into the tensor instead of forming an outer product of the vectors', () => {
    // sum_bc T[a,b,c]·x[b]·y[c]: x⊗y (512 elements) costs as many FLOPs as T·x (256).
    const found = solve('c,b,abc->a', [[16], [32], [16, 32, 16]], 'optimal');
    assert.deepEqual(found.path, [[1, 2], [0, 1]]);
    assert.equal(found.flops, 16_896n);
    assert.equal(found.largest, 256n);
    const outer = found.price([[0, 1], [0, 1]]);
    assert.equal(outer.flops, 16_896n);
    assert.equal(outer.largest, 512n);
  });

  it('auto and auto-hq (the exact search on small contractions) take the same path', () => {
    for (const optimizer of ['auto', 'auto-hq'] as const) {
      assert.deepEqual(solve('c,b,abc->a', [[16], [32], [16, 32, 16]], optimizer).path, [[1, 2], [0, 1]]);
    }
  });

  it('optimal on four operands: the two vectors go into the tensors, not into each other', () => {
    const found = solve('a,ac,b,abc->b', [[32], [32, 16], [8], [32, 8, 16]], 'optimal');
    assert.deepEqual(found.path, [[1, 3], [0, 2], [0, 1]]);
    assert.equal(found.flops, 8_712n);
    assert.equal(found.largest, 256n);
    assert.equal(found.price([[0, 1], [1, 2], [0, 1]]).flops, 8_712n);
    assert.equal(found.price([[0, 1], [1, 2], [0, 1]]).largest, 512n);
  });

  it('dp keeps, per subset, the tree with the smaller largest intermediate when costs tie', () => {
    // b·c first keeps the full (b, c) matrix; T·M first sums b away: same FLOPs.
    const found = solve('abc,bc,c->a', [[16, 32, 16], [32, 16], [16]], 'dp');
    assert.deepEqual(found.path, [[0, 1], [0, 1]]);
    assert.equal(found.flops, 16_896n);
    assert.equal(found.largest, 256n);
    assert.equal(found.price([[1, 2], [0, 1]]).flops, 16_896n);
    assert.equal(found.price([[1, 2], [0, 1]]).largest, 512n);
  });

  it('dp with a disconnected part joins the parts with the same rule', () => {
    const found = solve('abce,a,b,abc->be', [[16, 32, 32, 16], [16], [32], [16, 32, 32]], 'dp');
    assert.deepEqual(found.path, [[0, 3], [0, 2], [0, 1]]);
    assert.equal(found.largest, 8_192n);
  });

  it('branch and bound and greedy take the same paths on these ties', () => {
    for (const optimizer of ['branch-all', 'branch-2', 'branch-1', 'greedy', 'random-greedy'] as const) {
      assert.deepEqual(solve('c,b,abc->a', [[16], [32], [16, 32, 16]], optimizer).path, [[1, 2], [0, 1]], optimizer);
      assert.deepEqual(solve('abc,bc,c->a', [[16, 32, 16], [32, 16], [16]], optimizer).path, [[0, 1], [0, 1]], optimizer);
    }
  });

  it('greedy and the others keep the best of their candidate paths by (FLOPs, largest)', () => {
    const problem = toPathProblem(bindShapes(parseEquation('c,b,abc->a'), [[16], [32], [16, 32, 16]]));
    const outerFirst = [[0, 1], [3, 2]];
    const vectorIntoTensor = [[1, 2], [0, 3]];
    assert.deepEqual(bestOf(problem, 'flops', [outerFirst, vectorIntoTensor]), vectorIntoTensor);
    assert.deepEqual(bestOf(problem, 'flops', [vectorIntoTensor, outerFirst]), vectorIntoTensor);
  });

  it('an analysed numpy call reports the path without the outer product as its best', async () => {
    const analysis = await analyze(`import numpy as np

x = np.ones(16)
y = np.ones(32)
T = np.ones((16, 32, 16))
r = np.einsum('c,b,abc->a', x, y, T)
`);
    const best = analysis.sites[0].best!;
    assert.deepEqual(best.path, [[1, 2], [0, 1]]);
    assert.equal(best.flops, 16_896n);
    assert.deepEqual(best.steps!.map((step) => [step.equation, step.resultSize]), [['abc,b->ac', 256n], ['ac,c->a', 16n]]);
  });

  it('optimal is the lexicographic minimum of (FLOPs, largest) over every pairwise path', () => {
    // Sizes 1 to 3 make equal-FLOP paths common.
    let decisive = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const problem = randomNetwork({ operands: 3 + (seed % 3), regularity: 1.5 + (seed % 3), outputs: seed % 3, singleUse: seed % 2, minSize: 1, maxSize: 3, seed });
      const best = bruteForceBest(problem);
      assert.deepEqual(score(problem, optimizePath(problem, { optimizer: 'optimal' }).path), best, `seed ${seed}`);
      const all = [...pairwisePaths(problem.inputs.length)].map((path) => score(problem, path));
      if (all.some((s) => s.flops === best.flops && s.largest > best.largest)) decisive++;
    }
    // Not vacuous: on many of these an equally cheap path has a larger intermediate.
    assert.ok(decisive >= 10, `${decisive} cases where the tie-break decides`);
  });
});
