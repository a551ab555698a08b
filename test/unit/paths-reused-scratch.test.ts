/**
 * Storage the path code reuses from call to call (pathScore's terms, greedy's counts,
 * ssaToLinear's marks) gives what fresh storage would: the same answers whatever ran before,
 * wider or narrower; branch's sizes without byte tables are the same doubles while products
 * are exact, and branch-1's scan takes the candidate its queue would.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { branchPath } from 'einsight-server/core/paths/branch';
import { pathScore } from 'einsight-server/core/paths/evaluate';
import { greedySsa, memoryRemoved } from 'einsight-server/core/paths/greedy';
import { LabelSpace } from 'einsight-server/core/paths/labelsets';
import { ssaToLinear, type SsaPath } from 'einsight-server/core/paths/ssa';
import type { PathProblem } from 'einsight-server/core/paths/types';
import { loadOracle, problemOf } from '../support/oracle';

const cases = [...loadOracle('paths.jsonl'), ...loadOracle('paths-large.jsonl')].filter((c) => c.n >= 2);
const problems = cases.map(problemOf);

/** pathScore as plainly as it can be written: sets of labels, a new list per term. */
function plainScore(problem: PathProblem, path: SsaPath): { flops: number; largest: number } {
  const live = problem.inputs.map((term) => [...new Set(term)].sort((a, b) => a - b));
  const output = new Set(problem.output);
  let flops = 0;
  let largest = 0;
  for (const step of path) {
    const taken = new Set(step);
    const union: number[] = [];
    for (const id of step) for (const l of live[id]) if (!union.includes(l)) union.push(l);
    const elsewhere = (l: number) => output.has(l) || live.some((term, id) => !taken.has(id) && term.includes(l));
    const result = union.filter(elsewhere);
    let unionSize = 1;
    for (const l of union) unionSize *= problem.sizes[l];
    let resultSize = 1;
    for (const l of result) resultSize *= problem.sizes[l];
    flops += unionSize * (Math.max(1, step.length - 1) + (result.length < union.length ? 1 : 0));
    largest = Math.max(largest, resultSize);
    for (const id of step) live[id] = [];
    live.push(result);
  }
  return { flops, largest };
}

/** Runs `run` over the problems first to last, then last to first: each answer must not depend on the order. */
function bothOrders<T>(run: (problem: PathProblem) => T): void {
  const forward = problems.map(run);
  const backward = [...problems].reverse().map(run).reverse();
  assert.deepEqual(backward, forward);
}

describe('storage reused by the path code', () => {
  it('scores every path as a plain count does, in either order', () => {
    const paths = problems.map((problem) => greedySsa(problem));
    problems.forEach((problem, k) => assert.deepEqual(pathScore(problem, paths[k]), plainScore(problem, paths[k]), cases[k].id));
    bothOrders((problem) => pathScore(problem, greedySsa(problem)));
  });

  it('finds the same greedy paths whatever ran before', () => {
    bothOrders((problem) => greedySsa(problem, memoryRemoved));
    bothOrders((problem) => greedySsa(problem, (s12) => s12));
  });

  it('turns SSA paths into linear ones whatever ran before, and still refuses ids that are not live', () => {
    bothOrders((problem) => ssaToLinear(greedySsa(problem), problem.inputs.length));
    const long = problems.reduce((a, b) => (a.inputs.length >= b.inputs.length ? a : b));
    ssaToLinear(greedySsa(long), long.inputs.length);
    assert.throws(() => ssaToLinear([[0, 1], [2, 5]], 3), /SSA id 5 is not live/);
    assert.throws(() => ssaToLinear([[0, 1], [0, 3]], 3), /SSA id 0 is not live/);
    assert.deepEqual(ssaToLinear([[0, 2], [1, 3]], 3), [[0, 2], [0, 1]]);
  });
});

describe('sizes of label sets with and without byte tables', () => {
  it('are the same doubles while the product of every size is exact', () => {
    for (const problem of problems) {
      const sizes = problem.sizes;
      if (sizes.reduce((a, b) => a * b, 1) > Number.MAX_SAFE_INTEGER) continue;
      const tables = new LabelSpace(sizes, true);
      const bitwise = new LabelSpace(sizes, false);
      const sets = tables.alloc(problem.inputs.length + 1);
      problem.inputs.forEach((term, k) => tables.fromLabels(term, sets, k));
      tables.fromLabels(sizes.map((_, l) => l), sets, problem.inputs.length);
      for (let k = 0; k <= problem.inputs.length; k++) assert.equal(bitwise.size(sets, k), tables.size(sets, k));
      for (let k = 1; k < problem.inputs.length; k++) assert.equal(bitwise.unionSize(sets, k - 1, sets, k), tables.unionSize(sets, k - 1, sets, k));
    }
  });
});

describe('branch-1 without its queue', () => {
  it('takes the candidate the queue would give first, with and without a memory limit', () => {
    for (const [k, problem] of problems.entries()) {
      if (problem.inputs.length < 3) continue;
      const largest = Math.max(...problem.inputs.map((term) => term.reduce((size, l) => size * problem.sizes[l], 1)));
      for (const memoryLimit of [Infinity, largest, largest / 4]) {
        for (const objective of ['flops', 'size'] as const) {
          const options = { nbranch: 1, memoryLimit, objective };
          assert.deepEqual(branchPath(problem, options), branchPath(problem, { ...options, alwaysQueue: true }), `${cases[k].id} ${memoryLimit} ${objective}`);
        }
      }
    }
  });
});
