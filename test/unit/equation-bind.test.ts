import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bindShapes, parseEquation, parseSublists, type BindOptions } from 'einsight-server/core/equation';
import type { Contraction, Dim } from 'einsight-server/core/contraction';

function bind(text: string, shapes: (Dim[] | null)[] | null, options?: BindOptions): Contraction {
  return bindShapes(parseEquation(text), shapes, options);
}

/** Size of each label by display name: a number when concrete, the symbol (with its stand-in) otherwise. */
function sizesByName(c: Contraction): Record<string, number | string> {
  return Object.fromEntries(
    c.labels.map((name, id) => {
      const { value, symbol } = c.sizes[id];
      return [name, symbol === null ? value : `${symbol}=${value}`];
    }),
  );
}

describe('bindShapes: label ids and terms', () => {
  it('binds a matrix product with concrete sizes', () => {
    assert.deepEqual(bind('ij,jk->ik', [[2, 3], [3, 4]]), {
      inputs: [
        [0, 1],
        [1, 2],
      ],
      output: [0, 2],
      labels: ['i', 'j', 'k'],
      sizes: [
        { value: 2, symbol: null },
        { value: 3, symbol: null },
        { value: 4, symbol: null },
      ],
      style: 'letters',
      ellipsisLabels: [],
    });
  });

  it('numbers labels by first appearance in the inputs and keeps output order', () => {
    const c = bind('jk,ij->ki', [[3, 4], [2, 3]]);
    assert.deepEqual(c.labels, ['j', 'k', 'i']);
    assert.deepEqual(c.output, [1, 2]);
  });

  it('keeps repeated labels inside an operand', () => {
    const c = bind('iij->j', [[2, 2, 3]]);
    assert.deepEqual(c.inputs, [[0, 0, 1]]);
    assert.deepEqual(c.output, [1]);
  });

  it('binds the implicit output', () => {
    assert.deepEqual(bind('ba,ac', [[2, 3], [3, 4]]).output, [0, 2]);
  });

  it('binds scalar operands to empty terms', () => {
    const c = bind(',ij->ij', [[], [2, 3]]);
    assert.deepEqual(c.inputs, [[], [0, 1]]);
  });

  it('marks named equations with the named style and sublists with letters', () => {
    assert.equal(bind('b i, b j -> i j', [[2, 3], [2, 4]]).style, 'named');
    assert.equal(bindShapes(parseSublists([[0, 1]], [1]), [[2, 3]]).style, 'letters');
  });
});

describe('bindShapes: ellipsis', () => {
  it('aligns ellipsis dimensions from the right across operands', () => {
    const c = bind('...ij,...jk->...ik', [
      [2, 3, 4, 5],
      [3, 5, 6],
    ]);
    assert.deepEqual(c.labels, ['…0', '…1', 'i', 'j', 'k']);
    assert.deepEqual(c.ellipsisLabels, [0, 1]);
    assert.deepEqual(c.inputs, [
      [0, 1, 2, 3],
      [1, 3, 4],
    ]);
    assert.deepEqual(c.output, [0, 1, 2, 4]);
    assert.deepEqual(sizesByName(c), { '…0': 2, '…1': 3, i: 4, j: 5, k: 6 });
  });

  it('gives every ellipsis dimension its id at the first ellipsis, even a narrower one', () => {
    const c = bind('i...,...j', [
      [7, 3],
      [2, 3, 5],
    ]);
    assert.deepEqual(c.labels, ['i', '…0', '…1', 'j']);
    assert.deepEqual(c.inputs, [
      [0, 2],
      [1, 2, 3],
    ]);
    assert.deepEqual(c.output, [1, 2, 0, 3]);
  });

  it('allows an ellipsis of width zero', () => {
    const c = bind('...ij,jk', [
      [2, 3],
      [3, 4],
    ]);
    assert.deepEqual(c.ellipsisLabels, []);
    assert.deepEqual(c.inputs, [
      [0, 1],
      [1, 2],
    ]);
    assert.deepEqual(c.output, [0, 2]);
  });

  it('broadcasts size-1 ellipsis dimensions', () => {
    const c = bind('...i,...i->...i', [
      [1, 4, 3],
      [5, 1, 3],
    ]);
    assert.deepEqual(sizesByName(c), { '…0': 5, '…1': 4, i: 3 });
  });

  it('sums ellipsis dimensions that the output leaves out', () => {
    const c = bind('...ij->ij', [[7, 2, 3]]);
    assert.deepEqual(c.inputs, [[0, 1, 2]]);
    assert.deepEqual(c.output, [1, 2]);
  });

  it('takes width zero for an operand of unknown shape', () => {
    const c = bind('...ij,...jk', [[5, 2, 3], null]);
    assert.deepEqual(c.inputs, [
      [0, 1, 2],
      [2, 3],
    ]);
    assert.deepEqual(c.output, [0, 1, 3]);
    assert.deepEqual(sizesByName(c), { '…0': 5, i: 2, j: 3, k: 'k=64' });
  });
});

