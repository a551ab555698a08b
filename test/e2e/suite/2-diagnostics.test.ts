/** The server's findings as the editor's Problems model holds them. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeOf, codes, openFixture, plain, positionOf, rangeOf, waitForDiagnostics } from './helpers';

const WASTED_MESSAGE =
  'numpy.einsum without optimize runs one loop over every index: 786,432 FLOPs; the best path (optimal) needs 69,632 FLOPs (11.3× fewer)';

const TFJS_MESSAGE =
  "tfjs's tf.einsum takes at most 2 operands and this call has 3: it throws 'Support for more than 2 input tensors is not implemented yet'";

suite('diagnostics', () => {
  suiteTeardown(closeAllEditors);

  test('a Python file: each finding with its code, message, severity and exact range', async () => {
    const { document } = await openFixture('diagnostics.py');
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.length === 4);
    assert.deepEqual(codes(diagnostics), ['EIN001', 'EIN002', 'EIN003', 'EIN004']);
    const [wasted, label, mismatch, chain] = diagnostics;
    assert.equal(wasted.message, WASTED_MESSAGE);
    assert.equal(wasted.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(plain(wasted.range), plain(rangeOf(document, "np.einsum('ij,jk,kl->il', a, b, c)")));
    const code = wasted.code as { value: string; target: vscode.Uri };
    assert.equal(code.target.toString(), 'https://github.com/einsight/einsight/blob/main/docs/rules/EIN001.md');

    assert.equal(label.message, "output label 'x' does not appear in any input");
    assert.equal(label.severity, vscode.DiagnosticSeverity.Error);
    const x = positionOf(document, "->ikx'", 4);
    assert.deepEqual(plain(label.range), [x.line, x.character, x.line, x.character + 1]);

    assert.equal(mismatch.message, "label 'j' has size 64 in operand 0 but size 128 in operand 1");
    const j = positionOf(document, "'ij,jk->ik', a, c", 4);
    assert.deepEqual(plain(mismatch.range), [j.line, j.character, j.line, j.character + 1]);

    assert.equal(chain.message, "2 einsums chained through t fuse into 'bn,nm,mk->bk': O(B·N^2) with each on its best path → O(B·N + N^2), fewer at every size (2.00× fewer or better when B, N ≥ 4)");
    assert.deepEqual(plain(chain.range), plain(rangeOf(document, "torch.einsum('bm,mk->bk', t, w2)")));
  });

  test('a TypeScript file (tfjs): the operand tfjs cannot take', async () => {
    const { document } = await openFixture('model.ts');
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.length > 0);
    const c = positionOf(document, ', c);', 2);
    assert.deepEqual(
      diagnostics.map((d) => [codeOf(d), d.severity, d.message, plain(d.range)]),
      [['EIN009', vscode.DiagnosticSeverity.Error, TFJS_MESSAGE, [c.line, c.character, c.line, c.character + 1]]],
    );
  });
});
