/**
 * Regressions for the failures `npm run fuzz` found in the front ends and the CLI (see the
 * Fuzzing section of BENCHMARKS.md): each input, cut down to what triggers it. A test that
 * guards against a hang carries a generous timeout (a hang, not a speed target).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { PythonDocument, analyzePython } from 'einsight-server/analysis/python/analyze';
import { decodeStringLiteral } from 'einsight-server/analysis/python/strings';
import { TypeScriptDocument, analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { toPathProblem } from 'einsight-server/core/cost';
import { EquationError, bindShapes, parseEquation } from 'einsight-server/core/equation';
import { optimizePath } from 'einsight-server/core/paths/index';
import { prepareRewrites, syntaxErrors } from 'einsight-server/rewrite/python-parsers';
import { seeds } from '../fuzz/sources';
import { runCli } from '../support/cli';

const HANG = { timeout: 60_000 };

const PY_SITE = "import numpy as np\nr = np.einsum('ij,jk,kl->il', np.ones((10, 100)), np.ones((100, 50)), np.ones((50, 5)))\n";
const TS_SITE = "import * as tf from '@tensorflow/tfjs';\nconst r = tf.einsum('ij,jk->ik', tf.ones([10, 100]), tf.ones([100, 50]));\n";

/** The one site every file here starts with, found and priced exactly (opt_einsum 3.4's counts). */
function assertSite(analysis: FileAnalysis, equation: string, baseline: bigint, best: bigint): void {
  assert.equal(analysis.notAnalysed, undefined);
  const site = analysis.sites[0];
  assert.deepEqual([site?.range.start, site?.normalizedEquation, site?.baseline?.flops, site?.best?.flops], [equation === 'ij,jk->ik' ? 50 : 23, equation, baseline, best]);
}

const assertPySite = (analysis: FileAnalysis) => assertSite(analysis, 'ij,jk,kl->il', 750_000n, 60_000n);
const assertTsSite = (analysis: FileAnalysis) => assertSite(analysis, 'ij,jk->ik', 100_000n, 100_000n);

/** `text` repeated to `times` copies joined by `separator`. */
const many = (text: string, times: number, separator: string) => new Array<string>(times).fill(text).join(separator);

describe('typescript front end', () => {
  test('`a.matMul()` without an argument is no chain link (threw TypeError: reading kind of undefined)', () => {
    const text = `${TS_SITE}const a = tf.ones([2, 2]);\nconst y = a.matMul().matMul(a);\nconst z = a.matMul(a).matMul();\n`;
    assertTsSite(analyzeTypeScript(text));
  });

  test('a megabyte comment full of `einsight:` is read once (took 334 s: every marker re-read the comment)', HANG, () => {
    const text = `${TS_SITE}// ${many('einsight:', 100_000, ' ')}\n// einsight: x[4, 5]\nconst s = tf.einsum('ij->ji', x);\n`;
    const analysis = analyzeTypeScript(text);
    assertTsSite(analysis);
    assert.deepEqual(analysis.sites[1].operands[0].shape?.dims, [4, 5]);
  });

  test('twenty thousand hint lines in a row are each read once (quadratic before)', HANG, () => {
    const text = `${TS_SITE}${many('// einsight: q[2, 3]', 20_000, '\n')}\nconst s = tf.einsum('ij->ji', q);\n`;
    const analysis = analyzeTypeScript(text);
    assertTsSite(analysis);
    assert.deepEqual(analysis.sites[1].operands[0].shape?.dims, [2, 3]);
  });

  test('a tfjs equation of a million repeated labels: left unread, at once (a million diagnostics overflowed the stack)', HANG, () => {
    const huge = analyzeTypeScript(`${TS_SITE}const x = tf.einsum('${'a'.repeat(1 << 20)}->', y);\n`);
    assertTsSite(huge);
    assert.deepEqual(huge.sites[1].diagnostics, []);
    assert.match(huge.sites[1].equation.notRead ?? '', /^The equation is not read: it is 1,048,580 characters long/);
    // Under the length limit, each repeated label is told once, not once per repetition.
    const repeated = analyzeTypeScript(`${TS_SITE}const x = tf.einsum('${'a'.repeat(50_000)}b${'b'.repeat(40_000)}->', y);\n`);
    assert.deepEqual(
      repeated.sites[1].diagnostics.filter((d) => d.code === 'EIN009').map((d) => d.message.slice(0, 75)),
      ["tfjs's tf.einsum cannot repeat a label within one operand ('a' in operand 1", "tfjs's tf.einsum cannot repeat a label within one operand ('b' in operand 1"],
    );
  });

  test('a statement of two hundred thousand calls (spread into push() overflowed the stack)', HANG, () => {
    assertTsSite(analyzeTypeScript(`${TS_SITE}let n = 0;\nexport const calls = [${many('f(n)', 200_000, ', ')}];\n`));
  });

  test('code nested deeper than the parser follows is reported where it is, not thrown (RangeError)', () => {
    const parens = analyzeTypeScript(`${TS_SITE}const x = ${'('.repeat(3000)}1${')'.repeat(3000)};\n`);
    assert.deepEqual(parens.sites, []);
    assert.equal(parens.notAnalysed?.reason, 'not analysed: the code nests too deeply to analyse (brackets nest 3000 deep here)');
    assert.equal(parens.notAnalysed?.range.start, TS_SITE.length + 10 + 2999);
  });

  test('past 1,000 levels the outcome does not depend on the stack (a fresh and an incremental analysis disagreed)', () => {
    const deep = `${TS_SITE}const x = ${'<a>'.repeat(2000)}1;\n`;
    const fresh = analyzeTypeScript(deep);
    assert.deepEqual([fresh.sites.length, fresh.notAnalysed?.reason], [0, 'not analysed: the code nests more than 1,000 levels deep (here)']);
    const document = new TypeScriptDocument('ts');
    document.analyze(TS_SITE, null);
    const incremental = document.analyze(deep, [{ start: TS_SITE.length, end: TS_SITE.length, text: deep.slice(TS_SITE.length) }]);
    assert.deepEqual(incremental.notAnalysed, fresh.notAnalysed);
    // The document recovers: the next edit analyses normally.
    assertTsSite(document.analyze(TS_SITE, [{ start: TS_SITE.length, end: deep.length, text: '' }]));
    const chain = analyzeTypeScript(`${TS_SITE}const y = ${many('a', 900, ' + ')};\n`);
    assertTsSite(chain);
  });

  test('the place too deep to analyse may be the end of the file: its range stays inside the text', () => {
    // Unclosed JSX elements run to the end of the file, where the deepest (missing) node is.
    const text = `${TS_SITE}const x = ${'<a>'.repeat(1200)}1\n`;
    assert.deepEqual(analyzeTypeScript(text, {}, 'jsx').notAnalysed?.range, { start: text.length, end: text.length });
  });
});

