/**
 * Proof by execution: every quick fix offered on the fixtures in test/fixtures/rewrite, and the
 * fix-all of each file, is applied and both versions run in Python on the same seeded random
 * inputs; the results must agree (allclose), and so must one more random draw after the run,
 * so an operand call that ran twice, not at all, or out of order fails the test.
 *
 * Each fixture's first lines say which fixes it must offer (`# expect: pairwise optimize`) and
 * which Python modules besides numpy it needs (`# requires: torch`). numpy snippets always run;
 * torch snippets run where some interpreter imports torch, and are skipped, saying so, elsewhere.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { allQuickFixes, analyze, applied, fixAll, tagOf } from '../support/rewrite-harness';
import { findPython, runSnippets, type SnippetPair } from '../support/python-runner';

const FIXTURES = path.resolve(__dirname, '../../fixtures/rewrite');

interface Fixture {
  name: string;
  text: string;
  expected: string[];
  requires: string[];
}

function readFixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(FIXTURES, name), 'utf8');
      const header = (key: string) => (new RegExp(`^# ${key}:(.*)$`, 'm').exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
      return { name, text, expected: header('expect').sort(), requires: header('requires') };
    });
}

/** One pair per distinct rewrite of the fixture: each quick fix, and the fix-all when it differs. */
async function pairsOf(fixture: Fixture): Promise<{ pairs: SnippetPair[]; tags: string[] }> {
  const analysis = await analyze(fixture.text);
  const fixes = allQuickFixes(analysis, fixture.text);
  const rewrites = new Map<string, string>();
  for (const fix of fixes) rewrites.set(`${fix.code} ${fix.title}`, applied(fixture.text, fix));
  const all = fixAll(analysis, fixture.text);
  if (all) {
    const text = applied(fixture.text, all);
    if (![...rewrites.values()].includes(text)) rewrites.set(all.title, text);
  }
  const pairs = [...rewrites].map(([title, rewritten]) => ({
    id: `${fixture.name}: ${title}`,
    original: fixture.text,
    rewritten,
    requires: fixture.requires,
  }));
  return { pairs, tags: [...new Set(fixes.map(tagOf))].sort() };
}

async function runGroup(t: TestContext, fixtures: Fixture[], modules: string[]): Promise<void> {
  const python = findPython(['numpy', ...modules]);
  const prepared = await Promise.all(fixtures.map(async (f) => ({ fixture: f, ...(await pairsOf(f)) })));
  for (const { fixture, tags } of prepared) {
    await t.test(`${fixture.name} offers ${fixture.expected.join(', ')}`, () => assert.deepEqual(tags, fixture.expected));
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

const fixtures = readFixtures();
const numpyOnly = fixtures.filter((f) => f.requires.length === 0);

test('at least 50 numpy snippets, covering every fix', () => {
  assert.ok(numpyOnly.length >= 50, `${numpyOnly.length} numpy snippets`);
  const covered = new Set(numpyOnly.flatMap((f) => f.expected));
  assert.deepEqual([...covered].sort(), ['adaptive', 'fuse', 'matmul', 'optimize', 'pairwise', 'scalar']);
});

test('numpy snippets: original and rewritten code compute the same', async (t) => {
  const python = findPython(['numpy']);
  assert.ok(python, 'no Python interpreter imports numpy: install python3-numpy or set EINSIGHT_PYTHON');
  await runGroup(t, numpyOnly, []);
});

// Snippets that need more than numpy (torch, opt_einsum) run where some interpreter has all of it.
const groups = new Map<string, Fixture[]>();
for (const f of fixtures.filter((f) => f.requires.length > 0)) {
  const key = [...f.requires].sort().join(' ');
  groups.set(key, [...(groups.get(key) ?? []), f]);
}
for (const [key, members] of groups) {
  test(`${key} snippets: original and rewritten code compute the same`, async (t) => {
    await runGroup(t, members, key.split(' '));
  });
}
