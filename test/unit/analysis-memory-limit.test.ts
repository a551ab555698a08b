import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from 'einsight-server/analysis/python/analyze';

const source = [
  'import numpy as np',
  '',
  'def chain(a, b, c, d):',
  '    # einsight: a[512, 512] b[512, 512] c[512, 512] d[512]',
  "    return np.einsum('ij,jk,kl,l->i', a, b, c, d)",
  '',
].join('\n');

describe('the memoryLimit analysis option (einsight.memoryLimit)', () => {
  it('keeps every intermediate of the best path within the limit', async () => {
    const free = (await analyzePython(source)).sites[0].best;
    assert.ok(free);
    assert.equal(free.flops, 1572864n);
    // 512 elements: the matrix-vector order still fits, so the best path is unchanged.
    const fitting = (await analyzePython(source, { memoryLimit: 512 })).sites[0].best;
    assert.deepEqual(fitting?.path, free.path);
    // Below the vector size no pairwise step fits: all operands in one step, as opt_einsum does.
    const tight = (await analyzePython(source, { memoryLimit: 100 })).sites[0].best;
    assert.deepEqual(tight?.path, [[0, 1, 2, 3]]);
  });
});

describe('path searches the analysis runs on behalf of the library', () => {
  it("never stall the analysis: optimize='branch-all' on 16 operands is priced with greedy past the budget", async () => {
    // A ring of 16 matrices: branch-all alone would explore millions of orders.
    const letters = 'abcdefghijklmnopq';
    const terms = Array.from({ length: 16 }, (_, k) => letters[k] + letters[k + 1]).join(',');
    const names = Array.from({ length: 16 }, (_, k) => `m${k}`);
    const hint = names.map((n) => `${n}[6, 6]`).join(' ');
    const text = [
      'import numpy as np',
      '',
      `def ring(${names.join(', ')}):`,
      `    # einsight: ${hint}`,
      `    return np.einsum('${terms}->aq', ${names.join(', ')}, optimize='branch-all')`,
      '',
    ].join('\n');
    const site = (await analyzePython(text)).sites[0];
    assert.ok(site.baseline);
    assert.equal(site.baseline.path.length, 15);
  });
});
