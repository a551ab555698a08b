import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeFixture, siteAt, textAt } from '../support/python-fixtures';

describe('Python front end: what counts as an einsum site', () => {
  it('finds calls through every import form and alias, with their library', async () => {
    const { fixture, analysis } = await analyzeFixture('forms.py');
    const expected: Record<string, [string, string]> = {
      torch: ['torch.einsum', 'torch'],
      alias: ['torch.einsum', 'torch'],
      fromImport: ['torch.einsum', 'torch'],
      fromImportAs: ['torch.einsum', 'torch'],
      functional: ['torch.einsum', 'torch'],
      numpy: ['numpy.einsum', 'numpy'],
      jnp: ['jax.numpy.einsum', 'jax'],
      jaxFull: ['jax.numpy.einsum', 'jax'],
      jnpFrom: ['jax.numpy.einsum', 'jax'],
      tf: ['tensorflow.einsum', 'tensorflow'],
      tfLinalg: ['tensorflow.einsum', 'tensorflow'],
      oe: ['opt_einsum.contract', 'opt_einsum'],
      contract: ['opt_einsum.contract', 'opt_einsum'],
      expression: ['opt_einsum.contract_expression', 'opt_einsum'],
      einops: ['einops.einsum', 'torch'],
      assignedAlias: ['torch.einsum', 'torch'],
      operandList: ['torch.einsum', 'torch'],
    };
    assert.deepEqual(fixture.names, Object.keys(expected));
    assert.equal(analysis.sites.length, fixture.names.length);
    for (const [name, [qualified, library]] of Object.entries(expected)) {
      const site = siteAt(analysis, fixture, name);
      assert.deepEqual([site.qualifiedName, site.library], [qualified, library], name);
      assert.equal(site.normalizedEquation, name === 'einops' ? 'i j, j k -> i k' : 'ij,jk->ik', name);
      assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[2, 3], [3, 4]], name);
      // Two operands: every library does the same 2·2·3·4 FLOPs.
      assert.equal(site.best?.flops, 48n, name);
    }
    assert.equal(textAt(fixture, siteAt(analysis, fixture, 'fromImportAs').calleeRange), 'E');
    assert.deepEqual(siteAt(analysis, fixture, 'numpy').options.optimize?.value, true);
    assert.equal(siteAt(analysis, fixture, 'expression').precompiled, true);
    assert.equal(siteAt(analysis, fixture, 'expression').operands[0].shape?.source.kind, 'constructor');
  });

  it('ignores look-alike functions, methods, unknown modules and shadowed names', async () => {
    const { fixture, analysis } = await analyzeFixture('negatives.py');
    assert.deepEqual(
      analysis.sites.map((s) => textAt(fixture, s.range)),
      [textAt(fixture, fixture.range('beforeRebinding'))],
    );
  });

  it('reads the equation from literals, concatenation, names bound once and sublists', async () => {
    const { fixture, analysis } = await analyzeFixture('equations.py');
    const equations: Record<string, string | null> = {
      literal: 'ij,jk->ik',
      implicit: 'ij,jk->ik',
      concatenated: 'ij,jk->ik',
      moduleName: 'ij,jk->ik',
      spaces: 'ij,jk->ik',
      sublist: 'AB,BC->AC',
      sublistEllipsis: '...B->...',
      rebound: null,
      localName: 'ij,jk->ki',
      fString: null,
      parameter: null,
      computed: null,
      splat: null,
      fStringPlain: 'ij,jk->ik',
    };
    assert.deepEqual(fixture.names, Object.keys(equations));
    for (const [name, equation] of Object.entries(equations)) {
      const site = siteAt(analysis, fixture, name);
      assert.equal(site.normalizedEquation, equation, name);
      assert.equal(site.dynamic, equation === null, name);
      if (equation === null) assert.deepEqual([site.baseline, site.diagnostics], [null, []], name);
    }
    const concatenated = siteAt(analysis, fixture, 'concatenated').equation;
    assert.equal(concatenated.text, 'ij,jk->ik');
    assert.equal(textAt(fixture, concatenated.range!), `'ij,' "jk" '->ik'`);
    // Each decoded character maps back to its own source character.
    assert.equal(textAt(fixture, concatenated.charRanges![4]), 'k');
    const named = siteAt(analysis, fixture, 'moduleName').equation;
    assert.equal(textAt(fixture, named.range!), '"ij,jk->ik"');
    assert.equal(siteAt(analysis, fixture, 'sublist').equation.form, 'sublist');
    assert.deepEqual(siteAt(analysis, fixture, 'sublistEllipsis').operands.map((o) => o.shape?.dims), [[2, 3]]);
    assert.equal(siteAt(analysis, fixture, 'fString').equation.dynamic, true);
    assert.equal(siteAt(analysis, fixture, 'splat').equation.dynamic, false);
  });
});

describe('backslash continuations inside a call', () => {
  it('are not operands (no false EIN002), nor matrix-chain leaves', async () => {
    const text = [
      'import numpy as np',
      'A = np.ones((3, 4))',
      'B = np.ones((4, 5))',
      'C = np.ones((5, 6))',
      'r = np.einsum("ij,jk->ik", A, \\',
      '              B)',
      'm = np.matmul(np.matmul(A, \\',
      '    B), C)',
      '',
    ].join('\n');
    const analysis = await analyzePython(text, {});
    assert.deepEqual(
      analysis.sites.map((s) => [s.kind, s.operands.map((o) => o.text), s.diagnostics.map((d) => d.code)]),
      [
        ['einsum', ['A', 'B'], []],
        ['matmul-chain', ['A', 'B', 'C'], []],
      ],
    );
  });
});
