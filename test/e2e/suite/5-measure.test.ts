/** The measure command runs the packaged CLI and onnxruntime, returns the report and shows it in a webview. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codes, measure, openCopy, positionOf, waitForDiagnostics } from './helpers';

const WASTED = "np.einsum('ij,jk,kl->il', a, b, c)";

const TAB_TIMEOUT_MS = 10_000;

/**
 * The labels of the measure webview's tabs once they are `expected`, else as they are after the
 * timeout. The tab model follows the panel asynchronously: the panel opens titled for its progress
 * and is retitled when the report comes, so the first label seen may be the progress title.
 */
async function waitForMeasureTabs(expected: readonly string[]): Promise<string[]> {
  const labels = () =>
    vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('einsight.measure'))
      .map((tab) => tab.label);
  const deadline = Date.now() + TAB_TIMEOUT_MS;
  while (labels().join('\n') !== expected.join('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return labels();
}

suite('measure', () => {
  suiteTeardown(closeAllEditors);

  test('the contraction at a position: exact FLOPs, agreeing outputs, a timed speedup, the webview', async () => {
    const { document } = await openCopy('contractions.py');
    await waitForDiagnostics(document.uri, (d) => codes(d).includes('EIN001'));
    const call = positionOf(document, WASTED);
    const outcome = await measure(document.uri, call.translate(0, 3));
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    const report = outcome.report!;
    assert.equal(report.equation, 'ij,jk,kl->il');
    assert.deepEqual(report.sizes, { i: 8, j: 64, k: 128, l: 4 });
    assert.deepEqual(report.inputShapes, [[8, 64], [64, 128], [128, 4]]);
    // In numpy, with the Python the editor finds (python3 here): the call as written runs numpy's
    // one loop over all three operands; the quick fix's pairwise calls agree with it.
    const native = report.native;
    if (native.status === 'measured') {
      assert.equal(native.library?.name, 'numpy');
      assert.deepEqual(native.asWritten?.numpy && [native.asWritten.numpy.searches, native.asWritten.numpy.mostOperandsInOneLoop], [0, 3]);
      assert.deepEqual(native.rewritten?.fixes.map((f) => f.code), ['EIN001']);
      assert.equal(native.agreement?.agree, true);
      assert.match(report.headline, /^as written in numpy: .* → optimized: .*; the finding predicted .*× from FLOPs$/);
    } else {
      assert.match(native.reason ?? '', /python|numpy/, JSON.stringify(native));
    }
    const ort = report.onnxruntime;
    assert.equal(ort.status, 'measured');
    assert.equal(ort.ep.used, 'cpu');
    // onnxruntime's Einsum as written contracts left to right: 8·64·128·2 + 8·128·4·2.
    assert.equal(ort.asWritten.flops, 139_264);
    assert.equal(ort.optimized.flops, 69_632);
    assert.equal(ort.predictedSpeedup, 2);
    assert.equal(ort.agree, true);
    assert.ok(ort.asWritten.agrees && ort.optimized.agrees);
    assert.ok(ort.asWritten.timing.medianMs > 0 && ort.optimized.timing.medianMs > 0);
    assert.ok(typeof ort.measuredSpeedup === 'number' && ort.measuredSpeedup > 0);
    assert.deepEqual(report.source && [report.source.line, report.source.column, report.source.site], [call.line + 1, call.character + 1, 0]);
    assert.deepEqual(await waitForMeasureTabs(['measure: ij,jk,kl->il']), ['measure: ij,jk,kl->il']);
  });

  test('away from a contraction: the CLI error, located, and nothing measured', async () => {
    const { document } = await openCopy('contractions.py');
    const outcome = await measure(document.uri, new vscode.Position(0, 0));
    assert.equal(outcome?.kind, 'error', JSON.stringify(outcome));
    assert.deepEqual(outcome.error && [outcome.error.code, outcome.error.message], ['invalid', 'no einsum call or matmul chain there (the file has 3 sites)']);
  });
});
