/**
 * Shapes in TypeScript/JavaScript: tfjs constructors, shape-changing ops, results of earlier
 * contractions, numeric consts, hint comments and the dimension table, each with where it came
 * from; and the exact FLOP counts that follow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisOptions, KnownShape } from 'einsight-server/analysis/model';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';

/** The shape of `expression`, as the operand of a one-operand einsum at the end of `body`. */
function shapeOf(body: string, expression: string, options: AnalysisOptions = {}): KnownShape | null {
  const source = `import * as tf from '@tensorflow/tfjs';\n${body}\nexport const probe = tf.einsum('ij->ji', ${expression});\n`;
  const analysis = analyzeTypeScript(source, options);
  const site = analysis.sites[analysis.sites.length - 1];
  assert.equal(source.slice(site.operands[0].range.start, site.operands[0].range.end), expression);
  return site.operands[0].shape;
}

const dims = (body: string, expression: string, options: AnalysisOptions = {}) => shapeOf(body, expression, options)?.dims ?? null;

test('constructors', () => {
  assert.deepEqual(dims('', 'tf.randomNormal([2, 3])'), [2, 3]);
  assert.deepEqual(dims('', 'tf.randomUniform([4, 5], 0, 1)'), [4, 5]);
  assert.deepEqual(dims('', 'tf.zeros([6, 7])'), [6, 7]);
  assert.deepEqual(dims('', 'tf.ones([1, 8])'), [1, 8]);
  assert.deepEqual(dims('', 'tf.fill([2, 2], 3)'), [2, 2]);
  assert.deepEqual(dims('', 'tf.tensor([1, 2, 3, 4, 5, 6], [2, 3])'), [2, 3]);
  assert.deepEqual(dims('', 'tf.tensor([[1, 2], [3, 4], [5, 6]])'), [3, 2]);
  assert.deepEqual(dims('', 'tf.tensor2d([[1, 2, 3], [4, 5, 6]])'), [2, 3]);
  assert.deepEqual(dims('', 'tf.tensor2d([1, 2, 3, 4], [4, 1])'), [4, 1]);
  assert.deepEqual(dims('', 'tf.eye(3)'), [3, 3]);
  assert.deepEqual(dims('const x = tf.ones([2, 5]);', 'tf.zerosLike(x)'), [2, 5]);
  assert.deepEqual(dims('', 'tf.tidy(() => tf.ones([3, 4]))'), [3, 4]);
  // A ragged literal, or a rank that contradicts tensor2d, says nothing.
  assert.equal(dims('', 'tf.tensor([[1, 2], [3]])'), null);
  assert.equal(dims('', 'tf.tensor2d([1, 2, 3])'), null);
});

test('shape-changing operations and methods', () => {
  const x = 'const x = tf.randomNormal([4, 6]);';
  assert.deepEqual(dims(x, 'x.reshape([3, 8])'), [3, 8]);
  assert.deepEqual(dims(x, 'x.reshape([-1, 2])'), [12, 2]);
  assert.deepEqual(dims(x, 'tf.reshape(x, [2, 12])'), [2, 12]);
  assert.deepEqual(dims(x, 'x.transpose()'), [6, 4]);
  assert.deepEqual(dims('const y = tf.ones([2, 3, 4]);', 'y.transpose([2, 0, 1]).reshape([4, 6])'), [4, 6]);
  assert.deepEqual(dims(x, 'tf.transpose(x)'), [6, 4]);
  assert.deepEqual(dims(x, 'x.matMul(tf.ones([6, 9]))'), [4, 9]);
  assert.deepEqual(dims(x, 'tf.matMul(x, tf.ones([4, 2]), true)'), [6, 2]);
  assert.deepEqual(dims(x, 'x.mul(2).add(1).clone()'), [4, 6]);
  assert.deepEqual(dims(x, 'tf.mul(x, tf.ones([1, 6]))'), [4, 6]);
});

