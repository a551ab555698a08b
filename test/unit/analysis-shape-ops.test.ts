import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeFixture, parsePythonFixture, siteAt } from '../support/python-fixtures';

const shapes = (site: ContractionSite) => site.operands.map((o) => o.shape?.dims ?? null);

describe('Python shapes: shape functions of library operations', async () => {
  const { fixture, analysis } = await analyzeFixture('shape-ops.py');
  const at = (name: string) => siteAt(analysis, fixture, name);

  it('numpy: reshape with -1, transposes, reductions, joins, squeezes, products, broadcasting', () => {
    assert.deepEqual(shapes(at('reshapeInfer')), [[6, 4]]);
    assert.deepEqual(shapes(at('transposes')), [[2, 3, 4], [4, 3, 2], [3, 2, 4], [4, 2, 3]]);
    assert.deepEqual(shapes(at('reductions')), [[3, 4], [3, 4], [4]]);
    assert.deepEqual(shapes(at('joins')), [[4, 3, 4], [2, 3, 4, 2], [2, 3, 4]]);
    assert.deepEqual(shapes(at('squeezes')), [[2, 4], [1, 2, 3, 4], [2, 6, 4]]);
    assert.deepEqual(shapes(at('products')), [[3, 5], [3, 2], [2, 3, 4]]);
    assert.deepEqual(shapes(at('broadcasting')), [[2, 3, 4], [2, 3, 4]]);
  });

  it('numpy.linalg: svd, eigh, qr, inv, solve', () => {
    assert.deepEqual(shapes(at('svd')), [[6, 4], [4], [4, 4]]);
    assert.deepEqual(shapes(at('eigh')), [[4], [4, 4]]);
    assert.deepEqual(shapes(at('qr')), [[6, 4], [4, 4]]);
    assert.deepEqual(shapes(at('inverseSolve')), [[4, 4], [4, 2]]);
  });

  it('torch: view, flatten, unsqueeze, permute, transpose, expand, repeat, reductions, cat, stack, bmm', () => {
    assert.deepEqual(shapes(at('torchViews')), [[2, 3, 4], [2, 3], [2, 3, 4, 1]]);
    assert.deepEqual(shapes(at('torchPermute')), [[4, 2, 3], [2, 4, 3], [2, 3, 4]]);
    assert.deepEqual(shapes(at('torchExpandRepeat')), [[2, 3, 4], [2, 3, 4]]);
    assert.deepEqual(shapes(at('torchReduce')), [[2, 3], [2, 3, 4], [2, 4]]);
    assert.deepEqual(shapes(at('torchCat')), [[2, 3, 4], [2, 2, 3, 4]]);
    assert.deepEqual(shapes(at('torchMatmul')), [[2, 3, 5]]);
  });

  it('torch: unbind is a tuple of its slices, unpacked with * or indexed; an unknown dim says nothing', () => {
    assert.deepEqual(shapes(at('torchUnbind')), [[3, 4], [3, 4], [2, 3], [2, 3]]);
    assert.deepEqual(shapes(at('unbindUnknown')), [null]);
  });

  it('jax.numpy and einops patterns', () => {
    assert.deepEqual(shapes(at('jax')), [[5, 6], [6, 5]]);
    assert.deepEqual(shapes(at('rearrange')), [[2, 3, 7, 4]]);
    assert.deepEqual(shapes(at('repeatReduce')), [[2, 12, 5], [2]]);
  });

  it('keeps partial knowledge: the rank alone, or some of the sizes', () => {
    assert.deepEqual(shapes(at('rankOnly')), [['n', 'm'], ['m', 3]]);
    assert.deepEqual(shapes(at('someDims')), [[null, 4]]);
    assert.deepEqual(shapes(at('unknownInput')), [[null, null, null, null]]);
  });
});

describe('Python shapes: sorting', () => {
  // ferminet's excited_states_analysis notebook: `mix @ np.diag(np.sort(...)) @ inv(mix)` priced
  // its middle operand as a matrix by assumption, for want of np.sort's shape.
  it('np.sort / np.argsort keep the shape along an axis, flatten with axis=None; torch.sort and x.sort() are not that', async () => {
    const fixture = parsePythonFixture([
      'import numpy as np',
      'import torch',
      'a = np.random.rand(3, 4)',
      'e = np.sort(np.random.randn(4) - 10)',
      '[|/*kept*/np.einsum("ij,ij,j,j->", np.sort(a), np.argsort(a, axis=0), e, np.diag(e)[0])|]',
      '[|/*flat*/np.einsum("i->", np.sort(a, axis=None))|]',
      'def f(ax):',
      '    return [|/*unknownAxis*/np.einsum("...->", np.sort(a, axis=ax))|]',
      'f(None)',
      'f(0)',
      't = torch.randn(3, 4)',
      'a.sort()',
      '[|/*others*/np.einsum("ij,ij->", torch.sort(t), a.sort())|]',
    ].join('\n'));
    const analysis = await analyzePython(fixture.text);
    const at = (name: string) => shapes(siteAt(analysis, fixture, name));
    assert.deepEqual(at('kept'), [[3, 4], [3, 4], [4], [4]]);
    assert.deepEqual(at('flat'), [[12]]);
    assert.deepEqual(at('unknownAxis'), [null]);
    assert.deepEqual(at('others'), [null, null]);
  });
});
