/**
 * Data flow in TypeScript/JavaScript: einsums whose result only feeds the next (chains, across
 * statements or nested), and constant scalar factors around a contraction (`tf.mul`, `.mul`,
 * `tf.div`, `.div`, `tf.scalar`), followed through transposes and single-use consts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';

const HEADER = `import * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([64, 2]), b = tf.ones([2, 64]), c = tf.ones([64, 3]);\n`;

function body(lines: string): string {
  return `${HEADER}export function f() {\n${lines}\n}\n`;
}

test('a result used once by the next einsum links them, and the chain fuses', () => {
  const source = body(`  const ab = tf.einsum('ij,jk->ik', a, b);\n  const abc = tf.einsum('ik,kl->il', ab, c);\n  return abc;`);
  const analysis = analyzeTypeScript(source);
  assert.equal(analysis.chains.length, 1);
  const [chain] = analysis.chains;
  assert.deepEqual(chain.members, [0, 1]);
  assert.equal(chain.links[0].name, 'ab');
  assert.equal(source.slice(chain.links[0].statementRange!.start, chain.links[0].statementRange!.end), `const ab = tf.einsum('ij,jk->ik', a, b);`);
  assert.equal(chain.fused?.equation, 'ij,jk,kl->il');
  // 64·2·64·2 + 64·64·3·2 before; 2·64·3·2 + 64·2·3·2 fused in the best order.
  assert.deepEqual([chain.baselineFlops, chain.best?.flops], [40960n, 1536n]);
  assert.deepEqual(analysis.findings.map((f) => f.code), ['EIN004']);
});

test('a nested einsum links without a name', () => {
  const analysis = analyzeTypeScript(body(`  return tf.einsum('ik,kl->il', tf.einsum('ij,jk->ik', a, b), c);`));
  assert.deepEqual(analysis.chains[0]?.links.map((l) => [l.name, l.statementRange]), [[null, null]]);
});

test('no link when the result is used twice, exported, captured, or an operand changes in between', () => {
  const cases = [
    `  const ab = tf.einsum('ij,jk->ik', a, b);\n  const r = tf.einsum('ik,kl->il', ab, c);\n  return [r, ab];`,
    `  let ab = tf.einsum('ij,jk->ik', a, b);\n  ab = ab.add(1);\n  return tf.einsum('ik,kl->il', ab, c);`,
    `  const ab = tf.einsum('ij,jk->ik', a, b);\n  return () => tf.einsum('ik,kl->il', ab, c);`,
    `  let x = a;\n  const ab = tf.einsum('ij,jk->ik', x, b);\n  x = c;\n  return tf.einsum('ik,kl->il', ab, c);`,
    `  const ab = tf.einsum('ij,jk->ik', a, b);\n  a.dispose();\n  return tf.einsum('ik,kl->il', ab, c);`,
    `  const ab = tf.einsum('ij,jk->ik', a, b);\n  tf.dispose([a]);\n  return tf.einsum('ik,kl->il', ab, c);`,
  ];
  for (const lines of cases) assert.deepEqual(analyzeTypeScript(body(lines)).chains, [], lines);
  const exported = `${HEADER}export const ab = tf.einsum('ij,jk->ik', a, b);\nexport const r = tf.einsum('ik,kl->il', ab, c);\n`;
  assert.deepEqual(analyzeTypeScript(exported).chains, []);
});

test('module-level statements chain too, unless an operand is disposed in between', () => {
  const source = `${HEADER}const ab = tf.einsum('ij,jk->ik', a, b);\nexport const r = tf.einsum('ik,kl->il', ab, c);\n`;
  assert.equal(analyzeTypeScript(source).chains.length, 1);
  const disposed = source.replace('export const r', 'b.dispose();\nexport const r');
  assert.deepEqual(analyzeTypeScript(disposed).chains, []);
});

test('scalar factors on operands and on the result, in every spelling', () => {
  const source = body(
    `  const q = tf.mul(a, 2);\n  return tf.div(tf.einsum('ij,jk->ik', q, b.mul(tf.scalar(4)).transpose().transpose()).div(Math.sqrt(16)), 8);`,
  );
  const [site] = analyzeTypeScript(source).sites;
  const factors = site.scalars!.factors;
  assert.deepEqual(
    factors.map((f) => [f.value, f.operation, f.appliedTo, source.slice(f.applicationRange.start, f.applicationRange.end)]),
    [
      [2, 'multiply', { kind: 'operand', index: 0 }, 'tf.mul(a, 2)'],
      [4, 'multiply', { kind: 'operand', index: 1 }, 'b.mul(tf.scalar(4))'],
      [4, 'divide', { kind: 'output' }, `tf.einsum('ij,jk->ik', q, b.mul(tf.scalar(4)).transpose().transpose()).div(Math.sqrt(16))`],
      [8, 'divide', { kind: 'output' }, `tf.div(tf.einsum('ij,jk->ik', q, b.mul(tf.scalar(4)).transpose().transpose()).div(Math.sqrt(16)), 8)`],
    ],
  );
  assert.equal(site.scalars!.combined, 0.25);
  // 128 + 128 + 4096 + 4096 multiplications now; one, on an operand of 128, would do.
  assert.deepEqual([site.scalars!.currentCost, site.scalars!.bestCost], [8448n, 128n]);
});

test('a result read once later carries the factor applied there', () => {
  const source = body(`  const s = tf.einsum('ij,jk->ik', a, b);\n  return s.div(8);`);
  const factors = analyzeTypeScript(source).sites[0].scalars!.factors;
  assert.deepEqual(factors.map((f) => [f.value, f.appliedTo.kind, source.slice(f.applicationRange.start, f.applicationRange.end)]), [[8, 'output', 's.div(8)']]);
});

test('no factor where the value is not a constant, or is a tensor of its own', () => {
  const source = body(`  const w = tf.ones([1]);\n  return tf.einsum('ij,jk->ik', a.mul(w), b).mul(a.shape.length > 1 ? 2 : 3);`);
  assert.equal(analyzeTypeScript(source).sites[0].scalars, null);
});
