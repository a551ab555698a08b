/**
 * Notebook cells: a Jupyter notebook (VS Code's built-in ipynb serializer, no Jupyter extension)
 * is analysed cell by cell in the context of the cells above, and fixes edit the cell.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyCodeAction, codes, measure, plain, positionOf, rangeOf, waitForDiagnostics } from './helpers';

const SETUP_CELL = 'import numpy as np\na = np.random.rand(8, 64)\nb = np.random.rand(64, 128)\nc = np.random.rand(128, 4)';
const WASTED = "np.einsum('ij,jk,kl->il', a, b, c)";
const NESTED = "np.einsum('ij,jl->il', a, np.einsum('jk,kl->jl', b, c))";

suite('notebooks', () => {
  let notebook: vscode.NotebookDocument;

  suiteSetup(async () => {
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, SETUP_CELL, 'python'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# the contraction', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, `d = ${WASTED}`, 'python'),
    ]);
    notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    await vscode.window.showNotebookDocument(notebook);
  });

  suiteTeardown(async () => {
    // An untitled notebook would ask where to save it: revert it instead.
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('a cell gets the finding, located in the cell, with sizes from the cells above', async () => {
    const cell = notebook.cellAt(2).document;
    const [wasted] = await waitForDiagnostics(cell.uri, (d) => codes(d).join() === 'EIN001');
    assert.equal(
      wasted.message,
      'numpy.einsum without optimize runs one loop over every index: 786,432 FLOPs; the best path (optimal) needs 69,632 FLOPs (11.3× fewer)',
    );
    assert.deepEqual(plain(wasted.range), plain(rangeOf(cell, WASTED)));
    assert.deepEqual(vscode.languages.getDiagnostics(notebook.cellAt(0).document.uri).filter((d) => d.source === 'einsight'), []);
  });

  test('hover in a cell', async () => {
    const cell = notebook.cellAt(2).document;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.uri, positionOf(cell, 'einsum'));
    const texts = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).filter((t) => t.startsWith('**numpy.einsum**'));
    assert.equal(texts.length, 1);
    assert.ok(texts[0].includes('`i` = 8, `j` = 64 from `np.random.rand(8, 64)` (line 2 of another cell)'), texts[0]);
  });

  test('measuring a cell uses the cells above it', async () => {
    const cell = notebook.cellAt(2).document;
    const outcome = await measure(cell.uri, positionOf(cell, 'einsum'));
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    assert.deepEqual(outcome.report!.sizes, { i: 8, j: 64, k: 128, l: 4 });
    assert.equal(outcome.report!.onnxruntime.agree, true);
    const native = outcome.report!.native;
    if (native.status === 'measured') assert.equal(native.agreement?.agree, true);
  });

  test('the quick fix edits the cell', async () => {
    const cell = notebook.cellAt(2).document;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cell.uri, rangeOf(cell, WASTED), 'quickfix');
    const preferred = actions.find((a) => a.isPreferred);
    assert.ok(preferred, `no preferred fix among ${actions.map((a) => a.title).join('; ')}`);
    await applyCodeAction(preferred);
    assert.equal(cell.getText(), `d = ${NESTED}`);
    assert.equal(notebook.cellAt(0).document.getText(), SETUP_CELL);
    await waitForDiagnostics(cell.uri, (d) => d.length === 0, 'no findings left in the cell');
  });
});
