/**
 * Shortcuts in pricing give the results of the work they skip: the contraction bound once
 * when every known size is certain, and `costOfPath`'s reused counters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { costOfPath } from 'einsight-server/core/cost';
import type { Contraction } from 'einsight-server/core/contraction';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { sameDims } from 'einsight-server/analysis/pricing';
import { contractionOf, loadOracle } from '../support/oracle';

describe('binding less certain sizes only when there are some', () => {
  it('tells equal operand shapes from different ones', () => {
    assert.ok(sameDims([[3, 'B', null], null], [[3, 'B', null], null]));
    assert.ok(!sameDims([[3, 4]], [[3, 5]]));
    assert.ok(!sameDims([[3, 4]], [[3, 4, 1]]));
    assert.ok(!sameDims([null], [[3]]));
    assert.ok(!sameDims([[3]], [[3], null]));
  });

  it('prices certain shapes as binding them again would, and still refines with merged sizes', async () => {
    const certain = 'import numpy as np\na = np.zeros((3, 4))\nb = np.ones((4, 5))\nr = np.einsum("ij,jk->ik", a, b)\n';
    // Two calls with different sizes: the shapes merge, which is no certain source.
    const passed = 'import numpy as np\ndef f(a, b):\n    return np.einsum("ij,jk->ik", a, b)\nf(np.zeros((3, 4)), np.ones((4, 5)))\nf(np.zeros((6, 4)), np.ones((4, 5)))\n';
    const [site] = (await analyzePython(certain)).sites;
    const again = bindShapes(parseEquation('ij,jk->ik'), site.operands.map((o) => o.shape?.dims ?? null), { operandCount: 2 });
    assert.deepEqual(site.contraction, again);
    const [refined] = (await analyzePython(passed)).sites;
    assert.ok(refined.operands.every((o) => o.shape?.source.kind === 'merge'));
    assert.deepEqual(refined.contraction?.sizes.map((s) => s.symbol ?? s.value), ['a.shape[0]', 4, 5]);
  });
});

describe('costOfPath reused counters', () => {
  it('prices each path the same whatever was priced before, including a contraction wider than the first counters', () => {
    const cases = loadOracle('paths.jsonl').filter((c) => c.n >= 2).slice(0, 150);
    const leftToRight = (n: number) => Array.from({ length: n - 1 }, () => [0, 1]);
    const price = () => cases.map((c) => costOfPath(contractionOf(c), leftToRight(c.n)));
    const first = price();
    const width = 80;
    const labels = Array.from({ length: width }, (_, i) => `l${i}`);
    const wide: Contraction = {
      labels,
      inputs: [labels.map((_, i) => i).slice(0, 50), labels.map((_, i) => i).slice(30)],
      output: [0, width - 1],
      sizes: labels.map(() => ({ value: 2, symbol: null })),
      style: 'named',
    };
    assert.equal(costOfPath(wide, [[0, 1]]).flops, 2n ** 80n * 2n);
    assert.deepEqual(price(), first);
  });
});
