import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractionSite, FileAnalysis } from 'einsight-server/analysis/model';
import { analyzeFixture, siteAt, textAt, type PythonFixture } from '../support/python-fixtures';

function chainOf(analysis: FileAnalysis, site: ContractionSite) {
  return analysis.chains.find((c) => c.id === site.chain) ?? null;
}

describe('chains: einsums whose result only feeds another einsum', () => {
  it('fuses a chain through a variable into one contraction', async () => {
    const { fixture, analysis } = await analyzeFixture('chains.py');
    const root = siteAt(analysis, fixture, 'chain');
    const chain = chainOf(analysis, root)!;
    assert.equal(chain.members.length, 2);
    assert.equal(chain.root, root.id);
    assert.equal(chain.fused?.equation, 'ij,jk,k->i');
    assert.deepEqual(chain.fused?.operands.map((o) => o.text), ['A', 'Bm', 'v']);
    // Producer 2·100³ plus consumer 2·100² as written; fused, B·v then A·(Bv).
    assert.equal(chain.baselineFlops, 2_020_000n);
    assert.equal(chain.best?.flops, 40_000n);
    assert.equal(chain.speedup, 50.5);
    assert.equal(chain.links[0].name, 'h');
    assert.equal(textAt(fixture, chain.links[0].statementRange!), 'h = np.einsum("ij,jk->ik", A, Bm)');
    const producer = analysis.sites.find((s) => s.id === chain.links[0].producer)!;
    assert.equal(producer.chain, chain.id);
    const finding = analysis.findings.find((f) => f.code === 'EIN004' && f.chain === chain.id)!;
    assert.equal(finding.message, "2 einsums chained through h fuse into 'ij,jk,k->i': 2.02e6 FLOPs → 40,000 FLOPs (50.5× fewer)");
    assert.deepEqual(finding.range, root.range);
  });

  it('fuses nested calls, longer chains and module-level chains', async () => {
    const { fixture, analysis } = await analyzeFixture('chains.py');
    const inline = chainOf(analysis, siteAt(analysis, fixture, 'inline'))!;
    assert.deepEqual([inline.fused?.equation, inline.links[0].name, inline.links[0].statementRange], ['ij,jk,k->i', null, null]);
    const three = chainOf(analysis, siteAt(analysis, fixture, 'three'))!;
    assert.equal(three.members.length, 3);
    assert.equal(three.fused?.equation, 'ij,jk,kl,l->i');
    assert.deepEqual(three.fused?.operands.map((o) => o.text), ['A', 'Bm', 'A', 'v']);
    assert.deepEqual([three.baselineFlops, three.best?.flops], [4_020_000n, 60_000n]);
    const moduleChain = chainOf(analysis, siteAt(analysis, fixture, 'moduleChain'))!;
    assert.equal(moduleChain.links[0].name, 'H');
    assert.equal(analysis.chains.filter((c) => !c.blocked).length, 4);
  });

  it('does not fuse reassigned, twice-used, captured, mutated or loop-consumed intermediates', async () => {
    const { fixture, analysis } = await analyzeFixture('chains.py');
    const chained = new Set(analysis.chains.filter((c) => !c.blocked).flatMap((c) => c.members));
    const firstNegative = fixture.text.indexOf('def reassigned');
    const negatives = analysis.sites.filter((s) => s.range.start > firstNegative);
    assert.equal(negatives.length, 20);
    assert.deepEqual(negatives.filter((s) => chained.has(s.id)).map((s) => textAt(fixture, s.range)), []);
    // Chains whose operands change in between are kept, blocked, with the code to blame (and no finding).
    assert.deepEqual(
      analysis.chains.filter((c) => c.blocked).map((c) => [c.blocked!.reason, textAt(fixture, c.blocked!.at!)]),
      [
        ['`a` is reassigned by `a = a * 2`', 'a = a * 2'],
        ['`a` may be modified by `a += 1`', 'a += 1'],
      ],
    );
    assert.ok(analysis.findings.every((f) => f.code !== 'EIN004' || !analysis.chains[f.chain!].blocked));
  });
});

function factorsOf(fixture: PythonFixture, site: ContractionSite) {
  return (site.scalars?.factors ?? []).map((f) => ({
    value: f.value,
    operation: f.operation,
    text: textAt(fixture, f.range),
    target: f.appliedTo.kind === 'output' ? 'output' : `operand ${f.appliedTo.index}`,
  }));
}