test('results of earlier contractions', () => {
  const body = `const a = tf.ones([2, 3]);\nconst b = tf.ones([3, 5]);\nconst t = tf.einsum('ij,jk->ik', a, b);`;
  assert.deepEqual(dims(body, 't'), [2, 5]);
  assert.equal(shapeOf(body, 't')?.source.kind, 'einsum-result');
  assert.deepEqual(dims(body, 'a.matMul(b).transpose()'), [5, 2]);
});

test('sizes from numeric consts, x.shape[i], hints and the dimension table', () => {
  const body = `const B = 16;\nconst D = B * 2 + Math.sqrt(16);\nconst x = tf.zeros([B, D]);`;
  const shape = shapeOf(body, 'x')!;
  assert.deepEqual(shape.dims, [16, 36]);
  assert.deepEqual(shape.dimSources.map((s) => [s.kind, s.detail]), [
    ['constant', 'const B = 16;'],
    ['constant', 'const D = B * 2 + Math.sqrt(16);'],
  ]);
  assert.deepEqual(dims(`${body}\nconst y = tf.ones([x.shape[1], 3]);`, 'y'), [36, 3]);
  assert.deepEqual(dims('function f(n: number) { return tf.ones([n, 4]); }\nconst z = f(2);', 'tf.ones([N, 4])'), ['N', 4]);
  assert.deepEqual(dims('', 'tf.ones([N, 4])', { dims: { N: 10 } }), [10, 4]);
  const hinted = shapeOf('// einsight: q[batch, 64] batch=32\ndeclare const q: tf.Tensor;', 'q')!;
  assert.deepEqual(hinted.dims, [32, 64]);
  assert.equal(hinted.source.kind, 'hint');
  assert.equal(hinted.source.detail, 'q[batch, 64]');
  assert.deepEqual(dims('/* einsight: this.w[3, K] */\nconst K = 5;\nclass M { w!: tf.Tensor; f() { return tf.einsum("ij->ji", this.w); } }', 'tf.ones([1, 1])'), [1, 1]);
});

test('a hint holds in its function from its line on, and an inner one wins', () => {
  const source = `import * as tf from '@tensorflow/tfjs';
// einsight: x[2, 3]
export function f(x: tf.Tensor) {
  const before = tf.einsum('ij->ji', x);
  // einsight: x[4, 5]
  return [before, tf.einsum('ij->ji', x)];
}
export function g(x: tf.Tensor) {
  return tf.einsum('ij->ji', x);
}
`;
  assert.deepEqual(analyzeTypeScript(source).sites.map((s) => s.operands[0].shape?.dims), [[2, 3], [4, 5], [2, 3]]);
});

test('values that change or repeat have no single shape', () => {
  assert.equal(dims('let x = tf.ones([2, 3]);\nx = tf.ones([4, 4]);', 'x'), null);
  assert.equal(dims('const xs = [tf.ones([2, 3])];\nfor (const x of xs) tf.einsum("ij->ji", x);', 'xs[0]'), null);
  assert.deepEqual(dims('let y = tf.ones([2, 3]);', 'y'), [2, 3]);
});

test('exact FLOPs: the baseline is the written order, the best the cheapest pairwise order', () => {
  const source = `import * as tf from '@tensorflow/tfjs';
const a = tf.ones([16, 4]), b = tf.ones([4, 32]), c = tf.ones([32, 2]);
export const r = tf.einsum('ij,jk,kl->il', a, b, c);
export const m = a.matMul(b).matMul(c);
export const p = tf.einsum('ij,jk->ik', a, b);
`;
  const [einsum, chain, pair] = analyzeTypeScript(source).sites;
  // (ab)c: 16·4·32·2 + 16·32·2·2 = 4096 + 2048; a(bc): 4·32·2·2 + 16·4·2·2 = 512 + 256.
  assert.deepEqual([einsum.baseline?.flops, einsum.best?.flops], [6144n, 768n]);
  assert.deepEqual([chain.baseline?.flops, chain.best?.flops], [6144n, 768n]);
  assert.equal(chain.baseline?.method, 'written-order');
  assert.deepEqual([pair.baseline?.flops, pair.best?.flops, pair.speedup], [4096n, 4096n, 1]);
});
