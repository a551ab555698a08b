/** Jupyter notebooks over LSP 3.17 notebook sync: cells analysed together, in order. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { LspTestClient } from '../support/lsp-client';
import { parseFixture } from '../support/markers';

let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start();
});

after(async () => {
  assert.equal(await client.stop(), 0);
});

const setup = 'import numpy as np\n%matplotlib inline\na = np.random.rand(8, 64)\nb = np.random.rand(64, 128)\nc = np.random.rand(128, 4)';
const use = parseFixture("d = [|/*wasted*/np.einsum('ij,jk,kl->il', a, b, c)|]\ne = np.einsum('ij,jk->i[|/*bad*/x|]', a, b)");

async function openNotebook(uri: string): Promise<string[]> {
  await client.connection.sendNotification('notebookDocument/didOpen', {
    notebookDocument: {
      uri,
      notebookType: 'jupyter-notebook',
      version: 1,
      cells: [
        { kind: 2, document: `${uri}#setup` },
        { kind: 1, document: `${uri}#notes` },
        { kind: 2, document: `${uri}#use` },
      ],
    },
    cellTextDocuments: [
      { uri: `${uri}#setup`, languageId: 'python', version: 1, text: setup },
      { uri: `${uri}#notes`, languageId: 'markdown', version: 1, text: '# Shapes come from the first cell' },
      { uri: `${uri}#use`, languageId: 'python', version: 1, text: use.text },
    ],
  });
  return [`${uri}#setup`, `${uri}#notes`, `${uri}#use`];
}

test('findings land in the cell that holds them, using shapes from earlier cells', async () => {
  const [setupCell, , useCell] = await openNotebook('file:///work/a.ipynb');
  const { diagnostics, version } = await client.waitForDiagnostics(useCell, 1);
  assert.equal(version, 1);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range]),
    [
      ['EIN001', use.range('wasted')],
      ['EIN002', use.range('bad')],
    ],
  );
  assert.match(diagnostics[0].message as string, /786,432 FLOPs; the best path \(optimal\) needs 69,632 FLOPs/);
  assert.deepEqual((await client.waitForDiagnostics(setupCell, 1)).diagnostics, []);
});

test('hover in a cell names sizes defined in another cell', async () => {
  const [, , useCell] = await openNotebook('file:///work/b.ipynb');
  await client.waitForDiagnostics(useCell, 1);
  const hover = await client.hover(useCell, { line: 0, character: 8 });
  const text = (hover?.contents as MarkupContent).value;
  assert.ok(text.includes('`i` = 8, `j` = 64 from `np.random.rand(8, 64)` (line 3 of another cell)'), text);
  assert.deepEqual(hover?.range, use.range('wasted'));
});

test('editing an earlier cell re-analyses the later ones', async () => {
  const uri = 'file:///work/c.ipynb';
  const [setupCell, , useCell] = await openNotebook(uri);
  await client.waitForDiagnostics(useCell, 1);
  const updated = client.nextDiagnostics((p) => p.uri === useCell && p.diagnostics.some((d) => (d.message as string).includes('1.57e6 FLOPs')));
  // a = np.random.rand(8, 64) → np.random.rand(16, 64): twice the rows, twice the naive FLOPs.
  await client.changeNotebook(uri, 2, {
    cells: {
      textContent: [
        { document: { uri: setupCell, version: 2 }, changes: [{ range: { start: { line: 2, character: 19 }, end: { line: 2, character: 20 } }, text: '16' }] },
      ],
    },
  });
  const { diagnostics } = await updated;
  assert.deepEqual(diagnostics.map((d) => d.code), ['EIN001', 'EIN002']);
});

test('cells added and removed: new cells are analysed, removed cells are cleared', async () => {
  const uri = 'file:///work/d.ipynb';
  const [, , useCell] = await openNotebook(uri);
  await client.waitForDiagnostics(useCell, 1);
  const added = `${uri}#added`;
  const addedText = "f = np.einsum('ij,jk->ik', a, c)";
  const addedDiagnostics = client.waitForDiagnostics(added, 1);
  await client.changeNotebook(uri, 2, {
    cells: {
      structure: {
        array: { start: 1, deleteCount: 0, cells: [{ kind: 2, document: added }] },
        didOpen: [{ uri: added, languageId: 'python', version: 1, text: addedText }],
      },
    },
  });
  const { diagnostics } = await addedDiagnostics;
  assert.deepEqual(diagnostics.map((d) => [d.code, d.message]), [['EIN003', "label 'j' has size 64 in operand 0 but size 128 in operand 1"]]);
  assert.deepEqual(diagnostics[0].range, { start: { line: 0, character: 18 }, end: { line: 0, character: 19 } });
  // Remove the cell that holds the findings: its diagnostics are cleared.
  const cleared = client.nextDiagnostics((p) => p.uri === useCell && p.diagnostics.length === 0);
  await client.changeNotebook(uri, 3, {
    cells: { structure: { array: { start: 3, deleteCount: 1 }, didClose: [{ uri: useCell }] } },
  });
  await cleared;
  assert.equal(await client.hover(useCell, { line: 0, character: 8 }), null);
});

test('closing the notebook clears every cell', async () => {
  const uri = 'file:///work/e.ipynb';
  const cells = await openNotebook(uri);
  await client.waitForDiagnostics(cells[2], 1);
  const cleared = client.nextDiagnostics((p) => p.uri === cells[2] && p.diagnostics.length === 0);
  await client.closeNotebook(uri, cells);
  await cleared;
  await client.waitForStatus(uri, 'closed');
});