describe('python front end', () => {
  test("a string node without a quote (tree-sitter's error recovery) has no value; it threw out of the analysis and killed the fuzzer's warm-up", HANG, async () => {
    assert.deepEqual(decodeStringLiteral('`match`', 10), { value: null, charRanges: [] });
    // Every Python seed, joined and repeated to a megabyte: the warm-up text that threw.
    const joined = seeds('python').map((s) => s.text).join('\n');
    const analysis = await analyzePython(joined.repeat(Math.ceil(1_000_000 / joined.length)));
    assert.ok(analysis.sites.length > 0);
  });

  test('deep nesting is reported where it is, not thrown (RangeError from the scope builder)', async () => {
    const calls = await analyzePython(`${PY_SITE}x = ${'f('.repeat(3000)}1${')'.repeat(3000)}\n`);
    assert.deepEqual(calls.sites, []);
    assert.equal(calls.notAnalysed?.reason, 'not analysed: the code nests more than 2,500 levels deep (here)');
    assert.equal(calls.notAnalysed?.range.start, PY_SITE.length + 4 + 2 * 1249);
    const attributes = await analyzePython(`${PY_SITE}x = a${'.b'.repeat(500_000)}\n`);
    assert.equal(attributes.notAnalysed?.reason, 'not analysed: the code nests more than 2,500 levels deep (here)');
    assertPySite(await analyzePython(`${PY_SITE}x = ${'('.repeat(2000)}1${')'.repeat(2000)}\n`));
  });

  test('a stack overflow while reading no longer drops the module’s sites silently', async () => {
    // Shallow enough to copy, deep enough to overflow the readers (today): the sites used to
    // vanish with no word. Either the file is reported as not analysed, or its site is found.
    const analysis = await analyzePython(`${PY_SITE}x = ${'lambda: '.repeat(2400)}1\n`);
    if (analysis.notAnalysed) {
      assert.deepEqual(analysis.sites, []);
      assert.match(analysis.notAnalysed.reason, /^not analysed: the code nests too deeply to analyse/);
    } else assertPySite(analysis);
  });

  test('a name used two hundred thousand times (spread into push() overflowed the stack)', HANG, async () => {
    assertPySite(await analyzePython(`${PY_SITE}a = 1\nx = [${many('a', 200_000, ', ')}]\ny = [${many('f()', 150_000, ', ')}]\n`));
  });

  test("deep indentation inside an open string no longer corrupts tree-sitter's memory", async () => {
    // tree-sitter-python 0.25 wrote past its scanner buffer here; every later parse then
    // failed with "memory access out of bounds" or lost code silently.
    const blocks = Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}if x:`).join('\n');
    const corrupting = `${PY_SITE}s = 'open\n${blocks}\n${' '.repeat(600)}pass\n`;
    const refused = await analyzePython(corrupting);
    assert.equal(refused.notAnalysed?.reason, 'not analysed: the indentation nests more levels deep than the Python parser can follow');
    const line256 = corrupting.indexOf(`\n${' '.repeat(256)}if`) + 1;
    assert.deepEqual(refused.notAnalysed?.range, { start: line256, end: line256 + 256 });
    assertPySite(await analyzePython(PY_SITE));
    const document = await PythonDocument.open();
    assert.ok(document.analyze(corrupting, null).notAnalysed);
    assertPySite(document.analyze(PY_SITE, [{ start: PY_SITE.length, end: corrupting.length, text: '' }]));
    document.dispose();
    await prepareRewrites();
    assert.deepEqual(syntaxErrors(corrupting), [refused.notAnalysed!.range]);
    // 255 distinct indentations are still parsed.
    const shallower = Array.from({ length: 255 }, (_, i) => `${' '.repeat(i)}if x:`).join('\n');
    assertPySite(await analyzePython(`${PY_SITE}${shallower}\n${' '.repeat(255)}pass\n`));
  });

  test('an unterminated string inside a call is a syntax error (its missing end was left out of the copy)', async () => {
    const text = `${PY_SITE}A = np.random.rand(6, '''24)\nB = np.random.rand(24, 24)\nr = np.einsum('ij->ji', B)\n`;
    const analysis = await analyzePython(text);
    const missingEnd = text.lastIndexOf(', B)');
    assert.deepEqual(analysis.syntaxErrors, [{ start: missingEnd, end: missingEnd }]);
    assertPySite(analysis);
  });

  test('a megabyte equation is left unread at once (decoding, binding and pricing it took over a second)', HANG, async () => {
    const analysis = await analyzePython(`${PY_SITE}x = np.einsum("${'a'.repeat(1 << 20)}->", y)\n`);
    assertPySite(analysis);
    assert.deepEqual(analysis.sites[1].diagnostics, []);
    assert.match(analysis.sites[1].equation.notRead ?? '', /^The equation is not read: it is 1,048,580 characters long/);
    // Text past the limit that reaches the parser another way (escapes, names) is still refused there.
    assert.throws(
      () => parseEquation(`${'ab,'.repeat(40_000)}c->a`),
      (error: unknown) => error instanceof EquationError && error.range.start === 100_000 && error.range.end === 120_004,
    );
    assert.equal(parseEquation(`${'ab,'.repeat(30_000)}c->a`).inputs.length, 30_001);
  });
});

