/**
 * Recorded shapes in the analysis: they fill what the code leaves unknown and nothing else,
 * a site seen at several shapes is priced at each, findings hold at all of them, recordings of
 * edited code are found again or dropped, and messages carry the recorded weight.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { fixAll, prepareRewrites } from 'einsight-server/rewrite/index';
import { observationsOf, recordOf } from '../support/observations';

const PROJECT = ['import numpy as np', '', 'def project(x, w, v):', '    return np.einsum("bi,ij,j->b", x, w, v)', ''].join('\n');
const CALL = 'np.einsum("bi,ij,j->b", x, w, v)';

/** The same call with the sizes written in the code: what the recording must price exactly like. */
function written(b: number, n: number): string {
  return ['import numpy as np', '', `x = np.ones((${b}, ${n}))`, `w = np.ones((${n}, ${n}))`, `v = np.ones(${n})`, 'r = np.einsum("bi,ij,j->b", x, w, v)', ''].join('\n');
}

function only(analysis: FileAnalysis) {
  assert.equal(analysis.sites.length, 1);
  return analysis.sites[0];
}

describe('recorded shapes in the analysis', () => {
  it('fill the sizes the code leaves unknown and price the call exactly as if the code had said them', async () => {
    const record = recordOf(PROJECT, CALL, [[[[32, 64], [64, 64], [64]], 12_400]]);
    const analysis = await analyzePython(PROJECT, { observed: observationsOf([record], record.timeNs * 2) });
    const site = only(analysis);
    const referenceAnalysis = await analyzePython(written(32, 64));
    const reference = only(referenceAnalysis);
    assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[32, 64], [64, 64], [64]]);
    assert.deepEqual(site.operands.map((o) => o.shape?.dimSources.map((s) => s.kind)), [['observed', 'observed'], ['observed', 'observed'], ['observed']]);
    assert.equal(site.symbolic, false);
    assert.equal(site.baseline?.flops, reference.baseline?.flops);
    assert.equal(site.best?.flops, reference.best?.flops);
    assert.deepEqual(site.observed && { ...site.observed, variants: site.observed.variants.length }, {
      calls: 12_400,
      timeNs: 12_400_000,
      share: 0.5,
      runs: 1,
      variants: 1,
      otherCalls: 0,
      conflicts: [],
      used: true,
    });
    const [finding] = analysis.findings;
    assert.equal(finding.code, 'EIN001');
    assert.equal(finding.message, `${referenceAnalysis.findings[0].message} at the recorded sizes; called 12,400 times, 50% of einsum time in the recorded run`);
    assert.deepEqual(finding.observed, { calls: 12_400, timeNs: 12_400_000, share: 0.5 });
    assert.deepEqual(analysis.observations, { source: '/project/.einsight/observed.json', matched: 1, stale: 0 });
  });

  it('keep the sizes the code fixes, and say so in a hint where the run saw others', async () => {
    const code = ['import numpy as np', 'a = np.ones((7, 4))', 'def f(b):', '    return np.einsum("ij,jk->ik", a, b)', ''].join('\n');
    const record = recordOf(code, 'np.einsum("ij,jk->ik", a, b)', [[[[8, 4], [4, 5]], 3]]);
    const analysis = await analyzePython(code, { observed: observationsOf([record]) });
    const site = only(analysis);
    assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[7, 4], [4, 5]]);
    assert.equal(site.operands[0].shape?.source.kind, 'constructor');
    const hint = analysis.findings.find((f) => f.code === 'EIN010');
    assert.deepEqual(hint && [hint.severity, hint.rule, hint.message], [
      'hint',
      'observed-mismatch',
      "operand 1 (a) was [8, 4] in the recorded run, but the code says [7, 4]; einsight uses the code's",
    ]);
  });

  it('price a site seen at several shapes at each, and never give a varying size one value', async () => {
    const record = recordOf(PROJECT, CALL, [
      [[[32, 64], [64, 64], [64]], 3],
      [[[8, 64], [64, 64], [64]], 2],
    ]);
    const analysis = await analyzePython(PROJECT, { observed: observationsOf([record]) });
    const site = only(analysis);
    assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[null, 64], [64, 64], [64]]);
    assert.match(site.operands[0].shape!.dimSources[0].detail, /^varies in the recorded run: 32, 8$/);
    const variants = site.observed!.variants;
    const references = [only(await analyzePython(written(32, 64))), only(await analyzePython(written(8, 64)))];
    assert.deepEqual(
      variants.map((v) => [v.shapes, v.calls, v.baselineFlops, v.bestFlops]),
      references.map((r, i) => [[[[32, 8][i], 64], [64, 64], [64]], [3, 2][i], r.baseline!.flops, r.best!.flops]),
    );
    const [finding] = analysis.findings;
    assert.equal(finding.code, 'EIN001');
    assert.match(finding.message, /at the most called recorded shape; holds at all 2 recorded shapes \([\d.]+×–[\d.]+× fewer\); called 5 times/);
  });

  it('report a cost only if it holds at every recorded shape', async () => {
    // At b=1 the three-operand loop is hardly worse than the best order: under the 2× bar.
    const code = ['import numpy as np', 'def f(x, w, v):', '    return np.einsum("bi,ij,j->b", x, w, v)', ''].join('\n');
    const small = recordOf(code, CALL, [[[[1, 2], [2, 2], [2]], 1]]);
    const mixed = recordOf(code, CALL, [
      [[[64, 64], [64, 64], [64]], 5],
      [[[1, 2], [2, 2], [2]], 1],
    ]);
    assert.deepEqual((await analyzePython(code, { observed: observationsOf([small]) })).findings.map((f) => f.code), []);
    assert.deepEqual((await analyzePython(code, { observed: observationsOf([mixed]) })).findings.map((f) => f.code), []);
  });

  it("price a call whose equation the code computes at the equation it was called with, and offer no fix for it", async () => {
    const code = ['import numpy as np', 'def f(eq, a, b, c):', '    return np.einsum(eq, a, b, c)', ''].join('\n');
    const record = recordOf(code, 'np.einsum(eq, a, b, c)', [[[[10, 100], [100, 50], [50, 5]], 1]], { equation: 'ij,jk,kl->il' });
    await prepareRewrites();
    const analysis = await analyzePython(code, { observed: observationsOf([record]) });
    const site = only(analysis);
    const reference = only(await analyzePython(['import numpy as np', 'r = np.einsum("ij,jk,kl->il", np.ones((10, 100)), np.ones((100, 50)), np.ones((50, 5)))', ''].join('\n')));
    assert.equal(site.dynamic, true);
    assert.equal(site.normalizedEquation, 'ij,jk,kl->il');
    assert.equal(site.baseline?.flops, reference.baseline?.flops);
    assert.deepEqual(analysis.findings.map((f) => f.code), ['EIN001']);
    assert.equal(fixAll(analysis, code, {}), null);
  });

  it('find a recording again after lines are added above it, and drop one whose call changed', async () => {
    const record = recordOf(PROJECT, CALL, [[[[32, 64], [64, 64], [64]], 1]]);
    const moved = `# header\n# more\n${PROJECT}`;
    const found = await analyzePython(moved, { observed: observationsOf([record]) });
    assert.equal(only(found).observed?.calls, 1);
    assert.deepEqual(found.observations, { source: '/project/.einsight/observed.json', matched: 1, stale: 0 });
    const changed = await analyzePython(PROJECT.replace(CALL, CALL.replace(', v)', ', 2 * v)')), { observed: observationsOf([record]) });
    assert.equal(only(changed).observed, null);
    assert.deepEqual(changed.observations, { source: '/project/.einsight/observed.json', matched: 0, stale: 1 });
  });

  it('tell identical calls apart by position, and after an edit by the lines around them', async () => {
    const code = ['import numpy as np', 'def f(a, b):', '    # first', '    return np.einsum("ij,jk->ik", a, b)', 'def g(a, b):', '    # second', '    return np.einsum("ij,jk->ik", a, b)', ''].join('\n');
    const call = 'np.einsum("ij,jk->ik", a, b)';
    const first = recordOf(code, call, [[[[2, 3], [3, 4]], 1]]);
    const second = recordOf(code, call, [[[[5, 6], [6, 7]], 9]], { occurrence: 1 });
    const dims = (analysis: FileAnalysis) => analysis.sites.map((s) => s.operands[0].shape?.dims);
    assert.deepEqual(dims(await analyzePython(code, { observed: observationsOf([first, second]) })), [[2, 3], [5, 6]]);
    const edited = code.replace('def g(a, b):', 'def g(a, b):\n    pass');
    assert.deepEqual(dims(await analyzePython(edited, { observed: observationsOf([second, first]) })), [[2, 3], [5, 6]]);
  });

  it('find a call Python placed at its statement (pytest before 8 rewrites asserts so) when it is the one einsum there', async () => {
    const code = ['import numpy as np', 'def test_it(x, w):', '    assert np.einsum("bi,ij->bj", x, w).shape == (3, 4)', '    assert np.einsum("i->", x[0]) == np.einsum("j->", w[0])', ''].join('\n');
    const single = recordOf(code, 'assert np.einsum("bi,ij->bj", x, w).shape == (3, 4)', [[[[3, 4], [4, 4]], 2]], { equation: 'bi,ij->bj' });
    const twice = 'assert np.einsum("i->", x[0]) == np.einsum("j->", w[0])';
    const first = recordOf(code, twice, [[[[4]], 1]], { equation: 'i->' });
    const analysis = await analyzePython(code, { observed: observationsOf([single, first]) });
    assert.deepEqual(
      analysis.sites.map((s) => [s.observed?.calls ?? null, s.operands[0].shape?.dims ?? null]),
      [[2, [3, 4]], [null, null], [null, null]],
    );
    // Two einsums in the statement: which one ran cannot be told, so neither is given it.
    assert.deepEqual(analysis.observations, { source: '/project/.einsight/observed.json', matched: 1, stale: 1 });
  });

  it('fill a matrix chain from the recordings of its products', async () => {
    const code = ['import torch', 'def f(a, b, c):', '    return a @ b @ c', ''].join('\n');
    const inner = recordOf(code, 'a @ b', [[[[4, 8], [8, 16]], 2]], { callee: 'operator.matmul', equation: null });
    const outer = recordOf(code, 'a @ b @ c', [[[[4, 16], [16, 2]], 2]], { callee: 'operator.matmul', equation: null });
    const analysis = await analyzePython(code, { observed: observationsOf([inner, outer]) });
    const site = only(analysis);
    assert.equal(site.kind, 'matmul-chain');
    assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[4, 8], [8, 16], [16, 2]]);
    assert.deepEqual(analysis.findings.map((f) => f.code), ['EIN006']);
    assert.match(analysis.findings[0].message, /at the recorded sizes; called 2 times, 4 µs in the recorded run$/);
  });

  it('never hide an error the code shows, and never make one from a recording', async () => {
    const broken = ['import numpy as np', 'def f(a):', '    return np.einsum("ij,jk", a)', ''].join('\n');
    const record = recordOf(broken, 'np.einsum("ij,jk", a)', [[[[2, 3]], 1]]);
    const analysis = await analyzePython(broken, { observed: observationsOf([record]) });
    assert.deepEqual(analysis.findings.map((f) => f.code), ['EIN002']);
    assert.equal(only(analysis).observed?.variants.length, 0);
    const code = ['import numpy as np', 'def f(a, b):', '    return np.einsum("ij,jk->ik", a, b)', ''].join('\n');
    const unfitting = recordOf(code, 'np.einsum("ij,jk->ik", a, b)', [[[[2, 3], [4, 5]], 1]]);
    const checked = await analyzePython(code, { observed: observationsOf([unfitting]) });
    assert.deepEqual(
      checked.findings.map((f) => [f.code, f.severity, f.message]),
      [['EIN010', 'hint', 'the recorded run called it with shapes [2, 3] · [4, 5], which do not fit the equation']],
    );
    assert.equal(only(checked).operands[0].shape, null);
  });
});
