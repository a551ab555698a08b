/**
 * Shortcuts in the price-and-find phase give what the work they skip would: a constant
 * polynomial kept without its map, the binding without shapes made only when its result or
 * its error is needed, and the best path priced once when it is the library's own path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Polynomial } from 'einsight-server/core/symbolic';
import { costOfPath } from 'einsight-server/core/cost';
import { summarize, type BaselineSpec } from 'einsight-server/analysis/baseline';
import { CostCache, priceKey } from 'einsight-server/analysis/pricing';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import type { ContractionSite } from 'einsight-server/analysis/model';

describe('constant polynomials', () => {
  it('have one form however they are built, so equal costs stay deeply equal', () => {
    const six = Polynomial.constant(6);
    assert.deepStrictEqual(Polynomial.fromTerms([{ monomial: [], coefficient: 6n }]), six);
    assert.deepStrictEqual(Polynomial.constant(2).mul(Polynomial.constant(3)), six);
    assert.deepStrictEqual(Polynomial.fromTerms([{ monomial: [], coefficient: 2n }]).add(Polynomial.constant(4)), six);
    assert.deepStrictEqual(Polynomial.symbol('N').sub(Polynomial.symbol('N')), Polynomial.constant(0));
    assert.deepStrictEqual(Polynomial.symbol('N').add(Polynomial.constant(6)).sub(Polynomial.symbol('N')), six);
  });

  it('answer as a polynomial with the one constant term does', () => {
    for (const value of [0n, 1n, -5n, 7n, 2n ** 80n]) {
      const lazy = Polynomial.constant(value);
      const general = Polynomial.symbol('N').add(Polynomial.constant(value)).sub(Polynomial.symbol('N'));
      assert.equal(lazy.toString(), value === 0n ? '0' : value < 0n ? `-${-value}` : String(value));
      assert.equal(lazy.toString(), general.toString());
      assert.equal(lazy.degree(), 0);
      assert.equal(lazy.isConstant(), true);
      assert.equal(lazy.scalingString(), 'O(1)');
      assert.deepEqual(lazy.termList(), value === 0n ? [] : [{ monomial: [], coefficient: value }]);
      assert.deepEqual(lazy.symbols(), []);
      assert.equal(lazy.evaluateExact(new Map()), value);
      assert.equal(lazy.evaluate({}, 3), Number(value));
      assert.equal(lazy.scale(3).toString(), String(value * 3n));
      assert.equal(lazy.add(Polynomial.symbol('N')).toString(), value === 0n ? 'N' : `N ${value < 0n ? '-' : '+'} ${value < 0n ? -value : value}`);
      assert.equal(lazy.mul(Polynomial.symbol('N')).toString(), Polynomial.symbol('N').scale(value).toString());
    }
  });
});

const numpy = (body: string) => `import numpy as np\n${body}\n`;

async function onlySite(text: string, options = {}): Promise<ContractionSite> {
  const { sites } = await analyzePython(text, options);
  assert.equal(sites.length, 1);
  return sites[0];
}

describe('binding without shapes only where it is needed', () => {
  it('reports a wrong operand count as an equation error, before any shape error', async () => {
    const site = await onlySite(numpy('a = np.zeros((3, 4, 5))\nr = np.einsum("ij,jk->ik", a)'));
    assert.deepEqual(site.diagnostics.map((d) => [d.code, d.message]), [['EIN002', 'the equation has 2 input terms but 1 operand was given']]);
    assert.equal(site.normalizedEquation, null);
  });

  it('reports a shape error with the equation as written', async () => {
    const site = await onlySite(numpy('a = np.zeros((3, 4, 5))\nb = np.ones((4, 5))\nr = np.einsum("ij,jk->ik", a, b)'));
    assert.deepEqual(site.diagnostics.map((d) => d.code), ['EIN003']);
    assert.equal(site.normalizedEquation, 'ij,jk->ik');
    assert.equal(site.contraction, null);
  });

  it('still reports a bad size in the dims table where every shape is certain', async () => {
    const text = numpy('a = np.zeros((3, 4))\nb = np.ones((4, 5))\nr = np.einsum("ij,jk->ik", a, b)');
    const site = await onlySite(text, { dims: { k: -1 } });
    assert.deepEqual(site.diagnostics.map((d) => [d.code, d.message]), [['EIN002', "dimension 'k' is set to -1; sizes must be non-negative integers"]]);
    // A table that does not touch the labels leaves the site priced as without it.
    const plain = await onlySite(text);
    const unrelated = await onlySite(text, { dims: { B: 8 } });
    assert.deepEqual(unrelated.best, plain.best);
    assert.equal(unrelated.normalizedEquation, plain.normalizedEquation);
  });

  it('writes the equation as written when the broadcast of an unknown `...` is unknown', async () => {
    const site = await onlySite(numpy('def f(x):\n    a = np.zeros((2, 3, 4))\n    return np.einsum("...ij,...jk->...ik", a, x)'));
    assert.equal(site.unknownEllipsis, true);
    assert.equal(site.contraction, null);
    // Bound without shapes, `...` stands for no dimension.
    assert.equal(site.normalizedEquation, 'ij,jk->ik');
  });

  it('reports an explicit path that does not fit with the equation as written', async () => {
    const site = await onlySite(numpy('a = np.zeros((3, 4))\nb = np.ones((4, 5))\nc = np.ones((5, 6))\nr = np.einsum("ij,jk,kl->il", a, b, c, optimize=["einsum_path", (0, 3)])'));
    assert.deepEqual(site.diagnostics.map((d) => d.code), ['EIN002']);
    assert.equal(site.normalizedEquation, 'ij,jk,kl->il');
  });
});

describe('the best path priced once when it is the library\'s own', () => {
  const costed = (site: ContractionSite) => {
    const cost = costOfPath(site.contraction!, site.best!.path);
    return { ...summarize(cost, null, cost.path, site.symbolic), optimizer: site.best!.optimizer };
  };

  it('gives the cost a pricing of the best path gives, when the paths agree and when they differ', async () => {
    const agree = await onlySite(numpy('a = np.zeros((3, 4))\nb = np.ones((4, 5))\nc = np.ones((5, 60))\nr = np.einsum("ij,jk,kl->il", a, b, c, optimize="greedy")'));
    assert.deepEqual(agree.best!.path, agree.baseline!.path);
    assert.deepEqual(agree.best, costed(agree));
    const differ = await onlySite(numpy('a = np.zeros((300, 4))\nb = np.ones((4, 500))\nc = np.ones((500, 6))\nr = np.einsum("ij,jk,kl->il", a, b, c, optimize=[(0, 1), (0, 1)])'));
    assert.notDeepEqual(differ.best!.path, differ.baseline!.path);
    assert.deepEqual(differ.best, costed(differ));
    const symbolic = await onlySite(numpy('def f(a, b, c):\n    return np.einsum("ij,jk,kl->il", a, b, c, optimize="optimal")'));
    assert.equal(symbolic.symbolic, true);
    assert.deepEqual(symbolic.best, costed(symbolic));
  });
});

describe('the price cache key', () => {
  const contraction = (sizes: { value: number; symbol: string | null }[], inputs = [[0, 1], [1, 2]], output = [0, 2]) => ({
    inputs,
    output,
    labels: ['i', 'j', 'k'],
    sizes,
  });
  const sizes = [
    { value: 3, symbol: null },
    { value: 4, symbol: null },
    { value: 5, symbol: null },
  ];
  const spec: BaselineSpec = { method: 'optimizer', optimizer: 'greedy', memoryLimit: 'numpy', path: null, description: "numpy.einsum runs 'greedy' at every call", perCallSearch: true };
  const search = { bestOptimizer: 'auto-hq' as const, memoryLimit: null };

  it('tells apart everything a price depends on', () => {
    const base = priceKey(contraction(sizes), spec, search);
    assert.equal(priceKey(contraction(sizes.map((s) => ({ ...s }))), { ...spec }, { ...search }), base);
    const variants = [
      priceKey(contraction([sizes[0], { value: 4, symbol: 'N' }, sizes[2]]), spec, search),
      priceKey(contraction([sizes[0], { value: 64, symbol: 'N' }, sizes[2]]), spec, search),
      priceKey(contraction([sizes[0], { value: 64, symbol: 'M' }, sizes[2]]), spec, search),
      priceKey(contraction([sizes[0], { value: 34, symbol: null }, sizes[2]]), spec, search),
      priceKey(contraction([{ value: 34, symbol: null }, { value: 4, symbol: null }, sizes[2]]), spec, search),
      priceKey(contraction(sizes, [[0], [1, 1, 2]]), spec, search),
      priceKey(contraction(sizes, [[0, 1, 1], [2]]), spec, search),
      priceKey(contraction(sizes, [[0, 1], [1, 2]], [2, 0]), spec, search),
      priceKey(contraction(sizes, [[0, 1], [1, 2]], [0, 1, 2]), spec, search),
      priceKey(contraction(sizes), { ...spec, method: 'naive' }, search),
      priceKey(contraction(sizes), { ...spec, optimizer: 'optimal' }, search),
      priceKey(contraction(sizes), { ...spec, memoryLimit: null }, search),
      priceKey(contraction(sizes), { ...spec, memoryLimit: 1000 }, search),
      priceKey(contraction(sizes), { ...spec, method: 'explicit-path', path: [[0, 1]] }, search),
      priceKey(contraction(sizes), { ...spec, method: 'explicit-path', path: [[1, 0]] }, search),
      priceKey(contraction(sizes), { ...spec, perCallSearch: false }, search),
      priceKey(contraction(sizes), { ...spec, description: 'numpy.einsum (on torch)' }, search),
      priceKey(contraction(sizes), spec, { ...search, bestOptimizer: 'greedy' as never }),
      priceKey(contraction(sizes), spec, { ...search, memoryLimit: 100 as never }),
    ];
    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  });

  it('gives each distinct contraction its own price, and the same price again for the same one', () => {
    const cache = new CostCache();
    const problem = contraction([
      { value: 30, symbol: null },
      { value: 2, symbol: null },
      { value: 40, symbol: null },
    ], [[0, 1], [1, 2], [2]], [0]);
    const greedy = cache.price(problem, spec, search, false);
    assert.equal(cache.price(problem, { ...spec }, { ...search }, false), greedy);
    const limited = cache.price(problem, { ...spec, memoryLimit: 1 }, search, false);
    assert.notEqual(limited, greedy);
    assert.deepEqual(limited, new CostCache().price(problem, { ...spec, memoryLimit: 1 }, search, false));
    const resized = contraction([
      { value: 30, symbol: null },
      { value: 2, symbol: null },
      { value: 41, symbol: null },
    ], [[0, 1], [1, 2], [2]], [0]);
    assert.notDeepEqual(cache.price(resized, spec, search, false), greedy);
  });
});
