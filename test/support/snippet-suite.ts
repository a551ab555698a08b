/**
 * Executed proofs of the rewrites: Python snippets whose first lines say which fixes they must
 * offer (`# expect: pairwise optimize`, or `# expect: none`), which reasons some withheld fix
 * must give (`# withheld: may be modified by`, one per line), code some rewrite must write
 * (`# emits: np.tensordot(`, one per line) and which modules besides numpy they need
 * (`# requires: torch`). Every quick fix offered, and the fix-all when it differs,
 * is applied and both versions run in Python on the same seeded inputs (run_snippets.py
 * compares type, dtype, shape, values and every global generator's state afterwards).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { allQuickFixes, analyze, applied, fixAll, tagOf, withheldFixes } from './rewrite-harness';
import { findPython, runSnippets, type SnippetPair } from './python-runner';

export interface Snippet {
  /** Path under the fixture folder, e.g. `aliasing/view-row.py`. */
  name: string;
  text: string;
  expected: string[];
  withheld: string[];
  /** Text some rewrite of the snippet must contain. */
  emits: string[];
  requires: string[];
}

/** Every `.py` under `folder`, in subfolders too, sorted by path. */
export function readSnippets(folder: string): Snippet[] {
  const files: string[] = [];
  const visit = (relative: string) => {
    for (const entry of readdirSync(path.join(folder, relative), { withFileTypes: true })) {
      const name = path.join(relative, entry.name);
      if (entry.isDirectory()) visit(name);
      else if (entry.name.endsWith('.py')) files.push(name);
    }
  };
  visit('');
  return files.sort().map((name) => {
    const text = readFileSync(path.join(folder, name), 'utf8');
    const lines = (key: string) => [...text.matchAll(new RegExp(`^# ${key}:(.*)$`, 'gm'))].map((m) => m[1].trim());
    const words = (key: string) => lines(key).join(' ').split(/\s+/).filter((w) => w && w !== 'none');
    return { name: name.split(path.sep).join('/'), text, expected: words('expect').sort(), withheld: lines('withheld'), emits: lines('emits'), requires: words('requires') };
  });
}

/** One pair per distinct rewrite of the snippet: each quick fix, and the fix-all when it differs. */
async function pairsOf(snippet: Snippet): Promise<{ pairs: SnippetPair[]; tags: string[]; reasons: string[] }> {
  const analysis = await analyze(snippet.text);
  const fixes = allQuickFixes(analysis, snippet.text);
  const rewrites = new Map<string, string>();
  for (const fix of fixes) rewrites.set(`${fix.code} ${fix.title}`, applied(snippet.text, fix));
  const all = fixAll(analysis, snippet.text);
  if (all) {
    const text = applied(snippet.text, all);
    if (![...rewrites.values()].includes(text)) rewrites.set(all.title, text);
  }
  const pairs = [...rewrites].map(([title, rewritten]) => ({ id: `${snippet.name}: ${title}`, original: snippet.text, rewritten, requires: snippet.requires }));
  const reasons = withheldFixes(analysis, snippet.text).map((w) => `${w.title}: ${w.reason}`);
  return { pairs, tags: [...new Set(fixes.map(tagOf))].sort(), reasons };
}

/** Checks each snippet's fixes and withheld reasons, then runs every rewrite against its original. */
export async function runSnippetGroup(t: TestContext, snippets: Snippet[], modules: string[], python = findPython(['numpy', ...modules])): Promise<void> {
  const prepared = await Promise.all(snippets.map(async (s) => ({ snippet: s, ...(await pairsOf(s)) })));
  for (const { snippet, tags, reasons, pairs } of prepared) {
    await t.test(`${snippet.name} offers ${snippet.expected.join(', ') || 'nothing'}`, () => {
      assert.deepEqual(tags, snippet.expected, `withheld: ${reasons.join('; ') || 'nothing'}`);
      for (const wanted of snippet.withheld) {
        assert.ok(reasons.some((r) => r.includes(wanted)), `no withheld fix says "${wanted}"; withheld: ${reasons.join('; ') || 'nothing'}`);
      }
      for (const code of snippet.emits) {
        assert.ok(pairs.some((p) => p.rewritten.includes(code)), `no rewrite writes "${code}":\n${pairs.map((p) => p.rewritten).join('\n---\n')}`);
      }
    });
  }
  if (!python) {
    t.skip(`no Python interpreter imports numpy${modules.map((m) => `, ${m}`).join('')} (set EINSIGHT_PYTHON)`);
    return;
  }
  const pairs = prepared.flatMap((p) => p.pairs);
  const outcomes = new Map(runSnippets(python, pairs).map((o) => [o.id, o]));
  let passed = 0;
  for (const pair of pairs) {
    await t.test(`runs the same: ${pair.id}`, () => {
      const outcome = outcomes.get(pair.id);
      assert.ok(outcome, 'the runner reported nothing');
      assert.equal(outcome.status, 'passed', `${outcome.detail}\n--- rewritten ---\n${pair.rewritten}`);
      passed++;
    });
  }
  t.diagnostic(`${prepared.length} snippets, ${pairs.length} rewrites executed with ${python}, ${passed} agree`);
}
