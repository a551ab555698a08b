import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { analyzeFixture, siteAt, textAt } from '../support/python-fixtures';

const shapes = (site: ContractionSite) => site.operands.map((o) => o.shape?.dims ?? null);

describe('Python shapes: torch modules and configs', async () => {
  const { fixture, analysis } = await analyzeFixture('shape-modules.py');
  const at = (name: string) => siteAt(analysis, fixture, name);

  it('binds __init__ parameters from the instantiation, through a dataclass config', () => {
    assert.deepEqual(shapes(at('moduleCalls')), [[2, 9, 64], [64, 4]]);
    const hidden = at('moduleCalls').operands[1].shape!.dimSources[0];
    assert.deepEqual([hidden.kind, textAt(fixture, hidden.range!)], ['argument', 'Block(Config(d_model=48), hidden=64)']);
  });

  it('knows nn.Linear and nn.Embedding weights and register_buffer tensors', () => {
    assert.deepEqual(shapes(at('weights')), [[64, 48], [100, 48], [4, 4]]);
  });

  it('reads sizes from dict configs', () => {
    assert.deepEqual(shapes(at('dictConfig')), [[12, 3]]);
  });
});
