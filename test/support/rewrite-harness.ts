/** Analysing a Python text and asking for its fixes, as the server and the CLI do. */
import assert from 'node:assert/strict';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import type { AnalysisOptions, FileAnalysis } from 'einsight-server/analysis/model';
import { applyEdits } from 'einsight-server/rewrite/edits';
import { fixAll, fixesForSite, prepareRewrites, siteFixes, type Fix, type WithheldFix } from 'einsight-server/rewrite/index';
import { parsePythonFixture } from './python-fixtures';

export type FixTag = 'pairwise' | 'optimize' | 'fuse' | 'scalar' | 'matmul' | 'adaptive';

/** Which of the six fixes a title names. */
export function tagOf(fix: Fix): FixTag {
  if (fix.title.startsWith('Contract pairwise')) return 'pairwise';
  if (/^(Pass|Replace) the (best path|optimize=)/.test(fix.title)) return 'optimize';
  if (fix.title.startsWith('Fuse')) return 'fuse';
  if (fix.title.startsWith('Apply the scalar')) return 'scalar';
  if (fix.title.startsWith('Multiply in')) return 'matmul';
  if (/ per shape\b/.test(fix.title)) return 'adaptive';
  throw new Error(`unknown fix title: ${fix.title}`);
}

export async function analyze(text: string, options: AnalysisOptions = {}): Promise<FileAnalysis> {
  await prepareRewrites();
  return analyzePython(text, options);
}

/** Every quick fix of every site, each once. */
export function allQuickFixes(analysis: FileAnalysis, text: string): Fix[] {
  const fixes: Fix[] = [];
  for (const site of analysis.sites) {
    for (const fix of fixesForSite(analysis, site.id, text)) {
      if (!fixes.some((f) => JSON.stringify(f.edits) === JSON.stringify(fix.edits))) fixes.push(fix);
    }
  }
  return fixes;
}

/** Every withheld fix of every site, each once: `title: reason`. */
export function withheldFixes(analysis: FileAnalysis, text: string): WithheldFix[] {
  const withheld: WithheldFix[] = [];
  for (const site of analysis.sites) {
    for (const w of siteFixes(analysis, site.id, text).withheld) {
      if (!withheld.some((o) => o.title === w.title && o.reason === w.reason)) withheld.push(w);
    }
  }
  return withheld;
}

/** The quick fixes of the site whose call holds `offset`. */
export function fixesAt(analysis: FileAnalysis, text: string, offset: number): Fix[] {
  const sites = analysis.sites.filter((s) => s.range.start <= offset && offset <= s.range.end);
  if (sites.length === 0) throw new Error(`no site at offset ${offset}`);
  // The innermost site: a nested call is its own site.
  const site = sites.sort((a, b) => a.range.end - a.range.start - (b.range.end - b.range.start))[0];
  return fixesForSite(analysis, site.id, text);
}

export function applied(text: string, fix: Fix): string {
  return applyEdits(text, fix.edits).text;
}

export { fixAll };

/** A fourslash-style case: `/*here*\/` marks the call whose fix is applied. */
export interface FixCase {
  name: string;
  source: string;
  fix: FixTag;
  /** The whole text after the fix; null when the fix must not be offered. */
  expected: string | null;
}

export async function checkFixCase(c: FixCase): Promise<void> {
  const fixture = parsePythonFixture(c.source);
  const analysis = await analyze(fixture.text);
  const fixes = fixesAt(analysis, fixture.text, fixture.offset('here')).filter((f) => tagOf(f) === c.fix);
  if (c.expected === null) {
    assert.deepEqual(fixes.map((f) => f.title), []);
    return;
  }
  assert.equal(fixes.length, 1, `one ${c.fix} fix expected, got: ${fixes.map((f) => f.title).join('; ')}`);
  assert.equal(applied(fixture.text, fixes[0]), c.expected);
}
