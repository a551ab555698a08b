/**
 * The tfjs fixes as exact text: what each fix writes, where temporaries go, what is refused
 * (a comment the rewrite would drop, an equation shared with other calls), and the fix-all.
 * The same entry points the server and the CLI call (rewrite/index.ts) dispatch here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisOptions } from 'einsight-server/analysis/model';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { applyEdits } from 'einsight-server/rewrite/edits';
import { fixAll, fixesForSite, type Fix } from 'einsight-server/rewrite/index';

const HEADER = `import * as tf from '@tensorflow/tfjs';
const a = tf.ones([64, 2]), b = tf.ones([2, 64]), c = tf.ones([64, 3]), d = tf.ones([3, 64]), e = tf.ones([64, 5]);
`;

function fixesOf(body: string, options: AnalysisOptions = {}): { fix: Fix; text: string }[] {
  const source = HEADER + body;
  const analysis = analyzeTypeScript(source, options);
  // A chain's fix is offered on each of its members: once is enough here.
  const fixes = analysis.sites.flatMap((site) => fixesForSite(analysis, site.id, source));
  const unique = fixes.filter((fix, i) => fixes.findIndex((f) => JSON.stringify(f.edits) === JSON.stringify(fix.edits)) === i);
  return unique.map((fix) => ({ fix, text: applyEdits(source, fix.edits).text.slice(HEADER.length) }));
}

function onlyFix(body: string, options: AnalysisOptions = {}): { fix: Fix; text: string } {
  const fixes = fixesOf(body, options);
  assert.equal(fixes.length, 1, fixes.map((f) => f.fix.title).join('; '));
  return fixes[0];
}

test('a tf.einsum of three operands splits into nested pairwise calls in the best order', () => {
  const { fix, text } = onlyFix(`export const r = tf.einsum('ij,jk,kl->il', a, b, c);\n`);
  assert.equal(text, `export const r = tf.einsum('ij,jl->il', a, tf.einsum('jk,kl->jl', b, c));\n`);
  assert.equal(fix.code, 'EIN009');
  assert.equal(fix.title, "Split into pairwise tf.einsum calls in the best order (26.7× fewer FLOPs)");
});

test('longer splits become const temporaries before the statement, indented, quotes kept', () => {
  const { text } = onlyFix(`export function f() {\n  if (a) {\n    const r = tf.einsum("ij,jk,kl,lm,mn->in", a, b, c, d, e);\n    return r;\n  }\n}\n`);
  assert.equal(
    text,
    `export function f() {
  if (a) {
    const t_jl = tf.einsum("jk,kl->jl", b, c);
    const t_ln = tf.einsum("lm,mn->ln", d, e);
    const t_jn = tf.einsum("jl,ln->jn", t_jl, t_ln);
    const r = tf.einsum("ij,jn->in", a, t_jn);
    return r;
  }
}
`,
  );
});

test('where nothing may move (an arrow body, a conditional branch) the calls nest', () => {
  assert.equal(
    onlyFix(`export const f = () => tf.einsum('ij,jk,kl,lm,mn->in', a, b, c, d, e);\n`).text,
    `export const f = () => tf.einsum('ij,jn->in', a, tf.einsum('jl,ln->jn', tf.einsum('jk,kl->jl', b, c), tf.einsum('lm,mn->ln', d, e)));\n`,
  );
  assert.equal(
    onlyFix(`export const r = a ? tf.einsum('ij,jk,kl->il', tf.ones([64, 2]), b, c) : null;\n`).text,
    `export const r = a ? tf.einsum('ij,jl->il', tf.ones([64, 2]), tf.einsum('jk,kl->jl', b, c)) : null;\n`,
  );
});

test('operands with calls keep their order: temporaries first when the best order would change it', () => {
  const { text } = onlyFix(`export function f() {\n  return tf.einsum('ij,jk,kl->il', tf.ones([64, 2]).abs(), b.add(0), tf.ones([64, 3]).abs());\n}\n`);
  assert.equal(
    text,
    `export function f() {\n  return tf.einsum('ij,jl->il', tf.ones([64, 2]).abs(), tf.einsum('jk,kl->jl', b.add(0), tf.ones([64, 3]).abs()));\n}\n`,
  );
  // The best order contracts the first and the last operand first.
  const reordered = onlyFix(`export function g() {\n  return tf.einsum('ij,kl,ij->kl', tf.ones([64, 64]).abs(), tf.ones([3, 3]).abs(), tf.ones([64, 64]).abs());\n}\n`).text;
  assert.equal(
    reordered,
    `export function g() {
  const op0 = tf.ones([64, 64]).abs();
  const op1 = tf.ones([3, 3]).abs();
  const op2 = tf.ones([64, 64]).abs();
  return tf.einsum(',kl->kl', tf.einsum('ij,ij->', op0, op2), op1);
}
`,
  );
});

test('a call holding a comment, or an equation shared through a const, is not rewritten', () => {
  assert.deepEqual(fixesOf(`export const r = tf.einsum('ij,jk,kl->il', a, /* keep */ b, c);\n`), []);
  assert.deepEqual(fixesOf(`const EQ = 'ij,jk';\nexport const r = tf.einsum(EQ, a, b);\n`), []);
  assert.deepEqual(fixesOf(`export const r = tf.einsum('ii,ij->j', tf.ones([3, 3]), tf.ones([3, 4]));\n`), []);
});

test("an equation tfjs rejects is rewritten in place: '->' added, '...' spelled in letters", () => {
  assert.equal(onlyFix(`export const r = tf.einsum("ij,jk", a, b);\n`).text, `export const r = tf.einsum("ij,jk->ik", a, b);\n`);
  const { fix, text } = onlyFix(`export const r = tf.einsum('...j,jk', a, b);\n`);
  assert.equal(text, `export const r = tf.einsum('aj,jk->ak', a, b);\n`);
  assert.equal(fix.title, "Write the equation as tfjs reads it: 'aj,jk->ak'");
});

test("a listed module's einsum splits with its own callee", () => {
  const source = `import { einsum } from 'fast-einsum';\nimport * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([64, 2]), b = tf.ones([2, 64]), c = tf.ones([64, 3]);\nexport const r = einsum("ij,jk,kl->il", a, b, c);\n`;
  const analysis = analyzeTypeScript(source, { einsumModules: ['fast-einsum'] });
  const [fix] = fixesForSite(analysis, 0, source);
  assert.equal(fix.code, 'EIN001');
  assert.match(applyEdits(source, fix.edits).text, /export const r = einsum\("ij,jl->il", a, einsum\("jk,kl->jl", b, c\)\);\n$/);
});

test('a chain fuses: the intermediate statement goes, the root contracts everything in the best order', () => {
  const { fix, text } = onlyFix(`export function f() {\n  const ab = tf.einsum('ij,jk->ik', a, b);\n  const abc = tf.einsum('ik,kl->il', ab, c);\n  return abc;\n}\n`);
  assert.equal(fix.code, 'EIN004');
  assert.equal(text, `export function f() {\n  const abc = tf.einsum('ij,jl->il', a, tf.einsum('jk,kl->jl', b, c));\n  return abc;\n}\n`);
});

test('scalar factors fold into one multiplication of the smallest tensor', () => {
  assert.equal(
    onlyFix(`export const r = tf.mul(tf.einsum('ij,jk->ik', a.div(2), b), 3);\n`).text,
    `export const r = tf.einsum('ij,jk->ik', a.mul(1 / 2 * 3), b);\n`,
  );
  assert.equal(
    onlyFix(`export function f() {\n  const s = tf.einsum('ij,jk->ik', a, b);\n  return tf.div(s, tf.scalar(8));\n}\n`).text,
    `export function f() {\n  const s = tf.einsum('ij,jk->ik', a.div(8), b);\n  return s;\n}\n`,
  );
});

test('a matMul chain is re-nested in the cheapest order, in its own spelling', () => {
  assert.equal(onlyFix(`export const m = tf.matMul(tf.matMul(a, b), c);\n`).text, `export const m = tf.matMul(a, tf.matMul(b, c));\n`);
  assert.equal(onlyFix(`export const m = a.matMul(b).matMul(c);\n`).text, `export const m = a.matMul(b.matMul(c));\n`);
  assert.deepEqual(fixesOf(`export const m = tf.dot(a.matMul(b), c);\n`), []);
});

test('fix-all applies every fix whose edits do not collide', () => {
  const body = `export function f() {
  const first = tf.einsum('ij,jk,kl->il', a, b, c);
  const ab = tf.einsum('ij,jk->ik', a, b);
  const second = tf.einsum('ik,kl->il', ab, c);
  return [first, second, a.matMul(b).matMul(c)];
}
`;
  const source = HEADER + body;
  const all = fixAll(analyzeTypeScript(source), source)!;
  assert.equal(all.title, 'Apply 3 einsight fixes (EIN009, EIN004, EIN006)');
  assert.equal(
    applyEdits(source, all.edits).text.slice(HEADER.length),
    `export function f() {
  const first = tf.einsum('ij,jl->il', a, tf.einsum('jk,kl->jl', b, c));
  const second = tf.einsum('ij,jl->il', a, tf.einsum('jk,kl->jl', b, c));
  return [first, second, a.matMul(b.matMul(c))];
}
`,
  );
});
