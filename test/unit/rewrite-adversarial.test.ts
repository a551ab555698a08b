/**
 * The adversarial execution suite (test/fixtures/adversarial): ordinary code that tempts a
 * rewrite to change what it computes, by category (effects and order, mutation between
 * chained statements, aliasing and views, out=/dtype=/casting=, integer and low-precision
 * dtypes, np.dot on stacked arrays, loops, generators, TorchScript, scalars, shapes). Each
 * snippet says which fixes it must offer and which withheld fixes must say why; every fix
 * offered is executed against the original (test/support/snippet-suite.ts).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findPython, pythonsWith } from '../support/python-runner';
import { readSnippets, runSnippetGroup } from '../support/snippet-suite';

const snippets = readSnippets(path.resolve(__dirname, '../../fixtures/adversarial'));
/** Steps written as np.tensordot/np.matmul: run with every numpy here (pip's OpenBLAS, Debian's reference BLAS). */
const blas = snippets.filter((s) => s.name.startsWith('blas/'));
const numpyOnly = snippets.filter((s) => s.requires.length === 0 && !blas.includes(s));
const withTorch = snippets.filter((s) => s.requires.includes('torch'));

test('at least 150 adversarial snippets, in every category', () => {
  assert.ok(snippets.length >= 150, `${snippets.length} snippets`);
  const categories = new Set(snippets.map((s) => s.name.split('/')[0]));
  assert.deepEqual([...categories].sort(), [...CATEGORIES].sort());
});

const CATEGORIES = [
  'aliasing',
  'blas',
  'chains',
  'dtypes',
  'effects',
  'generators',
  'keywords',
  'loops',
  'mutation',
  'np-dot',
  'scalars',
  'shapes',
  'torchscript',
];

test('numpy snippets: original and rewritten code compute the same', async (t) => {
  assert.ok(findPython(['numpy']), 'no Python interpreter imports numpy: install python3-numpy or set EINSIGHT_PYTHON');
  await runSnippetGroup(t, numpyOnly, []);
});

test('BLAS-dispatch snippets compute the same with every numpy found', async (t) => {
  const pythons = pythonsWith(['numpy']);
  assert.ok(pythons.length > 0, 'no Python interpreter imports numpy');
  for (const python of pythons) await t.test(python, (tt) => runSnippetGroup(tt, blas, [], python));
});

test('torch snippets: original and rewritten code compute the same', async (t) => {
  await runSnippetGroup(t, withTorch, ['torch']);
});
