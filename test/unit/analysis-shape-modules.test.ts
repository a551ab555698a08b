import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
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

  it('`import numpy` is numpy even where the project has a backends/numpy/ subpackage (TensorNetwork)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'einsight-shadow-'));
    try {
      mkdirSync(join(root, 'pkg', 'backends', 'numpy'), { recursive: true });
      writeFileSync(join(root, 'pkg', '__init__.py'), '');
      writeFileSync(join(root, 'pkg', 'backends', '__init__.py'), '');
      writeFileSync(join(root, 'pkg', 'backends', 'numpy', '__init__.py'), 'def ones(shape):\n    return None\n');
      writeFileSync(join(root, 'pkg', 'use.py'), "import numpy as np\n\na = np.random.rand(10, 100)\nb = np.ones(8)\nr = np.einsum('ij,k->jik', a, b)\n");
      const { stdout } = await runCli(['check', root, '--format', 'json', '--python', 'none']);
      const sites = JSON.parse(stdout).sites as { shapes: unknown }[];
      assert.deepEqual(sites.map((site) => site.shapes), [[[10, 100], [8]]]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
