/** Hover, inlay hints and code lenses from the real server over stdio. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspTestClient } from '../support/lsp-client';
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

const CONCRETE_HOVER = `**numpy.einsum** \`ij,jk,kl->il\`

Result shape \`(32, 4)\`

| label | size | from |
| --- | --- | --- |
| \`i\` | 32 | \`B = 32\` (line 3) |
| \`j\` | 64 | \`np.random.rand(B, 64)\` (line 4) |
| \`k\` | 128 | \`np.random.rand(64, 128)\` (line 5) |
| \`l\` | 4 | \`np.random.rand(128, 4)\` (line 6) |

| | FLOPs |
| --- | --- |
| naive (one loop over every index) | 3.15e6 |
| as written: numpy.einsum without optimize runs one loop over every index | 3.15e6 |
| best order (optimal) | 81,920 (38.4× fewer) |

Largest intermediate: 256 elements \`(4, 64)\`

| step | equation | result shape | FLOPs | BLAS |
| --- | --- | --- | --- | --- |
| 1 | \`kl,jk->lj\` | \`(4, 64)\` | 65,536 | GEMM |
| 2 | \`lj,ij->il\` | \`(32, 4)\` | 16,384 | GEMM |`;

test('hover on the call: sizes and their sources, naive / as written / best FLOPs, the plan', async () => {
  const hover = await client.hover(uri, fixture.position('call'));
  assert.equal((hover?.contents as MarkupContent).kind, 'markdown');
  assert.equal((hover?.contents as MarkupContent).value, CONCRETE_HOVER);
  // The hover covers the whole call.
  const line = fixture.position('call').line;
  assert.deepEqual(hover?.range, { start: { line, character: 4 }, end: fixture.position('after') });
});

test('hover on the equation string shows the same call', async () => {
  assert.equal(await hoverText(fixture.position('equation')), CONCRETE_HOVER);
});

test('symbolic sizes: counts as polynomials, big-O, and the stand-in named', async () => {
  const text = await hoverText({ line: fixture.position('symbolic').line, character: 6 });
  assert.ok(text);
  assert.ok(text.includes('Result shape `(N, 1)`'), text);
  assert.ok(text.includes('| `i` | N | `x[N, N]` (line 8) |'), text);
  assert.ok(text.includes('| naive (one loop over every index) | `3·N^3` |'), text);
  assert.ok(text.includes('| best order (optimal) | `4·N^2` — O(N^2) |'), text);
  assert.ok(text.includes('| 1 | `kl,jk->lj` | `(1, N)` | `2·N^2` | GEMM |'), text);
  assert.ok(text.includes('Largest intermediate: `N` elements `(1, N)`'), text);
  assert.ok(text.includes('Orders are compared with `N` as 64'), text);
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
  assert.ok(text?.includes('Result shape `(1000, 1)`'), text ?? '');
  assert.ok(text?.includes('| `i` | 1000 |'), text ?? '');
  await client.changeSettings({});
});

test('a Measure lens on each call whose shapes are known', async () => {
  const lenses = await client.codeLenses(uri);
  const at = (line: number) => ({ line, character: 4 });
  assert.deepEqual(lenses, [
    { range: { start: at(6), end: at(6) }, command: { title: 'Measure', command: 'einsight.measure', arguments: [uri, at(6)] } },
    { range: { start: at(8), end: at(8) }, command: { title: 'Measure', command: 'einsight.measure', arguments: [uri, at(8)] } },
  ]);
});

test('requests answer for the version just edited, not the one before', async () => {
  const editUri = 'file:///work/hover-edit.py';
  await client.open(editUri, fixture.text);
  await client.waitForDiagnostics(editUri, 1);
  // Change B from 32 to 16 and ask at once, before any debounce could have run.
  const line = 2;
  await client.change(editUri, 2, [{ range: { start: { line, character: 4 }, end: { line, character: 6 } }, text: '16' }]);
  const text = await hoverText(fixture.position('call'), editUri);
  assert.ok(text?.includes('Result shape `(16, 4)`'), text ?? '');
});
