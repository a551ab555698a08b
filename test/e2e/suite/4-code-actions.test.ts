/** Quick fixes and fix-all change the document exactly as expected, through the editor's own edit machinery. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyCodeAction, closeAllEditors, codes, openCopy, rangeOf, waitForDiagnostics } from './helpers';

const WASTED = "np.einsum('ij,jk,kl->il', a, b, c)";
const NESTED = "np.einsum('ij,jl->il', a, np.einsum('jk,kl->jl', b, c))";
const CHAIN = "    t = torch.einsum('bn,nm->bm', x, w1)\n    return torch.einsum('bm,mk->bk', t, w2)";
const FUSED = "    return torch.einsum('bn,nk->bk', x, torch.einsum('nm,mk->nk', w1, w2))";

async function einsightActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
  return actions.filter((a) => a.kind?.value.startsWith('quickfix') || a.kind?.value === 'source.fixAll.einsight');
}

async function openWithFindings(): Promise<vscode.TextEditor> {
  const editor = await openCopy('contractions.py');
  await waitForDiagnostics(editor.document.uri, (d) => codes(d).join() === 'EIN001,EIN004');
  return editor;
}

suite('quick fixes', () => {
  suiteTeardown(closeAllEditors);

  test('the preferred quick fix rewrites the call, keeps the rest, and the finding goes', async () => {
    const { document } = await openWithFindings();
    const original = document.getText();
    const actions = await einsightActions(document.uri, rangeOf(document, WASTED), 'quickfix');
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred ?? false]),
      [
        ['Contract pairwise in the best order, as nested calls (11.3× fewer FLOPs)', true],
        ['Pass the best path as optimize= (11.3× fewer FLOPs)', false],
      ],
    );
    await applyCodeAction(actions[0]);
    assert.equal(document.getText(), original.replace(WASTED, NESTED));
    assert.ok(document.getText().includes(`${NESTED}  # keep this comment`));
    await waitForDiagnostics(document.uri, (d) => codes(d).join() === 'EIN004', 'only the chain finding');
  });

  test('the chain fix fuses the two calls into one statement', async () => {
    const { document } = await openWithFindings();
    const original = document.getText();
    const [fuse] = await einsightActions(document.uri, rangeOf(document, "torch.einsum('bm,mk->bk', t, w2)"), 'quickfix');
    assert.equal(fuse.title, 'Fuse the 2 einsum calls into one, in the best order (32.5× fewer FLOPs)');
    await applyCodeAction(fuse);
    assert.equal(document.getText(), original.replace(CHAIN, FUSED));
  });

  test('source.fixAll.einsight applies every preferred fix at once', async () => {
    const { document } = await openWithFindings();
    const original = document.getText();
    const actions = await einsightActions(document.uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll');
    assert.deepEqual(actions.map((a) => [a.title, a.kind?.value]), [['Apply 2 einsight fixes (EIN004, EIN001)', 'source.fixAll.einsight']]);
    await applyCodeAction(actions[0]);
    assert.equal(document.getText(), original.replace(WASTED, NESTED).replace(CHAIN, FUSED));
    await waitForDiagnostics(document.uri, (d) => d.length === 0, 'no findings left');
  });

  test('the "Fix All Contractions in This File" command does the same in the active editor', async () => {
    const { document } = await openWithFindings();
    const original = document.getText();
    await vscode.commands.executeCommand('einsight.fixAll');
    assert.equal(document.getText(), original.replace(WASTED, NESTED).replace(CHAIN, FUSED));
    await waitForDiagnostics(document.uri, (d) => d.length === 0, 'no findings left');
  });
});
