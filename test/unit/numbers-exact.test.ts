/**
 * Numbers past what doubles hold. A size from the source text above 2^53 - 1 used to be rounded
 * (99999999999999999999 became 1e20) and its FLOPs claimed exactly; `N=1e400` in a hint set N
 * to 1; a speedup near the largest double printed as `Infinity×`. Now such a size is read
 * exactly (as digits) and refused where it cannot be counted with — a located EIN008 in a hint,
 * a usage error in `--dims`, an unknown size in code — FLOPs stay exact integers of any size in
 * JSON, and every speedup prints as a number.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { formatSpeedup } from 'einsight-server/core/counts';
import { runCli } from '../support/cli';

const TOO_LARGE = "is larger than 2^53 - 1 (9,007,199,254,740,991), past which einsight cannot count exactly: give a smaller size, or none";

describe('sizes past 2^53 - 1', () => {
  it('in a hint: EIN008 at the size, and the name stays unknown (not rounded, not 1)', async () => {
    const text = 'import numpy as np\n# einsight: q[N, 20] N=1e400 w[M, 20] M=99999999999999999999 v[9007199254740993, 2]\nx = np.einsum("ij,jk->ik", q, np.ones((20, 30)))\ny = np.einsum("ij,jk->ik", w, np.ones((20, 30)))\n';
    const analysis = await analyzePython(text);
    assert.deepEqual(
      analysis.findings.map((f) => [f.code, f.message, text.slice(f.range.start, f.range.end)]),
      [['EIN008', "'N=1e400' is not a size: use a whole number such as N=64", 'N=1e400']],
      'the first error ends the hint: what follows is not read',
    );
    const second = await analyzePython(text.replace('N=1e400 ', ''));
    assert.deepEqual(
      second.findings.map((f) => [f.code, f.message, text.replace('N=1e400 ', '').slice(f.range.start, f.range.end)]),
      [['EIN008', `'M=99999999999999999999' ${TOO_LARGE}`, 'M=99999999999999999999']],
    );
    for (const a of [analysis, second]) {
      assert.deepEqual(a.sites[0].operands[0].shape?.dims, ['N', 20]);
      assert.equal(a.sites[0].symbolic, true);
    }
    const bracket = await analyzePython('import numpy as np\n# einsight: v[9007199254740993, 2]\nx = np.einsum("ij->j", v)\n');
    assert.deepEqual(bracket.findings.map((f) => [f.code, f.message]), [['EIN008', `'9007199254740993' ${TOO_LARGE}`]]);
    // 2^53 - 1 itself is exact.
    const largest = await analyzePython('import numpy as np\n# einsight: v[9007199254740991, 2]\nx = np.einsum("ij->j", v)\n');
    assert.deepEqual(largest.findings, []);
    assert.equal(largest.sites[0].baseline?.flops, 18014398509481982n);
  });

  it('in code: an unknown size, never a rounded one (Python and TypeScript)', async () => {
    const python = await analyzePython('import numpy as np\nK = 123456789012345678901\nu = np.einsum("ij,jk->ik", np.ones((K, 20)), np.ones((20, 30)))\nz = np.einsum("ij,jk->ik", np.ones((1e400, 20)), np.ones((20, 30)))\n');
    for (const site of python.sites) {
      assert.equal(site.operands[0].shape?.dims[0] === null || typeof site.operands[0].shape?.dims[0] === 'string' || site.operands[0].shape === null, true);
      assert.ok(site.baseline === null || site.symbolic, 'no exact claim on a rounded size');
    }
    const typescript = analyzeTypeScript("import * as tf from '@tensorflow/tfjs';\nexport const u = tf.einsum('ij,jk->ik', tf.ones([123456789012345678901, 20]), tf.ones([20, 30]));\n");
    assert.ok(typescript.sites[0].baseline === null || typescript.sites[0].symbolic);
  });

  it('in --dims: a usage error (exit 2), ranges too', async () => {
    for (const dims of ['N=99999999999999999999', 'N=1..99999999999999999999']) {
      const result = await runCli(['check', 'examples/', '--dims', dims]);
      assert.equal(result.code, 2, dims);
      assert.match(result.stderr, new RegExp(`^einsight check: --dims: '${dims.replace(/\./g, '\\.')}' is larger than 2\\^53 - 1`));
    }
  });
});

describe('FLOPs and speedups past what doubles hold', () => {
  it('JSON writes FLOP counts as exact integers', async () => {
    const result = await runCli(['path', 'ij,jk,kl->il', '--shapes', '1048576x1048576,1048576x1048576,1048576x3', '--json']);
    assert.equal(result.code, 0, result.stderr);
    // Naive: 3 (terms) × 2^20 · 2^20 · 2^20 · 3 = 9 · 2^60, above 2^63: a double would print 10376293541461623000.
    assert.match(result.stdout, /"flops": 10376293541461622784,/);
  });

  it('a speedup of 1.8e308 prints as a number; only a ratio past every double is "many times"', () => {
    assert.equal(formatSpeedup(1.797e308), '1.80e308×');
    assert.equal(formatSpeedup(9.995e6), '1.00e7×');
    assert.equal(formatSpeedup(Infinity), 'many times');
  });
});
