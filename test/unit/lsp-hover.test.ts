/** Hover, inlay hints and code lenses from the real server over stdio. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LspTestClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/oracle';
import { loadFixture } from '../support/markers';

const fixture = loadFixture('hover.py');
const uri = 'file:///work/hover.py';
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start();
  await client.open(uri, fixture.text);
  await client.waitForDiagnostics(uri, 1);
});

after(async () => {
  assert.equal(await client.stop(), 0);
});

async function hoverText(at: { line: number; character: number }, target = uri): Promise<string | null> {
  const hover = await client.hover(target, at);
  return hover ? (hover.contents as MarkupContent).value : null;
}

/** What the hover on the call in hover.py shows (the e2e suite expects the same in VS Code). */
const CONCRETE_HOVER = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'lsp', 'hover.expected.md'), 'utf8');

test('hover on the call: a one-line summary, the plan, what runs as written, where sizes come from', async () => {
  const hover = await client.hover(uri, fixture.position('call'));
  assert.equal((hover?.contents as MarkupContent).kind, 'markdown');
  assert.equal((hover?.contents as MarkupContent).value, CONCRETE_HOVER);
  // The hover covers the whole call.
  const line = fixture.position('call').line;
  assert.deepEqual(hover?.range, { start: { line, character: 4 }, end: fixture.position('after') });
});

test('the hover of four operands fits a normal hover: at most 14 lines, none over 160 characters', async () => {
  const lines = CONCRETE_HOVER.split('\n');
  assert.ok(lines.length <= 14, `${lines.length} lines`);
  assert.ok(lines.every((l) => l.length <= 160 || l.startsWith('Sizes:')), 'only the sizes line wraps');
});

test('hover on the equation string shows the same call', async () => {
  assert.equal(await hoverText(fixture.position('equation')), CONCRETE_HOVER);
});

test('symbolic sizes: scalings as written and best, counts as polynomials, the stand-in named', async () => {
  const text = await hoverText({ line: fixture.position('symbolic').line, character: 6 });
  assert.ok(text);
  assert.ok(text.startsWith('**numpy.einsum** `ij,jk,kl->il` → `(N, 1)`\n\n'), text);
  assert.ok(text.includes('**O(N^3) as written → O(N^2)** with the best order (optimal): `4·N^2` FLOPs · largest intermediate `N` elements `(1, N)`'), text);
  assert.ok(text.includes('| 1 | `kl,jk->lj` | `(1, N)` | `2·N^2` (GEMM) |'), text);
  assert.ok(text.includes('Sizes: `i` = N, `j` = N from `x[N, N]` (line 8) · `k` = N from `y[N, N]` (line 8) · `l` = 1 from `z[N, 1]` (line 8)'), text);
  assert.ok(text.includes('Orders are compared with `N` as 64'), text);
});

test('a matrix chain: the products in the best order, with their shapes', async () => {
  const chainUri = 'file:///work/chain.py';
  await client.open(chainUri, 'import numpy as np\nx = np.ones((16, 2048))\nw = np.ones((2048, 2048))\ny = np.ones((2048, 1))\nz = (x @ w) @ y\n');
  await client.waitForDiagnostics(chainUri, 1);
  const text = await hoverText({ line: 4, character: 6 }, chainUri);
  assert.equal(
    text,
    [
      '**matrix product** `(x @ w) @ y` → `(16, 1)`',
      '',
      '**1.34e8 → 8.45e6 FLOPs** with the best order (optimal): 15.9× fewer · largest intermediate 2,048 elements `(2048, 1)`',
      '',
      '| | best order | result | FLOPs |',
      '| --- | --- | --- | --- |',
      '| 1 | `w @ y` | `(2048, 1)` | 8.39e6 (GEMM) |',
      '| 2 | `x @ (w @ y)` | `(16, 1)` | 65,536 (GEMM) |',
      '',
      'As written: the parenthesization written (matrix products run in that order).',
      '',
      'Shapes: `x` `(16, 2048)` from `np.ones((16, 2048))` (line 2) · `w` `(2048, 2048)` from `np.ones((2048, 2048))` (line 3) · `y` `(2048, 1)` from `np.ones((2048, 1))` (line 4)',
    ].join('\n'),
  );
});

test('a matrix chain with an operand of unknown rank: whether the best order stays cheaper if it is batched', async () => {
  const chainUri = 'file:///work/chain-rank.py';
  const header = 'import numpy as np\nA = np.ones((1, 10))\nB = np.ones((100, 100))\nC = np.ones((100, 100))\nP = np.ones((1000, 10))\nv = np.ones((1000, 1))\n';
  await client.open(chainUri, `${header}def flips(X):\n    return (A @ X) @ (B @ C)\ndef survives(X):\n    return P @ X @ v\n`);
  await client.waitForDiagnostics(chainUri, 1);
  const flips = (await hoverText({ line: 7, character: 12 }, chainUri))!;
  assert.ok(flips.includes('\n\n`X` (rank unknown) is counted as a matrix; the best order is cheaper only if `X` is 2-D: batched, another order may cost more or compute something else.'), flips);
  const survives = (await hoverText({ line: 9, character: 12 }, chainUri))!;
  assert.ok(survives.includes('\n\n`X` (rank unknown) is counted as a matrix; the best order stays cheaper if it carries batch dimensions.'), survives);
});

test('nothing to say away from a contraction, or about a document that is not open', async () => {
  assert.equal(await client.hover(uri, fixture.position('nowhere')), null);
  assert.equal(await client.hover(uri, { line: 500, character: 0 }), null);
  assert.equal(await client.hover('file:///work/never-opened.py', { line: 0, character: 0 }), null);
});

