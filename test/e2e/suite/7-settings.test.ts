/** Changing einsight's settings re-analyses the files already open. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codes, openCopy, waitForDiagnostics } from './helpers';

function einsightSettings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('einsight');
}

function severityOf(diagnostics: vscode.Diagnostic[], code: string): vscode.DiagnosticSeverity | undefined {
  return diagnostics.find((d) => codes([d])[0] === code)?.severity;
}

suite('settings', () => {
  suiteTeardown(async () => {
    for (const key of ['severity', 'minSpeedup', 'enable']) await einsightSettings().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await closeAllEditors();
  });

  test('severity, minSpeedup and enable apply to every open file at once', async () => {
    const first = (await openCopy('contractions.py')).document;
    const second = (await openCopy('diagnostics.py')).document;
    await waitForDiagnostics(first.uri, (d) => codes(d).join() === 'EIN001,EIN004');
    await waitForDiagnostics(second.uri, (d) => codes(d).join() === 'EIN001,EIN002,EIN003,EIN004');

    await einsightSettings().update('severity', { EIN001: 'error' }, vscode.ConfigurationTarget.Workspace);
    for (const uri of [first.uri, second.uri]) {
      const diagnostics = await waitForDiagnostics(uri, (d) => severityOf(d, 'EIN001') === vscode.DiagnosticSeverity.Error, 'EIN001 as an error');
      assert.equal(severityOf(diagnostics, 'EIN004'), vscode.DiagnosticSeverity.Warning);
    }

    // 11.3× fewer FLOPs is below a 20x threshold; the fused chain (32.5×) stays.
    await einsightSettings().update('minSpeedup', 20, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(first.uri, (d) => codes(d).join() === 'EIN004', 'only EIN004 at minSpeedup 20');
    await waitForDiagnostics(second.uri, (d) => codes(d).join() === 'EIN002,EIN003,EIN004', 'no EIN001 at minSpeedup 20');

    await einsightSettings().update('enable', false, vscode.ConfigurationTarget.Workspace);
    await waitForDiagnostics(first.uri, (d) => d.length === 0, 'nothing while disabled');
    await waitForDiagnostics(second.uri, (d) => d.length === 0, 'nothing while disabled');

    for (const key of ['severity', 'minSpeedup', 'enable']) await einsightSettings().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    const restored = await waitForDiagnostics(first.uri, (d) => codes(d).join() === 'EIN001,EIN004', 'the findings back');
    assert.equal(severityOf(restored, 'EIN001'), vscode.DiagnosticSeverity.Warning);
  });
});
