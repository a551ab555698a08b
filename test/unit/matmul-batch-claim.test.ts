/**
 * A matrix chain prices an operand of unknown rank as a matrix. Its claims must hold however
 * such operands are batched, or say the condition; a reorder that a vector end and a batched
 * operand make unsafe is never offered (numpy's @ is not associative then).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { batchClaim, broadcastHazards, twoDimensional } from 'einsight-server/analysis/batch-claim';
import { ANY_SIZE } from 'einsight-server/core/dominance';
import { prepareRewrites, siteFixes } from 'einsight-server/rewrite/index';
import { treeText } from 'einsight-server/analysis/matmul';

const HEADER = [
  'import numpy as np',
  'A = np.ones((1, 10))',
  'B = np.ones((100, 100))',
  'C = np.ones((100, 100))',
  'P = np.ones((1000, 10))',
  'v = np.ones((1000, 1))',
  'w = np.ones(1000)',
  '',
].join('\n');

async function chain(body: string) {
  const text = `${HEADER}${body}\n`;
  const analysis = await analyzePython(text, {});
  const site = analysis.sites.find((s) => s.kind === 'matmul-chain')!;
  const findings = analysis.findings.filter((f) => f.site === site.id && f.code === 'EIN006');
  return { analysis, text, site, findings, fixes: siteFixes(analysis, site.id, text) };
}

describe('matrix chains with operands of unknown rank', () => {
  before(async () => {
    await prepareRewrites();
  });

  it('a batched operand can make the written order the cheaper one: the claim is stated with its condition and no order is fixed', async () => {
    const { site, findings, fixes } = await chain('def flips(X):\n    return (A @ X) @ (B @ C)');
    // 2·(1·10·100 + 100·100·100 + 1·100·100) as written, 2·(1·10·100 + 1·100·100 + 1·100·100) best;
    // with X batched B times the written order costs 2,000,000 + 22,000·B and the best 42,000·B.
    assert.deepEqual([site.baseline!.flops, site.best!.flops], [2_022_000n, 42_000n]);
    assert.deepEqual(batchClaim(site, 2, ANY_SIZE), { kind: 'if-2d', unproven: ['X'] });
    assert.equal(findings.length, 1);
    assert.equal(
      findings[0].message,
      'matrix chain (A @ X) @ (B @ C) costs 2.02e6 FLOPs; ((A @ X) @ B) @ C costs 42,000 FLOPs (48.1× fewer) if `X` is 2-D (batched, another order may cost more or compute something else: no fixed order is offered)',
    );
    assert.equal(findings[0].condition, '`X` is 2-D');
    assert.deepEqual(fixes.fixes, []);
    assert.deepEqual(
      fixes.withheld.map((w) => [w.code, w.reason]),
      [['EIN006', 'the best order depends on the sizes (cheaper when `X` is 2-D)']],
    );
  });

  it('a claim that survives every batching is stated unconditionally, and says so', async () => {
    const { site, findings, fixes } = await chain('def survives(X):\n    return P @ X @ v');
    // Every product holds X, in both orders: batching scales both by B.
    assert.deepEqual([site.baseline!.flops, site.best!.flops], [22_000_000n, 40_000n]);
    assert.deepEqual(batchClaim(site, 2, ANY_SIZE), { kind: 'any-batching', unknown: ['X'] });
    assert.equal(
      findings[0].message,
      'matrix chain (P @ X) @ v costs 2.20e7 FLOPs; P @ (X @ v) costs 40,000 FLOPs (550× fewer); still fewer if `X` carries batch dimensions',
    );
    assert.equal(findings[0].condition, null);
    // Withheld only for X's unknown dtype, not for its rank.
    assert.equal(fixes.withheld.length, 1);
    assert.match(fixes.withheld[0].reason, /^the dtype of `X` is not known/);
  });

  it('all operands known 2-D: the claim and the fix as before', async () => {
    const { site, findings, fixes } = await chain('def known():\n    X = np.ones((10, 100))\n    return (A @ X) @ (B @ C)');
    assert.deepEqual(batchClaim(site, 2, ANY_SIZE), { kind: 'no-unknown-rank' });
    assert.equal(findings[0].message, 'matrix chain (A @ X) @ (B @ C) costs 2.02e6 FLOPs; ((A @ X) @ B) @ C costs 42,000 FLOPs (48.1× fewer)');
    assert.equal(findings[0].condition, null);
    assert.deepEqual(fixes.fixes.map((f) => f.title), ['Multiply in the cheapest order: ((A @ X) @ B) @ C (48.1× fewer FLOPs)']);
  });

  it('a vector end with an operand of unknown rank: cheaper and the same result only if that operand is 2-D', async () => {
    const { site, findings } = await chain('def vector(X):\n    return P @ X @ w');
    assert.deepEqual([site.baseline!.flops, site.best!.flops], [22_000_000n, 40_000n]);
    assert.equal(
      findings[0].message,
      'matrix chain (P @ X) @ w costs 2.20e7 FLOPs; P @ (X @ w) costs 40,000 FLOPs (550× fewer) if `X` is 2-D (batched, another order may cost more or compute something else: no fixed order is offered)',
    );
    assert.equal(findings[0].condition, '`X` is 2-D');
  });

  it('a vector end and a batched operand, both known: no claim, and the reorder is refused with its reason', async () => {
    // u @ (M @ N) is (7, 4); (u @ M) @ N multiplies the (7, 300) batch of rows as one matrix by each (300, 4): (7, 7, 4).
    const { analysis, text, site, findings } = await chain('def batched():\n    u = np.ones(2)\n    M = np.ones((7, 2, 300))\n    N = np.ones((7, 300, 4))\n    return u @ (M @ N)');
    assert.deepEqual(batchClaim(site, 2, ANY_SIZE), { kind: 'changes-values' });
    assert.deepEqual(findings, []);
    // The rewrite refuses on its own, whatever finding asks for it.
    const asked = {
      code: 'EIN006' as const,
      rule: 'matmul-chain-order',
      severity: 'warning' as const,
      message: 'reorder',
      range: site.range,
      condition: null,
      site: site.id,
      chain: null,
      baselineFlops: site.baseline!.flops,
      bestFlops: site.best!.flops,
      speedup: site.speedup,
    };
    const fixes = siteFixes({ ...analysis, findings: [asked] }, site.id, text);
    assert.deepEqual(fixes.fixes, []);
    assert.deepEqual(
      fixes.withheld.map((w) => w.reason),
      ["`u` is a vector and `M` is batched: numpy's @ then gives another result in another order"],
    );
  });

  it('which vector ends and batched operands may meet, and the condition in words', () => {
    assert.deepEqual(broadcastHazards([2, 2, 2]), []);
    assert.deepEqual(broadcastHazards([1, 2, 3]), [[0, 2]]);
    assert.deepEqual(broadcastHazards([null, 2, null]), [[0, 2], [2, 0]]);
    assert.deepEqual(broadcastHazards([3, 2, 2]), []);
    assert.equal(twoDimensional(['x']), '`x` is 2-D');
    assert.equal(twoDimensional(['x', 'y', 'z']), '`x`, `y` and `z` are 2-D');
  });
});

describe('the best order of a matrix chain', () => {
  it('pairs neighbours only: a general contraction path may pair A with C, which no @ order can write', async () => {
    const text = 'import numpy as np\nA = np.ones((3, 1))\nB = np.ones((1, 1))\nC = np.ones((1, 1))\nD = np.ones((1, 2))\ny = A @ B @ C @ D\n';
    const site = (await analyzePython(text, {})).sites[0];
    // The einsum optimum (A @ C) @ (B @ D) needs 17 FLOPs; among @ orders, A @ ((B @ C) @ D) is the cheapest at 18.
    assert.deepEqual([site.baseline!.flops, site.best!.flops], [24n, 18n]);
    assert.equal(treeText(site.best!.path, ['A', 'B', 'C', 'D']), 'A @ ((B @ C) @ D)');
  });

  it('a size 0 makes every order cost 0: no claim that another is fewer', async () => {
    const analysis = await analyzePython('import numpy as np\ndef f(O, T):\n    e = np.zeros(0)\n    return O @ T @ e\n', {});
    assert.equal(analysis.sites[0].best!.flopsExpression, '0');
    assert.deepEqual(analysis.findings.map((f) => f.code), []);
  });
});