test('inlay hints: the result shape after each call, only in the range asked', async () => {
  const all = await client.inlayHints(uri, { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } });
  assert.deepEqual(all, [
    { position: fixture.position('after'), label: '→ (32, 4)', kind: 1, paddingLeft: true, tooltip: 'Result shape of numpy.einsum: i=32, l=4' },
    { position: fixture.position('symbolic'), label: '→ (N, 1)', kind: 1, paddingLeft: true, tooltip: 'Result shape of numpy.einsum: i=N, l=1' },
  ]);
  const line = fixture.position('symbolic').line;
  const some = await client.inlayHints(uri, { start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  assert.deepEqual(some?.map((h) => h.label), ['→ (N, 1)']);
});

test('einsight.inlayHints.enable turns them off', async () => {
  await client.changeSettings({ inlayHints: { enable: false } });
  await client.waitForStatus(uri, 'ready');
  assert.deepEqual(await client.inlayHints(uri, { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } }), []);
  await client.changeSettings({});
});

test('einsight.dimensions gives symbolic sizes their values', async () => {
  const refreshed = client.nextDiagnostics((p) => p.uri === uri);
  await client.changeSettings({ dimensions: { N: 1000 } });
  await refreshed;
  const text = await hoverText({ line: fixture.position('symbolic').line, character: 6 });
  assert.ok(text?.startsWith('**numpy.einsum** `ij,jk,kl->il` → `(1000, 1)`'), text ?? '');
  assert.ok(text?.includes('`i` = 1000, `j` = 1000, `k` = 1000 from `N=1000` in `einsight.dimensions`'), text ?? '');
  await client.changeSettings({});
});

test('a Measure lens on each call with a finding, running the server\'s measure command', async () => {
  const lenses = await client.codeLenses(uri);
  const at = (line: number) => ({ line, character: 4 });
  assert.deepEqual(lenses, [
    { range: { start: at(6), end: at(6) }, command: { title: 'Measure', command: 'einsight.server.measure', arguments: [uri, at(6)] } },
    { range: { start: at(8), end: at(8) }, command: { title: 'Measure', command: 'einsight.server.measure', arguments: [uri, at(8)] } },
  ]);
});

test('einsight.codeLens "all": also calls without a finding', async () => {
  const plainUri = 'file:///work/plain.py';
  await client.open(plainUri, "import numpy as np\na = np.ones((2, 3))\nb = np.ones((3, 4))\nc = np.einsum('ij,jk->ik', a, b)\n");
  assert.deepEqual((await client.waitForDiagnostics(plainUri, 1)).diagnostics, []);
  assert.deepEqual(await client.codeLenses(plainUri), []);
  await client.changeSettings({ codeLens: 'all' });
  assert.deepEqual((await client.codeLenses(plainUri))?.map((l) => l.range.start), [{ line: 3, character: 4 }]);
  await client.changeSettings({});
});

test('einsight.codeLens: none', async () => {
  await client.changeSettings({ codeLens: 'off' });
  assert.deepEqual(await client.codeLenses(uri), []);
  await client.changeSettings({});
});

test('the VS Code client, which runs einsight.measure itself, gets lenses running it', async () => {
  const vscode = await LspTestClient.start({ experimental: { einsight: { commands: ['einsight.measure'] } } });
  try {
    await vscode.open(uri, fixture.text);
    await vscode.waitForDiagnostics(uri, 1);
    const lenses = await vscode.codeLenses(uri);
    assert.deepEqual(lenses?.map((l) => l.command?.command), ['einsight.measure', 'einsight.measure']);
  } finally {
    assert.equal(await vscode.stop(), 0);
  }
});

test('nested calls: a lens and an inlay hint on the outer call only, whatever einsight.codeLens says', async () => {
  const nestedUri = 'file:///work/nested.py';
  const text = [
    'import numpy as np',
    'a = np.random.rand(32, 64)',
    'b = np.random.rand(64, 128)',
    'c = np.random.rand(128, 4)',
    "d = np.einsum('ij,jk->ik', np.einsum('ij,jk->ik', a, b), c)",
    '',
  ].join('\n');
  await client.open(nestedUri, text);
  await client.waitForDiagnostics(nestedUri, 1);
  for (const codeLens of ['findings', 'all']) {
    await client.changeSettings({ codeLens });
    const lenses = (await client.codeLenses(nestedUri)) ?? [];
    assert.deepEqual(lenses.map((l) => l.range.start), [{ line: 4, character: 4 }], codeLens);
  }
  const hints = (await client.inlayHints(nestedUri, { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } })) ?? [];
  assert.deepEqual(hints.map((h) => [h.position, h.label]), [[{ line: 4, character: 59 }, '→ (32, 4)']]);
  await client.changeSettings({});
});

test('requests answer for the version just edited, not the one before', async () => {
  const editUri = 'file:///work/hover-edit.py';
  await client.open(editUri, fixture.text);
  await client.waitForDiagnostics(editUri, 1);
  // Change B from 32 to 16 and ask at once, before any debounce could have run.
  const line = 2;
  await client.change(editUri, 2, [{ range: { start: { line, character: 4 }, end: { line, character: 6 } }, text: '16' }]);
  const text = await hoverText(fixture.position('call'), editUri);
  assert.ok(text?.startsWith('**numpy.einsum** `ij,jk,kl->il` → `(16, 4)`'), text ?? '');
});
