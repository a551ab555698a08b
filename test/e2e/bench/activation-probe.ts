/**
 * Runs in a fresh extension host (as `extensionTestsPath`) before anything activated einsight:
 * times activate() — what VS Code counts as activation: loading dist/extension.js, then
 * activate() until its promise settles — and then the time from opening a Python file to its
 * first diagnostics. Prints one `einsight-bench {json}` line.
 */
import * as vscode from 'vscode';

const DIAGNOSTICS_TIMEOUT_MS = 30_000;

function firstDiagnostics(uri: vscode.Uri): Promise<void> {
  return new Promise((resolve, reject) => {
    const has = () => vscode.languages.getDiagnostics(uri).some((d) => d.source === 'einsight');
    const timer = setTimeout(() => reject(new Error(`no diagnostics on ${uri.toString()} within ${DIAGNOSTICS_TIMEOUT_MS} ms`)), DIAGNOSTICS_TIMEOUT_MS);
    const subscription = vscode.languages.onDidChangeDiagnostics(() => {
      if (!has()) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension('einsight.einsight');
  if (!extension) throw new Error('einsight.einsight is not installed');
  if (extension.isActive) throw new Error('einsight was already active: the probe could not time its activation');
  const activationStarted = performance.now();
  await extension.activate();
  const activationMs = performance.now() - activationStarted;

  const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'contractions.py');
  const opened = performance.now();
  const diagnostics = firstDiagnostics(uri);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  await diagnostics;
  const firstDiagnosticsMs = performance.now() - opened;
  console.log(`einsight-bench ${JSON.stringify({ activationMs, firstDiagnosticsMs })}`);
}
