/**
 * Which calls the TypeScript/JavaScript front end reads as sites: tf.einsum from every tfjs
 * package under every import form, a listed module's einsum, matMul chains; and what it
 * records about each (exact ranges, equation characters, context, ignore comments).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnalysisOptions } from 'einsight-server/analysis/model';
import { analyzeTypeScript, scriptFlavor, type ScriptFlavor } from 'einsight-server/analysis/typescript/analyze';
import { parseTsFixture, siteAt } from '../support/typescript-harness';

function sites(source: string, options: AnalysisOptions = {}, flavor: ScriptFlavor = 'ts') {
  return analyzeTypeScript(source, options, flavor).sites;
}

const CALL = `tf.einsum('ij,jk->ik', a, b)`;

describe('tf.einsum under every import form', () => {
  const forms: [string, string, string, ScriptFlavor?][] = [
    ['namespace import', `import * as tf from '@tensorflow/tfjs';`, CALL],
    ['default import', `import tf from '@tensorflow/tfjs';`, CALL],
    ['named import', `import { einsum } from '@tensorflow/tfjs-core';`, `einsum('ij,jk->ik', a, b)`],
    ['named import with an alias', `import { einsum as contract } from '@tensorflow/tfjs-node';`, `contract('ij,jk->ik', a, b)`],
    ['import = require', `import tf = require('@tensorflow/tfjs');`, CALL],
    ['require', `const tf = require('@tensorflow/tfjs');`, CALL, 'js'],
    ['var require', `var tf = require('@tensorflow/tfjs-node');`, CALL, 'js'],
    ['destructured require', `const { einsum } = require('@tensorflow/tfjs');`, `einsum('ij,jk->ik', a, b)`, 'js'],
    ['destructured require with a rename', `const { einsum: ein } = require('@tensorflow/tfjs');`, `ein('ij,jk->ik', a, b)`, 'js'],
    ['required inline', ``, `require('@tensorflow/tfjs').einsum('ij,jk->ik', a, b)`, 'js'],
    ['dynamic import', `const tf = await import('@tensorflow/tfjs');`, CALL],
    ['const alias', `import * as tf from '@tensorflow/tfjs';\nconst E = tf.einsum;`, `E('ij,jk->ik', a, b)`],
    ['destructured namespace', `import * as tf from '@tensorflow/tfjs';\nconst { einsum: e2 } = tf;`, `e2('ij,jk->ik', a, b)`],
    ['element access', `import * as tf from '@tensorflow/tfjs';`, `tf['einsum']('ij,jk->ik', a, b)`],
  ];
  for (const [name, header, call, flavor] of forms) {
    test(name, () => {
      const source = `${header}\nconst a = 1, b = 2;\nexport const r = ${call};\n`;
      const found = sites(source, {}, flavor ?? 'ts');
      assert.equal(found.length, 1, source);
      const site = found[0];
      assert.equal(site.library, 'tfjs');
      assert.equal(site.qualifiedName, 'tf.einsum');
      assert.equal(source.slice(site.range.start, site.range.end), call);
      assert.equal(site.callee, call.slice(0, call.indexOf('(', call.startsWith('require') ? 30 : 0)));
      assert.equal(source.slice(site.calleeRange.start, site.calleeRange.end), site.callee);
    });
  }
});

describe('calls that are not tfjs einsums', () => {
  const negatives: [string, string][] = [
    ['a local function named einsum', `function einsum(eq: string, ...xs: number[]) { return 0; }\neinsum('ij,jk->ik', 1, 2);`],
    ['a parameter shadowing the import', `import * as tf from '@tensorflow/tfjs';\nfunction f(tf: { einsum(...a: unknown[]): void }) { tf.einsum('ij,jk->ik', 1, 2); }`],
    ['a block-scoped shadow', `import * as tf from '@tensorflow/tfjs';\n{ const tf = { einsum: (...a: unknown[]) => 0 }; tf.einsum('ij,jk->ik', 1, 2); }`],
    ['an unlisted module', `import { einsum } from 'other-einsum';\neinsum('ij,jk->ik', 1, 2);`],
    ['an alias bound with let', `import * as tf from '@tensorflow/tfjs';\nlet E = tf.einsum;\nE('ij,jk->ik', 1, 2);`],
    ['another tfjs function', `import * as tf from '@tensorflow/tfjs';\ntf.add(1, 2);`],
  ];
  for (const [name, source] of negatives) {
    test(name, () => assert.deepEqual(sites(source), []));
  }

  test('a file without tfjs or a listed module has no sites at all', () => {
    assert.deepEqual(sites(`const a = { matMul: (x: number) => x };\na.matMul(1).matMul(2).matMul(3);`), []);
  });
});

describe("einsum from a module listed in the setting", () => {
  const source = `import { einsum } from 'fast-einsum';\nimport * as fe from 'fast-einsum';\nexport const x = einsum('ij,jk->ik', 1, 2);\nexport const y = fe.einsum('ij->ji', 1);\n`;

  test('is a site with its own library, under any import form', () => {
    const found = sites(source, { einsumModules: ['fast-einsum'] });
    assert.deepEqual(found.map((s) => [s.callee, s.library, s.qualifiedName]), [
      ['einsum', 'unknown', 'fast-einsum.einsum'],
      ['fe.einsum', 'unknown', 'fast-einsum.einsum'],
    ]);
  });

  test('is nothing when the module is not listed', () => {
    assert.deepEqual(sites(source, { einsumModules: ['other'] }), []);
  });
});

describe('matMul chains', () => {
  const header = `import * as tf from '@tensorflow/tfjs';\nimport { matMul, dot } from '@tensorflow/tfjs-core';\nconst a = tf.ones([2, 3]), b = tf.ones([3, 4]), c = tf.ones([4, 5]);\n`;
  const chains: [string, string, string, unknown][] = [
    ['methods', `a.matMul(b).matMul(c)`, '.matMul', [[0, 1], 2]],
    ['functions', `tf.matMul(a, tf.matMul(b, c))`, 'tf.matMul', [0, [1, 2]]],
    ['named functions', `matMul(matMul(a, b), c)`, 'matMul', [[0, 1], 2]],
    ['mixed spellings', `tf.matMul(a.matMul(b), c)`, 'tf.matMul', [[0, 1], 2]],
    ['dot', `dot(dot(a, b), c)`, 'dot', [[0, 1], 2]],
    ['transpose flags that are false', `tf.matMul(tf.matMul(a, b, false, false), c)`, 'tf.matMul', [[0, 1], 2]],
  ];
  for (const [name, expression, callee, tree] of chains) {
    test(name, () => {
      const source = `${header}export const m = ${expression};\n`;
      const [site] = sites(source);
      assert.equal(site.kind, 'matmul-chain');
      assert.equal(site.callee, callee);
      assert.deepEqual(site.matmulTree, tree);
      assert.equal(source.slice(site.range.start, site.range.end), expression);
      assert.deepEqual(site.operands.map((o) => o.text), ['a', 'b', 'c']);
      assert.deepEqual(site.operands.map((o) => o.shape?.dims), [[2, 3], [3, 4], [4, 5]]);
    });
  }

  test('two operands, or a transposed product, make no chain', () => {
    assert.deepEqual(sites(`${header}a.matMul(b);\ntf.matMul(tf.matMul(a, b, true), c);\n`), []);
  });
});

describe('what a site records', () => {
  test('exact ranges of the call, callee, operands, statement and equation characters', () => {
    const fixture = parseTsFixture(`import * as tf from '@tensorflow/tfjs';
const a = tf.ones([2, 3]);
const b = tf.ones([3, 4]);
[|/*statement*/const r = [|/*call*/tf.einsum([|/*eq*/'\\x69j,jk->ik'|], [|/*a*/a|], [|/*b*/(b)|])|];|]
`);
    const analysis = analyzeTypeScript(fixture.text);
    const site = siteAt(analysis, fixture, 'call');
    assert.deepEqual(site.statementRange, fixture.range('statement'));
    assert.deepEqual(site.equation.range, fixture.range('eq'));
    assert.equal(site.equation.text, 'ij,jk->ik');
    const eq = fixture.range('eq');
    // `\x69` is one character of the equation spanning four of the source.
    assert.deepEqual(site.equation.charRanges![0], { start: eq.start + 1, end: eq.start + 5 });
    assert.deepEqual(site.equation.charRanges![1], { start: eq.start + 5, end: eq.start + 6 });
    assert.deepEqual(site.operands.map((o) => o.range), [fixture.range('a'), fixture.range('b')]);
    assert.equal(site.baseline?.flops, 48n);
  });

  test('an equation read through a const and a + of literals', () => {
    const source = `import * as tf from '@tensorflow/tfjs';\nconst EQ = 'ij,' + "jk->ik";\nexport const r = tf.einsum(EQ, tf.ones([2, 3]), tf.ones([3, 4]));\n`;
    const [site] = sites(source);
    assert.equal(site.equation.text, 'ij,jk->ik');
    assert.equal(source.slice(site.equation.range!.start, site.equation.range!.end), `'ij,' + "jk->ik"`);
    assert.equal(site.equation.charRanges!.length, 9);
  });

  test('a dynamic equation or spread operands: no cost, no finding', () => {
    const source = `import * as tf from '@tensorflow/tfjs';\nexport function f(eq: string, xs: tf.Tensor[]) { return [tf.einsum(eq, xs[0]), tf.einsum('ij,jk->ik', ...xs)]; }\n`;
    const analysis = analyzeTypeScript(source);
    assert.deepEqual(analysis.sites.map((s) => s.dynamic), [true, true]);
    assert.deepEqual(analysis.findings, []);
  });

  test('context: the enclosing function, loops and callbacks, forward passes', () => {
    const source = `import * as tf from '@tensorflow/tfjs';
