import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeContraction } from 'einsight-server/core/analyze';
import type { Dim } from 'einsight-server/core/contraction';
import { costOfPath, leftToRightPath, naiveCost, validatePath } from 'einsight-server/core/cost';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';

const bind = (eq: string, shapes: Dim[][] | null, dims?: Record<string, number>) => bindShapes(parseEquation(eq), shapes, { dims });

describe('steps as opt_einsum reports them', () => {
  it('takes operands highest position first and orders intermediates for tensordot', () => {
    const c = bind('zij,zjk,zk->zi', [[1000, 4, 5], [1000, 5, 8], [1000, 8]]);
    const cost = costOfPath(c, [[1, 2], [0, 1]]);
    assert.deepEqual(cost.steps.map((s) => s.equation), ['zk,zjk->zj', 'zj,zij->zi']);
    assert.deepEqual(cost.steps.map((s) => s.flops), [80000n, 40000n]);
    assert.deepEqual(cost.steps.map((s) => s.scaling), [3, 3]);
    assert.equal(cost.largest, 5000n);
  });

  it('names the BLAS kind of each pairwise step', () => {
    const kind = (eq: string, shapes: number[][]) => costOfPath(bind(eq, shapes), [[0, 1]]).steps[0].blas;
    assert.equal(kind('ij,jk->ik', [[2, 3], [3, 4]]), 'GEMM');
    assert.equal(kind('ij,j->i', [[2, 3], [3]]), 'GEMM');
    assert.equal(kind('ijk,jkl->il', [[2, 3, 4], [3, 4, 5]]), 'GEMM');
    assert.equal(kind('ijk,lkj->il', [[2, 3, 4], [5, 4, 3]]), 'TDOT');
    assert.equal(kind('ij,ij->', [[2, 3], [2, 3]]), 'DOT');
    assert.equal(kind('ij,ji->', [[2, 3], [3, 2]]), 'DOT/EINSUM');
    assert.equal(kind('i,j->ij', [[2], [3]]), 'OUTER/EINSUM');
    assert.equal(kind('bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]), 'EINSUM');
    assert.equal(kind('iij,jk->ik', [[3, 3, 4], [4, 5]]), 'EINSUM');
    assert.equal(kind('ijk,jk->i', [[2, 3, 4], [3, 4]]), 'GEMM');
    assert.equal(kind('ijk,kj->i', [[2, 3, 4], [4, 3]]), 'GEMV/EINSUM');
    assert.equal(kind('ijk,jl->ikl', [[2, 3, 4], [3, 5]]), 'TDOT');
  });

  it('counts a single-operand trace and the naive cost like opt_einsum', () => {
    const trace = bind('ii->', [[10, 10]]);
    assert.equal(costOfPath(trace, [[0]]).flops, 20n);
    assert.equal(naiveCost(trace).flops, 10n);
    const outer = bind('i,j,k->ijk', [[10], [20], [31]]);
    assert.equal(naiveCost(outer).flops, 2n * 6200n);
  });

  it('keeps counts exact far beyond 2^53', () => {
    const c = bind('ab,bc,cd->ad', [[100000, 100000], [100000, 100000], [100000, 100000]]);
    const analysis = analyzeContraction(c, { optimizer: 'optimal' });
    assert.equal(analysis.best.flops, 4n * 10n ** 15n);
    assert.equal(analysis.naive.flops, 3n * 10n ** 20n);
    assert.equal(analysis.leftToRight.flops, 4n * 10n ** 15n);
  });
});

describe('left to right', () => {
  it('contracts in source order', () => {
    assert.deepEqual(leftToRightPath(1), [[0]]);
    assert.deepEqual(leftToRightPath(2), [[0, 1]]);
    assert.deepEqual(leftToRightPath(4), [[0, 1], [0, 2], [0, 1]]);
    const c = bind('ij,jk,kl,l->i', [[512, 512], [512, 512], [512, 512], [512]]);
    const analysis = analyzeContraction(c);
    // ((ij·jk)·kl)·l: two 512³ matrix products before the vector arrives.
    assert.equal(analysis.leftToRight.flops, 2n * 512n ** 3n * 2n + 2n * 512n ** 2n);
    assert.equal(analysis.best.flops, 1572864n);
  });

  it('rejects paths that are not valid for the operand count', () => {
    assert.throws(() => validatePath(3, [[0, 1]]), /leaves 2 operands/);
    assert.throws(() => validatePath(3, [[0, 3], [0, 1]]), /step 1 \(\[0,3\]\) must name distinct positions below 3/);
    assert.throws(() => validatePath(2, [[0, 0]]), /distinct/);
  });
});

describe('symbolic sizes', () => {
  it('reports costs as polynomials and scalings in the size names', () => {
    const c = bind('ij,jk,kl,l->i', [['N', 'N'], ['N', 'N'], ['N', 'N'], ['N']]);
    const analysis = analyzeContraction(c);
    assert.equal(analysis.symbolic, true);
    assert.equal(analysis.naive.flopsPolynomial.toString(), '4·N^4');
    assert.equal(analysis.best.flopsPolynomial.toString(), '6·N^2');
    assert.equal(analysis.naive.flopsPolynomial.scalingString(), 'O(N^4)');
    assert.equal(analysis.best.flopsPolynomial.scalingString(), 'O(N^2)');
  });

  it('mixes concrete and symbolic sizes, and binds names from the dimension table', () => {
    const c = bind('bij,bjk->bik', [['B', 4, 5], ['B', 5, 6]]);
    assert.equal(analyzeContraction(c).best.flopsPolynomial.toString(), '240·B');
    const bound = bind('bij,bjk->bik', [['B', 4, 5], ['B', 5, 6]], { B: 10 });
    assert.equal(analyzeContraction(bound).best.flops, 2400n);
    assert.equal(analyzeContraction(bound).symbolic, false);
  });
});

describe('ellipsis and named axes in steps', () => {
  it('writes ellipsis dimensions back as ... and named axes with spaces', () => {
    const c = bind('...ij,...jk,...k->...i', [[7, 2, 3], [7, 3, 4], [7, 4]]);
    const cost = costOfPath(c, [[1, 2], [0, 1]]);
    assert.deepEqual(cost.steps.map((s) => s.equation), ['...k,...jk->...j', '...j,...ij->...i']);
    const named = bind('batch i j, batch j k, batch k -> batch i', [[7, 2, 3], [7, 3, 4], [7, 4]]);
    assert.equal(costOfPath(named, [[1, 2], [0, 1]]).steps[0].equation, 'batch k,batch j k->batch j');
  });
});