describe('scalar factors around contractions', () => {
  it('finds factors on the result and on operands, in every spelling', async () => {
    const { fixture, analysis } = await analyzeFixture('scalars.py');
    const at = (name: string) => factorsOf(fixture, siteAt(analysis, fixture, name));
    assert.deepEqual(at('outMul'), [{ value: 2, operation: 'multiply', text: '2.0', target: 'output' }]);
    assert.deepEqual(at('outDiv'), [{ value: 8, operation: 'divide', text: 'math.sqrt(64)', target: 'output' }]);
    assert.deepEqual(at('operandMul'), [{ value: 0.5, operation: 'multiply', text: 'SCALE', target: 'operand 0' }]);
    assert.deepEqual(at('torchMul'), [{ value: 3, operation: 'multiply', text: '3', target: 'output' }]);
    assert.deepEqual(at('methodDiv'), [{ value: 4, operation: 'divide', text: '4', target: 'output' }]);
    assert.deepEqual(at('transposed'), [{ value: 2, operation: 'multiply', text: '2', target: 'output' }]);
    assert.deepEqual(at('operandTransposed'), [{ value: 3, operation: 'multiply', text: '3', target: 'operand 0' }]);
    assert.deepEqual(at('combined'), [
      { value: 2, operation: 'multiply', text: '2', target: 'operand 0' },
      { value: 3, operation: 'multiply', text: '3', target: 'output' },
    ]);
    assert.deepEqual(at('augmented'), [
      { value: 2, operation: 'multiply', text: '2', target: 'output' },
      { value: 4, operation: 'divide', text: '4', target: 'output' },
    ]);
    assert.deepEqual(at('throughName'), [{ value: 2, operation: 'multiply', text: '2', target: 'operand 0' }]);
    assert.deepEqual(at('augmentedOperand'), [{ value: 0.125, operation: 'multiply', text: '0.125', target: 'operand 0' }]);
    for (const name of ['notConstant', 'throughReshape', 'tensorProduct']) assert.deepEqual(at(name), [], name);
    const nested = siteAt(analysis, fixture, 'throughProduct').scalars!;
    assert.deepEqual(at('throughProduct'), [{ value: 5, operation: 'multiply', text: '5', target: 'operand 0' }]);
    assert.deepEqual(
      { ...nested.factors[0].nestedIn, range: textAt(fixture, nested.factors[0].nestedIn!.range) },
      { text: 'Z', range: 'Z', elements: 1_000_000n },
    );
    assert.deepEqual([nested.currentCost, nested.bestCost], [1_000_000n, 10_000n]);
  });

  it('places the combined factor on the smallest tensor', async () => {
    const { fixture, analysis } = await analyzeFixture('scalars.py');
    const outMul = siteAt(analysis, fixture, 'outMul');
    assert.deepEqual(outMul.scalars && { ...outMul.scalars, factors: undefined }, {
      factors: undefined,
      combined: 2,
      currentCost: 1_000_000n,
      best: { kind: 'operand', index: 0 },
      bestCost: 10_000n,
    });
    assert.equal(textAt(fixture, outMul.scalars!.factors[0].applicationRange), textAt(fixture, fixture.range('outMulApplication')));
    const combined = siteAt(analysis, fixture, 'combined').scalars!;
    assert.deepEqual([combined.combined, combined.currentCost, combined.bestCost], [6, 1_010_000n, 10_000n]);
    assert.equal(siteAt(analysis, fixture, 'augmented').scalars!.combined, 0.5);
    const codes = (name: string) => analysis.findings.filter((f) => f.site === siteAt(analysis, fixture, name).id).map((f) => f.code);
    assert.deepEqual(codes('outMul'), ['EIN005']);
    assert.deepEqual(codes('operandMul'), []);
    const throughProduct = analysis.findings.find((f) => f.site === siteAt(analysis, fixture, 'throughProduct').id)!;
    assert.equal(
      throughProduct.message,
      'scalar * 5 scales Z (in operand 1 ((Z * 5) @ W)): 1.00e6 multiplications; multiplying operand 1 ((Z * 5) @ W) by 5 needs 10,000',
    );
    const finding = analysis.findings.find((f) => f.site === outMul.id)!;
    assert.equal(finding.message, 'scalar * 2.0 scales the result: 1.00e6 multiplications; multiplying operand 1 (X) by 2 needs 10,000');
    assert.equal(textAt(fixture, finding.range), textAt(fixture, fixture.range('outMulApplication')));
  });
});
