/**
 * Proof by execution for the tfjs fixes: every quick fix offered on the snippets in
 * test/fixtures/typescript/exec, and the fix-all of each, is applied, and the original and the
 * rewritten snippet run with @tensorflow/tfjs (CPU backend) on the same random inputs. The
 * results must agree within float32 tolerance, and so must one more random draw after the run
 * (an operand with a call that ran twice, not at all, or out of order fails).
 *
 * Header lines: `// expect: EIN009 ...` the codes whose fixes the snippet must offer;
 * `// original: throws` the original breaks one of tfjs's limits, so real tfjs must throw on it
 * and it runs instead with an `einsum` that computes what the equation means;
 * `// options: {...}` analysis options.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { AnalysisOptions } from 'einsight-server/analysis/model';
import { analyzeTypeScript, scriptFlavor } from 'einsight-server/analysis/typescript/analyze';
import { applyEdits } from 'einsight-server/rewrite/edits';
import { fixAll, fixesForSite, type Fix } from 'einsight-server/rewrite/index';
import { loadTf, maxRelativeDifference, naiveEinsum, referenceTf, runSnippet, TYPESCRIPT_FIXTURES, type Tf } from '../support/typescript-harness';

const EXEC = path.join(TYPESCRIPT_FIXTURES, 'exec');
const TOLERANCE = 1e-3;
const TFJS_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-node'];

interface Snippet {
  name: string;
  text: string;
  expected: string[];
  throws: boolean;
  options: AnalysisOptions;
}

function readSnippets(): Snippet[] {
  return readdirSync(EXEC)
    .filter((name) => scriptFlavor(name) !== null)
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(EXEC, name), 'utf8');
      const header = (key: string) => new RegExp(`^// ${key}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? null;
      return {
        name,
        text,
        expected: (header('expect') ?? '').split(/\s+/).filter(Boolean).sort(),
        throws: header('original') === 'throws',
        options: JSON.parse(header('options') ?? '{}') as AnalysisOptions,
      };
    });
}

function modulesFor(tf: Tf): Record<string, unknown> {
  const element = (type: unknown, props: unknown) => ({ type, props });
  const modules: Record<string, unknown> = {
    'fast-einsum': { einsum: (eq: string, ...xs: unknown[]) => naiveEinsum(tf, eq, xs) },
    'react/jsx-runtime': { jsx: element, jsxs: element },
  };
  for (const name of TFJS_PACKAGES) modules[name] = tf;
  return modules;
}

/** Each distinct rewrite: every quick fix of every site, and the fix-all. */
function rewritesOf(snippet: Snippet): { fixes: Fix[]; rewrites: Map<string, string> } {
  const analysis = analyzeTypeScript(snippet.text, snippet.options, scriptFlavor(snippet.name)!);
  const fixes: Fix[] = [];
  for (const site of analysis.sites) {
    for (const fix of fixesForSite(analysis, site.id, snippet.text)) {
      if (!fixes.some((f) => JSON.stringify(f.edits) === JSON.stringify(fix.edits))) fixes.push(fix);
    }
  }
  const rewrites = new Map<string, string>();
  for (const fix of fixes) rewrites.set(`${fix.code}: ${fix.title}`, applyEdits(snippet.text, fix.edits).text);
  const all = fixAll(analysis, snippet.text);
  if (all) rewrites.set(`fix-all: ${all.title}`, applyEdits(snippet.text, all.edits).text);
  return { fixes, rewrites };
}

/** How many tfjs limits (EIN009) the text breaks. */
function limitCount(snippet: Snippet, text: string): number {
  return analyzeTypeScript(text, snippet.options, scriptFlavor(snippet.name)!).findings.filter((f) => f.code === 'EIN009').length;
}

let tf: Tf;
before(async () => {
  tf = await loadTf();
});

const snippets = readSnippets();
let executed = 0;

test('there are at least 20 snippets and they cover every tfjs fix', () => {
  assert.ok(snippets.length >= 20, `${snippets.length} snippets`);
  const covered = new Set(snippets.flatMap((s) => rewritesOf(s).fixes.map((f) => f.title.split(' ')[0])));
  // Split, Write (explicit equation), Fuse, Apply (scalars), Multiply (matMul order).
  assert.deepEqual([...covered].sort(), ['Apply', 'Fuse', 'Multiply', 'Split', 'Write']);
});

for (const snippet of snippets) {
  test(`${snippet.name}: original and rewritten agree`, () => {
    const { fixes, rewrites } = rewritesOf(snippet);
    assert.deepEqual([...new Set(fixes.map((f) => f.code))].sort(), snippet.expected, `fixes offered: ${fixes.map((f) => f.title).join('; ')}`);
    const modules = modulesFor(tf);
    let original;
    if (snippet.throws) {
      assert.throws(() => runSnippet(snippet.text, modules, snippet.name), /not implemented yet|not supported|without an arrow/);
      original = runSnippet(snippet.text, modulesFor(referenceTf(tf)), snippet.name);
    } else {
      original = runSnippet(snippet.text, modules, snippet.name);
    }
    const limitsBefore = limitCount(snippet, snippet.text);
    for (const [title, rewritten] of rewrites) {
      // A fix for another finding leaves a call tfjs refuses as it was: that part runs by its meaning.
      const limitsAfter = limitCount(snippet, rewritten);
      if (title.startsWith('EIN009')) assert.ok(limitsAfter < limitsBefore, `${title}: the fix leaves every tfjs error in place`);
      if (title.startsWith('fix-all')) assert.equal(limitsAfter, 0, `${title}: tfjs errors remain\n${rewritten}`);
      const after = runSnippet(rewritten, limitsAfter > 0 ? modulesFor(referenceTf(tf)) : modules, snippet.name);
      const difference = maxRelativeDifference(after.value, original.value);
      assert.ok(difference <= TOLERANCE, `${title}: results differ by ${difference}\n${rewritten}`);
      assert.equal(after.nextDraw, original.nextDraw, `${title}: the random calls ran differently\n${rewritten}`);
      executed++;
    }
  });
}

test('every snippet ran rewritten at least once', (t) => {
  assert.ok(executed >= snippets.length, `${executed} rewritten runs for ${snippets.length} snippets`);
  t.diagnostic(`${snippets.length} snippets, ${executed} rewritten versions executed with tfjs`);
});
