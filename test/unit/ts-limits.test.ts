/**
 * tfjs's limits on tf.einsum as errors (EIN009) on the exact characters at fault: more than two
 * operands, a label repeated within one operand, `...`, no `->`. Each is a runtime error in
 * tfjs 4.x, so the call gets no cost finding, only the error; other libraries are not bound by
 * them. Hint comments that cannot be read are EIN008 warnings on the bad text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { parseTsFixture, siteAt } from '../support/typescript-harness';

const fixture = parseTsFixture(`import * as tf from '@tensorflow/tfjs';
const a = tf.ones([2, 3]), b = tf.ones([3, 4]), c = tf.ones([4, 5]), d = tf.ones([5, 6]);
export const many = [|/*many*/tf.einsum('ij,jk,kl,lm->im', a, b, [|/*extra*/c, d|])|];
export const diagonal = [|/*diagonal*/tf.einsum('i[|/*repeat*/i|]->i', tf.ones([3, 3]))|];
export const escaped = [|/*escaped*/tf.einsum('j[|/*escapedRepeat*/\\x6a|],jk->k', tf.ones([3, 3]), tf.ones([3, 4]))|];
export const broadcast = [|/*broadcast*/tf.einsum('[|/*dots*/...|]ij,jk->[|/*dotsOut*/...|]ik', a, b)|];
export const implicit = [|/*implicit*/tf.einsum([|/*noArrow*/'ij,jk'|], a, b)|];
`);
const analysis = analyzeTypeScript(fixture.text);

function errors(name: string): { range: { start: number; end: number }; message: string }[] {
  return siteAt(analysis, fixture, name).diagnostics.filter((d) => d.code === 'EIN009');
}

test('more than two operands: the extra operands, and no cost finding', () => {
  const [error] = errors('many');
  assert.deepEqual(error.range, fixture.range('extra'));
  assert.match(error.message, /at most 2 operands and this call has 4/);
  const site = siteAt(analysis, fixture, 'many');
  assert.deepEqual(analysis.findings.filter((f) => f.site === site.id).map((f) => f.code), ['EIN009']);
  // The fix needs the best order: it is priced even though tfjs cannot run the call.
  assert.ok(site.best && site.baseline && site.best.flops <= site.baseline.flops);
});

test('a label repeated within one operand: its second occurrence, through escapes', () => {
  assert.deepEqual(errors('diagonal').map((e) => e.range), [fixture.range('repeat')]);
  assert.deepEqual(errors('escaped').map((e) => e.range), [fixture.range('escapedRepeat')]);
  assert.match(errors('diagonal')[0].message, /'i' in operand 1/);
});

test("'...' anywhere: each occurrence", () => {
  assert.deepEqual(errors('broadcast').map((e) => e.range), [fixture.range('dots'), fixture.range('dotsOut')]);
});

test("an implicit output: the equation, with the '->' to add", () => {
  const [error] = errors('implicit');
  assert.deepEqual(error.range, fixture.range('noArrow'));
  assert.match(error.message, /add '->ik'/);
});

test('every error is a finding with the site, and the codes are EIN009 only', () => {
  const codes = analysis.findings.map((f) => f.code);
  assert.deepEqual([...new Set(codes)], ['EIN009']);
  assert.equal(codes.length, 6);
  assert.ok(analysis.findings.every((f) => f.severity === 'error' && f.site !== null));
});

test("a listed module's einsum is not bound by tfjs's limits and gets a cost finding", () => {
  const source = `import { einsum } from 'fast-einsum';\nimport * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([64, 2]), b = tf.ones([2, 64]), c = tf.ones([64, 64]);\nexport const r = einsum('ij,jk,kl->il', a, b, c);\n`;
  const result = analyzeTypeScript(source, { einsumModules: ['fast-einsum'] });
  assert.deepEqual(result.findings.map((f) => f.code), ['EIN001']);
  assert.match(result.findings[0].message, /assumed to contract left to right/);
});

test('a hint that cannot be read is a warning on the bad text', () => {
  const source = `import * as tf from '@tensorflow/tfjs';\n// einsight: x[2, ?] y[3, 4.5]\nexport const r = 1;\n`;
  const result = analyzeTypeScript(source);
  assert.deepEqual(result.findings.map((f) => [f.code, f.severity, source.slice(f.range.start, f.range.end)]), [['EIN008', 'warning', '4.5']]);
});
