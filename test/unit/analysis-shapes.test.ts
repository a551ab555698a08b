import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { analyzeFixture, siteAt, textAt, type PythonFixture } from '../support/python-fixtures';

function shapes(site: ContractionSite) {
  return site.operands.map((o) => o.shape?.dims ?? null);
}

function sources(site: ContractionSite, operand: number) {
  const shape = site.operands[operand].shape!;
  return { kind: shape.source.kind, dims: shape.dimSources.map((s) => s.kind) };
}

describe('Python front end: shapes and where each size came from', () => {
  it('reads hint comments, with hint sizes for named dimensions', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    const site = siteAt(analysis, fixture, 'hint');
    assert.deepEqual(shapes(site), [[10, 16], [16, 'width']]);
    assert.deepEqual(sources(site, 0), { kind: 'hint', dims: ['hint', 'hint'] });
    assert.equal(textAt(fixture, site.operands[0].shape!.dimSources[0].range!), 'batch=10');
    assert.equal(textAt(fixture, site.operands[1].shape!.source.range!), 'w[16, width]');
    // `width` stays symbolic: costs are polynomials.
    assert.equal(site.symbolic, true);
    assert.equal(site.best?.flopsExpression, '320·width');
  });

  it('reads jaxtyping and Annotated annotations, resolving names through constants', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    const site = siteAt(analysis, fixture, 'annotation');
    assert.deepEqual(shapes(site), [['batch', 4, 5], [5, 16]]);
    assert.deepEqual(sources(site, 1), { kind: 'annotation', dims: ['annotation', 'constant'] });
    assert.equal(textAt(fixture, site.operands[1].shape!.dimSources[1].range!), 'M = 32 // 2');
  });

  it('reads constructors, reshapes, transposes and constant arithmetic', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'randn')), [[7, 4, 5]]);
    const constants = siteAt(analysis, fixture, 'constants');
    assert.deepEqual(shapes(constants), [[64, 128], [128, 16]]);
    assert.deepEqual(sources(constants, 0), { kind: 'constructor', dims: ['constant', 'constant'] });
    assert.equal(textAt(fixture, constants.operands[0].shape!.source.range!), 'np.zeros((B, N))');
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'reshape')), [[3, 4, 5]]);
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'transposes')), [[5, 4], [4, 3, 2], [4, 2, 3]]);
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'numpyRandom')), [[3, 5], [6, 6]]);
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'generator')), [[2, 9], [2, 3]]);
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'view')), [[6, 4]]);
  });

  it('follows the results of earlier einsums and matrix products', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    const site = siteAt(analysis, fixture, 'einsumResult');
    assert.deepEqual(shapes(site), [[5, 7], [5, 6]]);
    assert.equal(site.operands[0].shape!.source.kind, 'einsum-result');
    assert.equal(site.operands[1].shape!.source.kind, 'einsum-result');
  });

  it('prefers a hint over an annotation and a constructor', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'hintWins')), [[2, 2], [3, 3]]);
  });

  it('leaves unknown shapes symbolic, and applies the dims table to them', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    const site = siteAt(analysis, fixture, 'unknown');
    assert.deepEqual(shapes(site), [null, null]);
    assert.equal(site.best?.flopsExpression, '2·i·j·k');
    assert.equal(site.best?.scaling, 'O(i·j·k)');
    const withDims = await analyzeFixture('shapes.py', { dims: { i: 10, j: 20, k: 30 } });
    const bound = siteAt(withDims.analysis, withDims.fixture, 'unknown');
    assert.equal(bound.symbolic, false);
    assert.equal(bound.best?.flops, 12_000n);
  });

  it('reads sizes from x.shape[i] and x.size(i), and attributes set in __init__', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py');
    assert.deepEqual(shapes(siteAt(analysis, fixture, 'access')), [[11, 3], [4, 2]]);
    const layer = siteAt(analysis, fixture, 'selfAttribute');
    assert.deepEqual(shapes(layer), [['batch', 128], [128, 16]]);
    assert.equal(layer.context.scope, 'Layer.forward');
    assert.equal(layer.context.inForward, true);
  });

  it('binds a dims-table size to a symbolic name in a shape', async () => {
    const { fixture, analysis } = await analyzeFixture('shapes.py', { dims: { batch: 1000 } });
    const site = siteAt(analysis, fixture, 'annotation');
    assert.deepEqual(shapes(site), [[1000, 4, 5], [5, 16]]);
    assert.deepEqual(sources(site, 0).dims, ['dims', 'annotation', 'annotation']);
    assert.equal(site.best?.flops, 2n * 1000n * 4n * 5n * 16n);
    assertNoDiagnostics(fixture, site);
  });
});

function assertNoDiagnostics(fixture: PythonFixture, site: ContractionSite): void {
  assert.deepEqual(site.diagnostics.map((d) => `${d.message} at ${textAt(fixture, d.range)}`), []);
}
