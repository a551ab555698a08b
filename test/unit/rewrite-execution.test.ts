/**
 * Proof by execution: every quick fix offered on the fixtures in test/fixtures/rewrite, and the
 * fix-all of each file, is applied and both versions run in Python on the same seeded random
 * inputs (see test/support/snippet-suite.ts). numpy snippets always run; snippets that need
 * more (torch, opt_einsum) run where some interpreter has all of it, and are skipped, saying
 * so, elsewhere.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findPython } from '../support/python-runner';
import { readSnippets, runSnippetGroup, type Snippet } from '../support/snippet-suite';

const snippets = readSnippets(path.resolve(__dirname, '../../fixtures/rewrite'));
const numpyOnly = snippets.filter((f) => f.requires.length === 0);

test('at least 50 numpy snippets, covering every fix', () => {
  assert.ok(numpyOnly.length >= 50, `${numpyOnly.length} numpy snippets`);
  const covered = new Set(numpyOnly.flatMap((f) => f.expected));
  assert.deepEqual([...covered].sort(), ['adaptive', 'fuse', 'matmul', 'optimize', 'pairwise', 'scalar']);
});

test('numpy snippets: original and rewritten code compute the same', async (t) => {
  assert.ok(findPython(['numpy']), 'no Python interpreter imports numpy: install python3-numpy or set EINSIGHT_PYTHON');
  await runSnippetGroup(t, numpyOnly, []);
});

// Snippets that need more than numpy (torch, opt_einsum) run where some interpreter has all of it.
const groups = new Map<string, Snippet[]>();
for (const f of snippets.filter((f) => f.requires.length > 0)) {
  const key = [...f.requires].sort().join(' ');
  groups.set(key, [...(groups.get(key) ?? []), f]);
}
for (const [key, members] of groups) {
  test(`${key} snippets: original and rewritten code compute the same`, async (t) => {
    await runSnippetGroup(t, members, key.split(' '));
  });
}
