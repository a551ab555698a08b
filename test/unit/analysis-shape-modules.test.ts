import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite } from 'einsight-server/analysis/model';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeFixture, parsePythonFixture, siteAt, textAt } from '../support/python-fixtures';

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

describe('Python shapes: modules bound by a call (pytest.importorskip, importlib.import_module)', () => {
  const shapesIn = async (source: string) => {
    const fixture = parsePythonFixture(source);
    const analysis = await analyzePython(fixture.text);
    return fixture.names.map((name) => shapes(siteAt(analysis, fixture, name)));
  };

  // opt_einsum's own tests (tests/test_edge_cases.py, test_blas.py) bind numpy this way: the
  // analysis of #13 took the call's result as unknown, and 20 of their 29 sized sites lost their sizes.
  it('`np = pytest.importorskip("numpy")` at module level or in a function is numpy', async () => {
    const source = [
      'import pytest',
      'from opt_einsum import contract',
      'np = pytest.importorskip("numpy")',
      'def test_global():',
      '    a = np.random.rand(1, 5, 4)',
      '    return [|/*global*/contract("ijk,kl->ijl", a, np.ones((4, 6)))|]',
      'def test_local():',
      '    torch = pytest.importorskip(modname="torch")',
      '    return [|/*local*/torch.einsum("ij,jk->ik", torch.randn(2, 3), torch.zeros(3, 4))|]',
    ].join('\n');
    assert.deepEqual(await shapesIn(source), [[[1, 5, 4], [4, 6]], [[2, 3], [3, 4]]]);
  });

  it('`importlib.import_module("numpy.linalg")` is that submodule itself', async () => {
    const source = [
      'import importlib',
      'import numpy as np',
      'la = importlib.import_module("numpy.linalg")',
      'q, r = la.qr(np.ones((6, 3)))',
      '[|/*qr*/np.einsum("ij,jk->ik", q, r)|]',
    ].join('\n');
    assert.deepEqual(await shapesIn(source), [[[6, 3], [3, 3]]]);
  });

  it('a module name not written as a literal, relative, or rebound later stays unknown', async () => {
    const source = [
      'import importlib, os, pytest',
      'from opt_einsum import contract',
      'xp = pytest.importorskip(os.environ["ARRAY_MODULE"])',
      'rel = importlib.import_module(".numpy", "pkg")',
      'np = pytest.importorskip("numpy")',
      'def test_rebound():',
      '    return [|/*rebound*/contract("ij,jk->ik", np.ones((2, 3)), xp.ones((3, 4)))|]',
      '[|/*relative*/contract("ij->i", rel.ones((2, 3)))|]',
      'np = xp',
    ].join('\n');
    assert.deepEqual(await shapesIn(source), [[null, null], [null]]);
  });
});