const x = tf.ones([2, 2]);
tf.einsum('ij->ji', x);
class Layer {
  call(input: tf.Tensor) { return tf.einsum('ij->ji', input); }
}
export const helper = () => {
  for (const y of [x]) tf.einsum('ij->ji', y);
  [x].map((z) => tf.einsum('ij->ji', z));
};
`;
    assert.deepEqual(sites(source).map((s) => s.context), [
      { scope: '<module>', inLoop: false, inForward: false },
      { scope: 'Layer.call', inLoop: false, inForward: true },
      { scope: 'helper', inLoop: true, inForward: false },
      { scope: 'helper.<anonymous>', inLoop: true, inForward: false },
    ]);
  });

  test("'// einsight: ignore[...]' on the call's line silences those codes", () => {
    const source = `import * as tf from '@tensorflow/tfjs';
const a = tf.ones([2, 3]), b = tf.ones([3, 4]), c = tf.ones([4, 5]);
export const r = tf.einsum('ij,jk,kl->il', a, b, c); // einsight: ignore[EIN009]
export const s = tf.einsum('ij,jk,kl->il', a, b, c); /* einsight: ignore */
export const t = tf.einsum('ij,jk,kl->il', a, b, c);
`;
    const analysis = analyzeTypeScript(source);
    assert.deepEqual(analysis.sites.map((s) => s.ignored), [['EIN009'], [], null]);
    assert.deepEqual(analysis.findings.map((f) => f.site), [2]);
  });
});

describe('languages', () => {
  test('TSX and JSX files parse with JSX; .ts files with type assertions', () => {
    const tsx = `import * as tf from '@tensorflow/tfjs';\nexport const View = () => <div>{String(tf.einsum('ij->ji', tf.ones([2, 3])).shape)}</div>;\n`;
    assert.equal(analyzeTypeScript(tsx, {}, 'tsx').syntaxErrors.length, 0);
    assert.equal(sites(tsx, {}, 'tsx').length, 1);
    assert.equal(sites(tsx.replace('export const View = () => ', 'export const View = () => ').replace(': ', ''), {}, 'jsx').length, 1);
    const cast = `import * as tf from '@tensorflow/tfjs';\nexport const r = tf.einsum('ij->ji', <tf.Tensor>tf.ones([2, 3]));\n`;
    assert.equal(analyzeTypeScript(cast, {}, 'ts').syntaxErrors.length, 0);
    assert.deepEqual(sites(cast)[0].operands[0].shape?.dims, [2, 3]);
  });

  test('flavors by language id and file name', () => {
    assert.deepEqual(
      ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'a.ts', 'b.tsx', 'c.js', 'd.mjs', 'e.cjs', 'f.jsx', 'g.mts', 'h.py'].map(scriptFlavor),
      ['ts', 'tsx', 'js', 'jsx', 'ts', 'tsx', 'js', 'js', 'js', 'jsx', 'ts', null],
    );
  });

  test('a syntax error is reported where it is and the rest is still analysed', () => {
    const source = `import * as tf from '@tensorflow/tfjs';\nconst broken = (;\nexport const r = tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4]));\n`;
    const analysis = analyzeTypeScript(source);
    assert.equal(analysis.syntaxErrors.length, 1);
    assert.equal(source.slice(analysis.syntaxErrors[0].start, analysis.syntaxErrors[0].end), ';');
    assert.equal(analysis.sites.length, 1);
    assert.equal(analysis.sites[0].baseline?.flops, 48n);
  });
});
