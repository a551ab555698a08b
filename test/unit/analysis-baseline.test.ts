import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeFixture, siteAt } from '../support/python-fixtures';

describe('what each library really does (the baseline)', () => {
  it('prices every library and option against the same best path', async () => {
    const { fixture, analysis } = await analyzeFixture('libraries.py');
    const expected: Record<string, [method: string, optimizer: string | null, flops: bigint, perCall: boolean]> = {
      numpyNaive: ['naive', null, 750_000n, false],
      numpyGreedy: ['optimizer', 'greedy', 105_000n, true],
      numpyOptimal: ['optimizer', 'optimal', 60_000n, true],
      numpyPath: ['explicit-path', null, 60_000n, false],
      numpyFalse: ['naive', null, 750_000n, false],
      // The file imports opt_einsum, so torch finds it installed.
      torch: ['optimizer', 'optimal', 60_000n, true],
      jax: ['optimizer', 'optimal', 60_000n, false],
      jaxGreedy: ['optimizer', 'greedy', 105_000n, false],
      tf: ['optimizer', 'greedy', 105_000n, false],
      oe: ['optimizer', 'optimal', 60_000n, true],
      oeGreedy: ['optimizer', 'greedy', 105_000n, true],
      einops: ['naive', null, 750_000n, false],
      matmulLeft: ['written-order', null, 105_000n, false],
      matmulRight: ['written-order', null, 60_000n, false],
      matmulCalls: ['written-order', null, 105_000n, false],
      matmulMethods: ['written-order', null, 105_000n, false],
      loop: ['optimizer', 'greedy', 105_000n, true],
      forward: ['optimizer', 'optimal', 60_000n, true],
    };
    assert.deepEqual(fixture.names, Object.keys(expected));
    for (const [name, [method, optimizer, flops, perCall]] of Object.entries(expected)) {
      const site = siteAt(analysis, fixture, name);
      const baseline = site.baseline!;
      assert.deepEqual([baseline.method, baseline.optimizer, baseline.flops, baseline.perCallSearch], [method, optimizer, flops, perCall], name);
      assert.equal(site.best?.flops, 60_000n, name);
      assert.deepEqual(site.best?.path, [[1, 2], [0, 1]], name);
    }
    assert.equal(siteAt(analysis, fixture, 'einops').library, 'numpy');
    assert.equal(siteAt(analysis, fixture, 'matmulLeft').normalizedEquation, 'ab,bc,cd->ad');
    assert.deepEqual(siteAt(analysis, fixture, 'matmulLeft').matmulTree, [[0, 1], 2]);
    assert.equal(siteAt(analysis, fixture, 'numpyNaive').speedup, 12.5);
  });

  it('runs torch left to right unless opt_einsum is installed', async () => {
    const source = [
      'import torch',
      'A = torch.ones(10, 100)',
      'B = torch.ones(100, 50)',
      'C = torch.ones(50, 5)',
      'r = torch.einsum("ij,jk,kl->il", A, B, C)',
    ].join('\n');
    const plain = (await analyzePython(source)).sites[0].baseline!;
    assert.deepEqual([plain.method, plain.flops, plain.perCallSearch], ['left-to-right', 105_000n, false]);
    assert.equal(plain.description, 'torch.einsum without opt_einsum installed contracts left to right');
    const installed = (await analyzePython(source, { torchUsesOptEinsum: true })).sites[0].baseline!;
    assert.deepEqual([installed.method, installed.optimizer, installed.flops, installed.perCallSearch], ['optimizer', 'optimal', 60_000n, true]);
    assert.equal(installed.description, "torch.einsum runs opt_einsum's 'auto' (optimal) at every call");
  });

  it('reports the costly sites, and the path search inside a loop', async () => {
    const { fixture, analysis } = await analyzeFixture('libraries.py');
    const codes = (name: string) => {
      const site = siteAt(analysis, fixture, name);
      return analysis.findings.filter((f) => f.site === site.id).map((f) => f.code);
    };
    assert.deepEqual(codes('numpyNaive'), ['EIN001']);
    assert.deepEqual(codes('numpyGreedy'), []);
    assert.deepEqual(codes('matmulLeft'), []);
    assert.deepEqual(codes('loop'), ['EIN007']);
    assert.deepEqual(codes('forward'), ['EIN007']);
    assert.equal(
      analysis.findings.find((f) => f.site === siteAt(analysis, fixture, 'forward').id)!.message,
      'torch.einsum searches a contraction path at every call in Model.forward (about 36 µs against about 32 µs for the contraction); build it once with opt_einsum.contract_expression and call the expression',
    );
    const finding = analysis.findings.find((f) => f.site === siteAt(analysis, fixture, 'numpyNaive').id)!;
    assert.equal(
      finding.message,
      'numpy.einsum without optimize runs one loop over every index: 750,000 FLOPs; the best path (optimal) needs 60,000 FLOPs (12.5× fewer)',
    );
    const loose = await analyzeFixture('libraries.py', { minSpeedup: 1.5 });
    const left = siteAt(loose.analysis, loose.fixture, 'matmulLeft');
    const chain = loose.analysis.findings.find((f) => f.site === left.id)!;
    assert.equal(chain.code, 'EIN006');
    assert.equal(chain.message, 'matrix chain (A @ B) @ C costs 105,000 FLOPs; A @ (B @ C) costs 60,000 FLOPs (1.75× fewer)');
  });
});