describe('bindShapes: broadcasting and concrete sizes', () => {
  it('lets size 1 yield to a larger size in either order', () => {
    assert.deepEqual(sizesByName(bind('ij,ij->ij', [[1, 3], [4, 3]])), { i: 4, j: 3 });
    assert.deepEqual(sizesByName(bind('ij,ij->ij', [[4, 3], [1, 3]])), { i: 4, j: 3 });
  });

  it('accepts size 0', () => {
    assert.deepEqual(sizesByName(bind('ij,jk', [[0, 3], [3, 4]])), { i: 0, j: 3, k: 4 });
  });
});

describe('bindShapes: symbolic and unknown sizes', () => {
  it('keeps symbolic names with the default stand-in of 64', () => {
    const c = bind('ij,jk', [
      ['B', 'N'],
      ['N', 8],
    ]);
    assert.deepEqual(c.sizes, [
      { value: 64, symbol: 'B' },
      { value: 64, symbol: 'N' },
      { value: 8, symbol: null },
    ]);
  });

  it('uses options.defaultSize as the stand-in', () => {
    assert.deepEqual(sizesByName(bind('ij', [['B', 'N']], { defaultSize: 16 })), { i: 'B=16', j: 'N=16' });
  });

  it('resolves symbolic names through options.dims', () => {
    assert.deepEqual(sizesByName(bind('ij,jk', [['B', 'N'], ['N', 8]], { dims: { N: 10 } })), {
      i: 'B=64',
      j: 10,
      k: 8,
    });
  });

  it('names an unknown size after its label', () => {
    assert.deepEqual(sizesByName(bind('ij,jk', [[2, null], null])), { i: 2, j: 'j=64', k: 'k=64' });
    assert.deepEqual(sizesByName(bind('batch i, batch -> i', null)), { batch: 'batch=64', i: 'i=64' });
  });

  it('lets options.dims bind an unknown size through its label name', () => {
    assert.deepEqual(sizesByName(bind('batch i -> i', [[null, 3]], { dims: { batch: 32 } })), { batch: 32, i: 3 });
  });

  it('ignores inherited object keys when looking up options.dims', () => {
    assert.deepEqual(sizesByName(bind('ij', [['constructor', 2]], { dims: {} })), { i: 'constructor=64', j: 2 });
  });

  it('prefers any known size to an unknown one', () => {
    assert.deepEqual(sizesByName(bind('ij,ij', [[null, null], ['B', 5]])), { i: 'B=64', j: 5 });
  });

  it('prefers a concrete size to a symbol, in either order', () => {
    assert.deepEqual(sizesByName(bind('ij,ij', [['N', 3], [5, 'M']])), { i: 5, j: 3 });
  });

  it('lets size 1 from another operand broadcast against a symbol', () => {
    assert.deepEqual(sizesByName(bind('ij,ij', [[1, 3], ['N', 3]])), { i: 'N=64', j: 3 });
    assert.deepEqual(sizesByName(bind('ij,ij', [['N', 3], [1, 3]])), { i: 'N=64', j: 3 });
  });

  it('lets a diagonal pin a symbol to the concrete size in the same operand', () => {
    assert.deepEqual(sizesByName(bind('ii->i', [['N', 1]])), { i: 1 });
  });

  it('keeps the first of two symbols without an error', () => {
    assert.deepEqual(sizesByName(bind('ij,ij', [['A', 2], ['B', 2]])), { i: 'A=64', j: 2 });
  });

  it('does not let a concrete size bind the symbol elsewhere', () => {
    assert.deepEqual(sizesByName(bind('ij,jk', [['N', 'N'], [3, 'N']])), { i: 'N=64', j: 3, k: 'N=64' });
  });

  it('treats every operand as unknown when shapes is null, checking operandCount', () => {
    const c = bindShapes(parseEquation('ij,jk->ik'), null, { operandCount: 2 });
    assert.deepEqual(sizesByName(c), { i: 'i=64', j: 'j=64', k: 'k=64' });
  });
});
