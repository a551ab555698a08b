import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { analyzeFixture, siteAt } from '../support/python-fixtures';

const shapes = (site: ContractionSite) => site.operands.map((o) => o.shape?.dims ?? null);
const errors = (site: ContractionSite) => site.diagnostics.filter((d) => d.code === 'EIN003').map((d) => d.message);

describe('Python shapes: no rank guesses (issue #12), indexing and walrus', async () => {
  const { fixture, analysis } = await analyzeFixture('rank-guesses.py');
  const at = (name: string) => siteAt(analysis, fixture, name);

  it('stacks arrays in np.array and leaves unknown elements unknown', () => {
    assert.deepEqual(shapes(at('stackedArrays')), [[2, 3, 4]]);
    assert.deepEqual(shapes(at('stackedUnknown')), [null]);
    assert.deepEqual(shapes(at('scalarList')), [[2, 2]]);
  });

  it('reads shape arguments by their real semantics, never as one dimension', () => {
    assert.deepEqual(shapes(at('repeated')), [['nocc', 'nocc', 'nocc', 'nocc']]);
    assert.deepEqual(shapes(at('shapeOfUnknown')), [null]);
    assert.deepEqual(shapes(at('emptyOfUnknown')), [null]);
    assert.deepEqual(shapes(at('concatenated')), [null]);
    assert.deepEqual(shapes(at('splatted')), [null]);
    assert.deepEqual(shapes(at('knownTail')), [[7, 4, 5]]);
    assert.deepEqual(shapes(at('torchShape')), [[6, 5]]);
  });

  it('does not let an assignment in one branch leak into another, nor a loop body into its start', () => {
    assert.deepEqual(shapes(at('elseBranch')), [[5]]);
    assert.deepEqual(shapes(at('afterBranches')), [null]);
    assert.deepEqual(shapes(at('inLoop')), [null]);
  });

  it('follows indexing, slicing, walrus and matrix transposes', () => {
    assert.deepEqual(shapes(at('integerIndex')), [[3, 4], [4, 3]]);
    assert.deepEqual(shapes(at('walrus')), [[2, 6]]);
    assert.deepEqual(shapes(at('slices')), [[5, 4], [3, 2]]);
    assert.deepEqual(shapes(at('newaxisEllipsis')), [[5, 3, 4, 1], [2]]);
    assert.deepEqual(shapes(at('matrixTranspose')), [[2, 4, 3]]);
    assert.deepEqual(shapes(at('conditional')), [[3, 4]]);
    assert.deepEqual(shapes(at('unknownIndex')), [null]);
  });

  it('reports EIN003 only where shapes are certain', () => {
    const uncertain = fixture.names.filter((name) => name !== 'certainError' && name !== 'slices');
    assert.deepEqual(uncertain.flatMap((name) => errors(at(name)).map((e) => `${name}: ${e}`)), []);
    assert.deepEqual(errors(at('slices')), ["label 'j' has size 4 in operand 0 but size 3 in operand 1"]);
    assert.deepEqual(errors(at('certainError')), ["operand 0 ('ijk') has 3 labels but its shape has 2 dimensions"]);
  });
});