describe('path search', () => {
  test('dp under a memory limit reads its clock (auto ran 2.5 s past a 50 ms budget: found by the long core run)', () => {
    const contraction = bindShapes(parseEquation(',gate,ckht,clr,ps,lpej,,imb,,,nc,idtk,nbt,phb,ke,i,u->glrsjmd'), [
      [], [4, 1, null, 'batch'], [5, 'batch', 8, null], [5, 8, 'B'], [0, 12], [8, 0, 'batch', null], [], [8, null, 6], [], [],
      [0, 5], [8, null, null, 'batch'], [0, 6, null], [0, 8, 6], ['batch', 'batch'], [8], [9],
    ]);
    // Nearly every pair of subsets overlaps here, and the deadline was only checked for the others:
    // the search ran to its end (seconds) instead of giving way to greedy.
    const found = optimizePath(toPathProblem(contraction), { optimizer: 'dp', timeBudgetMs: 1, memoryLimit: 'max_input' });
    assert.equal(found.fellBackFrom, 'dp');
  });
});

describe('einsight fix', () => {
  const root = mkdtempSync(join(tmpdir(), 'einsight-fuzz-regressions-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('files too deeply nested to parse are left alone with a message (internal errors before)', async () => {
    const python = `${PY_SITE}x = ${'f('.repeat(3000)}1${')'.repeat(3000)}\n`;
    const typescript = `${TS_SITE}const x = [${'['.repeat(3000)}${']'.repeat(3000)}];\n`;
    writeFileSync(join(root, 'deep.py'), python);
    writeFileSync(join(root, 'deep.ts'), typescript);
    const result = await runCli(['fix', '--write', root]);
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /internal error/);
    assert.equal(
      result.stderr,
      `${root}/deep.py:3:2503: not analysed: the code nests more than 2,500 levels deep (here); left as it is\n` +
        `${root}/deep.ts:3:3011: not analysed: the code nests too deeply to analyse (brackets nest 3001 deep here); left as it is\n`,
    );
    assert.equal(readFileSync(join(root, 'deep.py'), 'utf8'), python);
    assert.equal(readFileSync(join(root, 'deep.ts'), 'utf8'), typescript);
  });
});
