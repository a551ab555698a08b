import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { analyzeFixture, siteAt, textAt } from '../support/python-fixtures';

const shapes = (site: ContractionSite) => site.operands.map((o) => o.shape?.dims ?? null);

describe('Python shapes: across functions', async () => {
  const { fixture, analysis } = await analyzeFixture('shape-calls.py');
  const at = (name: string) => siteAt(analysis, fixture, name);

  it('merges a parameter over its call sites: (4, 5) and (8, 5) give a symbol and 5', () => {
    const site = at('mergedParameter');
    assert.deepEqual(shapes(site), [['points.shape[0]', 5], [5, 2]]);
    const source = site.operands[0].shape!.dimSources[1];
    assert.equal(source.via?.detail.startsWith('project(np.ones('), true);
  });

  it('a function evaluated in many argument contexts falls back to its merged summary (bounded work, still sound)', () => {
    const [shape] = shapes(at('manyContexts'));
    assert.equal(shape![1], 3);
    assert.notEqual(shape![0], 10, 'the summary of every call, not this one');
  });

  it('returns tuples that callers unpack, evaluated for the call’s own arguments', () => {
    assert.deepEqual(shapes(at('returnedTuple')), [[7, 3], [3, 7]]);
  });

  it('keeps sizes unpacked from x.shape tied to x: a reshape stays exact in symbols', () => {
    assert.deepEqual(shapes(at('symbolicTies')), [['b·n', 'd'], ['d', 2]]);
  });

  it('reads sizes through x.shape[i] and len(x)', () => {
    assert.deepEqual(shapes(at('sizeReads')), [[10, 20, 30]]);
  });

  it('does not merge the parameters of a function passed as a value, or wrapped by a decorator that may change them', () => {
    assert.deepEqual(shapes(at('escapes')), [null]);
    assert.deepEqual(shapes(at('vmapped')), [null]);
  });

  it('ends on recursion, and gives closures what the enclosing call bound', () => {
    const recursion = shapes(at('recursion'))[0];
    assert.ok(recursion === null || recursion[1] === 3);
    // The returned function escapes (it may be called anywhere): its own parameter stays unknown.
    assert.deepEqual(shapes(at('closure')), [[6, 4], null]);
    assert.equal(textAt(fixture, at('closure').operands[0].shape!.dimSources[0].range!), 'make_scaler(6)');
  });
});
