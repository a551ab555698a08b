import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { analyzeFixture, siteAt } from '../support/python-fixtures';

const shapes = (site: ContractionSite) => site.operands.map((o) => o.shape?.dims ?? null);

describe('Python shapes: flow sensitivity', async () => {
  const { fixture, analysis } = await analyzeFixture('shape-flow.py');
  const at = (name: string) => siteAt(analysis, fixture, name);

  it('merges branches: sizes they agree on stay, others become a symbol of the merge', () => {
    assert.deepEqual(shapes(at('mergedBranches')), [[3, 'a.shape[1]'], [2, 2]]);
  });

  it('merges try and except, and the cases of a match', () => {
    assert.deepEqual(shapes(at('tryMerge')), [['w.shape[0]', 'w.shape[1]']]);
    assert.deepEqual(shapes(at('matchMerge')), [[2, 'm.shape[1]']]);
  });

  it('runs a loop to a fixed point: a size that changes every round is not its first value', () => {
    assert.deepEqual(shapes(at('loopFixed')), [[5, 5]]);
    const growing = shapes(at('loopGrowing'))[0]!;
    assert.equal(growing[0], 5);
    assert.notEqual(growing[1], 1);
    assert.equal(typeof growing[1] === 'number', false);
  });

  it('follows break out of a loop', () => {
    assert.deepEqual(shapes(at('afterBreak')), [['x.shape[0]']]);
    assert.deepEqual(shapes(at('inWhile')), [[4, 2]]);
  });

  it('reads a module global bound once; one rebound elsewhere is not its first value', () => {
    assert.deepEqual(shapes(at('globalOnce')), [[4, 4]]);
    const rebound = shapes(at('globalRebound'))[0]!;
    assert.notEqual(rebound[0], 3);
    assert.equal(rebound[1], 2);
  });

  it('a method sees the merge of the receivers it is called on (a subclass overriding an attribute)', () => {
    const [w] = shapes(at('receiverMerge'));
    assert.equal(w![1], 3);
    assert.equal(typeof w![0], 'string');
  });

  it('an element of an array of Python objects (dtype=object) has no known shape', () => {
    assert.deepEqual(shapes(at('objectArray')), [null, null]);
  });

  it('never reports a shape error on any of it', () => {
    assert.deepEqual(analysis.sites.flatMap((s) => s.diagnostics.filter((d) => d.code === 'EIN003')), []);
  });
});
