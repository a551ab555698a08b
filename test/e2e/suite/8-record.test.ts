/** "einsight: Record a run": runs the command under `einsight record` in a task; the server then uses what it recorded. */
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, openCopy, positionOf, waitForDiagnostics } from './helpers';

/** What the command resolves to (RecordOutcome in client/src/record.ts). */
interface RecordOutcome {
  exitCode: number | undefined;
  command: string[];
}

suite('record a run', () => {
  suiteTeardown(closeAllEditors);

  test('the command runs the file under einsight record; findings and hover then carry the recorded weight', async () => {
    const { document } = await openCopy('record_demo.py');
    const file = path.basename(document.uri.fsPath);
    const outcome = await vscode.commands.executeCommand<RecordOutcome | undefined>('einsight.record', `python3 ${file} 40`);
    assert.deepEqual(outcome, { exitCode: 0, command: ['python3', file, '40'] });
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.some((x) => /called 3 times/.test(x.message)), 'findings with the recorded weight');
    assert.match(diagnostics[0].message, /at the recorded sizes; called 3 times, 100% of einsum time in the recorded run$/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, 'np.einsum', 4));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*Recorded\*\*: called 3 times, 100% of einsum time in the recorded run\./);
    assert.match(text, /`\[40, 64\] · \[64, 64\] · \[64\]` \| 3 \|/);
  });
});
