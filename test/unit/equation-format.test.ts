import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bindShapes, formatEquation, formatTerm, parseEquation, parseSublists } from 'einsight-server/core/equation';
import type { Contraction, Dim } from 'einsight-server/core/contraction';

function bind(text: string, shapes: (Dim[] | null)[] | null): Contraction {
  return bindShapes(parseEquation(text), shapes);
}

describe('formatEquation', () => {
  it('writes the explicit, normalised letter equation', () => {
    assert.equal(formatEquation(bind(' ij , jk ', [[2, 3], [3, 4]])), 'ij,jk->ik');
    assert.equal(formatEquation(bind('ii', [[2, 2]])), 'ii->');
    assert.equal(formatEquation(bind('iij', [[2, 2, 3]])), 'iij->j');
  });

  it('writes the implicit ellipsis output first', () => {
    const c = bind('...ij,...jk', [
      [5, 2, 3],
      [5, 3, 4],
    ]);
    assert.equal(formatEquation(c), '...ij,...jk->...ik');
  });

  it('writes a zero-width ellipsis as nothing', () => {
    assert.equal(formatEquation(bind('...ij,jk', [[2, 3], [3, 4]])), 'ij,jk->ik');
    assert.equal(formatEquation(bind('...ij,...jk', [[5, 2, 3], [3, 4]])), '...ij,jk->...ik');
  });

  it('writes named equations with spaces, einops style', () => {
    const c = bind('batch i j,batch j k->batch i k', null);
    assert.equal(formatEquation(c), 'batch i j, batch j k -> batch i k');
    assert.equal(formatEquation(bind('b ... i -> ... b', [[2, 3, 4]])), 'b ... i -> ... b');
  });

  it('writes sublists as their letter equation', () => {
    const c = bindShapes(parseSublists([[0, 1], [1, 26]]), [
      [2, 3],
      [3, 4],
    ]);
    assert.equal(formatEquation(c), 'AB,Ba->Aa');
  });

  it('writes scalar operands as empty terms', () => {
    assert.equal(formatEquation(bind(',ij->', [[], [2, 3]])), ',ij->');
  });

  it('defaults to letters for a contraction without a style', () => {
    const c: Contraction = {
      inputs: [[0, 1]],
      output: [1],
      labels: ['a', 'b'],
      sizes: [
        { value: 2, symbol: null },
        { value: 3, symbol: null },
      ],
    };
    assert.equal(formatEquation(c), 'ab->b');
  });
});

describe('formatTerm', () => {
  const c = bind('...ij->...ij', [[5, 6, 2, 3]]);
  const [e0, e1] = c.ellipsisLabels!;
  const [i, j] = [c.labels.indexOf('i'), c.labels.indexOf('j')];

  it('writes a right-aligned run of ellipsis dimensions as one ...', () => {
    assert.equal(formatTerm(c, [e0, e1, i]), '...i');
    assert.equal(formatTerm(c, [j, e1]), 'j...');
  });

  it('keeps synthetic names when ... could not stand for the dimensions', () => {
    assert.equal(formatTerm(c, [e0, i]), '…0i');
    assert.equal(formatTerm(c, [e1, e0]), '…1…0');
    assert.equal(formatTerm(c, [e0, i, e1]), '…0i…1');
  });

  it('writes an empty term as an empty string', () => {
    assert.equal(formatTerm(c, []), '');
  });

  it('separates named labels with spaces', () => {
    const named = bind('b ... i -> b', [[2, 5, 6, 3]]);
    assert.equal(formatTerm(named, named.inputs[0]), 'b ... i');
    assert.equal(formatTerm(named, [named.ellipsisLabels![0], 0]), '…0 b');
  });
});

describe('format round trips', () => {
  const cases: [string, (Dim[] | null)[]][] = [
    ['ij,jk->ik', [[2, 3], [3, 4]]],
    ['ij,jk', [['B', 3], [3, null]]],
    ['ii->i', [[4, 4]]],
    ['iij', [[2, 2, 3]]],
    ['...ij,...jk', [[7, 2, 3], [3, 4]]],
    ['i...j,j...->...', [[2, 5, 6, 3], [3, 1, 6]]],
    ['ÊA,A->Ê', [[2, 3], [3]]],
    [',ij->', [[], [2, 3]]],
    ['b h i d, b h j d -> b h i j', [[2, 8, 16, 64], [2, 8, 16, 64]]],
    ['b ... d -> ... d', [[2, 3, 4]]],
  ];
  for (const [text, shapes] of cases) {
    it(`reparses '${text}' to the same contraction`, () => {
      const c = bind(text, shapes);
      const again = bind(formatEquation(c), shapes);
      assert.deepEqual(again, c);
      assert.equal(formatEquation(again), formatEquation(c));
    });
  }
});
