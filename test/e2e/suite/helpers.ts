/**
 * What the end-to-end suites share: the extension under test, fixture documents (each test edits
 * its own copy), and waiting for the diagnostics the language server publishes.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'einsight.einsight';
/** Longest wait for the server to (re-)publish; the first analysis also loads the parser. */
const DIAGNOSTICS_TIMEOUT_MS = 30_000;

export function einsight(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  return extension;
}

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with the fixture workspace open');
  return folder.uri;
}

let copies = 0;

/** Opens a fresh copy of a fixture (`<name>` in the workspace) in an editor, so edits stay with the test. */
export async function openCopy(fixture: string): Promise<vscode.TextEditor> {
  const source = vscode.Uri.joinPath(workspaceFolder(), fixture);
  const dot = fixture.lastIndexOf('.');
  const copy = vscode.Uri.joinPath(workspaceFolder(), `${fixture.slice(0, dot)}-copy${++copies}${fixture.slice(dot)}`);
  await vscode.workspace.fs.copy(source, copy, { overwrite: true });
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(copy));
}

export async function openFixture(fixture: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceFolder(), fixture)));
}

export function einsightDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'einsight');
}

export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(typeof code === 'object' ? code.value : code);
}

/**
 * Waits until the Problems model holds einsight diagnostics for `uri` that satisfy `accept`
 * (checked now and at every change), and returns them.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  what = 'the expected diagnostics',
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const diagnostics = einsightDiagnostics(uri);
      if (!accept(diagnostics)) return false;
      cleanup();
      resolve(diagnostics);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      const seen = einsightDiagnostics(uri).map((d) => `${codeOf(d)} ${d.message}`);
      reject(new Error(`timed out waiting for ${what} on ${uri.toString()}; einsight diagnostics now: ${JSON.stringify(seen)}`));
    }, DIAGNOSTICS_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      subscription.dispose();
    };
    check();
  });
}

export function codes(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics.map(codeOf);
}

/** The position of the first occurrence of `snippet` (plus `offset` characters) in the document. */
export function positionOf(document: vscode.TextDocument, snippet: string, offset = 0): vscode.Position {
  const index = document.getText().indexOf(snippet);
  assert.ok(index >= 0, `'${snippet}' is not in ${document.uri.toString()}`);
  return document.positionAt(index + offset);
}

/** The range covering the first occurrence of `snippet`. */
export function rangeOf(document: vscode.TextDocument, snippet: string): vscode.Range {
  const start = positionOf(document, snippet);
  return new vscode.Range(start, document.positionAt(document.offsetAt(start) + snippet.length));
}

export function plain(range: vscode.Range): [number, number, number, number] {
  return [range.start.line, range.start.character, range.end.line, range.end.character];
}

/** Applies a code action the way the editor does: its edit, then its command. */
export async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `the edit of '${action.title}' was not applied`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

/** Closes every editor; the copies tests edited are saved first, so that no dialog asks. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.files.saveAll');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** What `einsight.measure` resolves to (CliOutcome in client/src/measure/cli-process.ts), as far as read here. */
export interface MeasureOutcome {
  kind: 'report' | 'error' | 'cancelled' | 'crash';
  report?: {
    equation: string;
    sizes: Record<string, number>;
    inputShapes: number[][];
    headline: string;
    native: {
      status: string;
      reason?: string;
      library?: { name: string };
      asWritten?: { numpy: { searches: number; mostOperandsInOneLoop: number } | null; timing: { medianMs: number } };
      rewritten?: { fixes: { code: string }[]; timing: { medianMs: number } } | null;
      agreement?: { agree: boolean } | null;
    };
    onnxruntime: {
      status: string;
      ep: { used: string };
      asWritten: { flops: number; agrees: boolean; timing: { medianMs: number } };
      optimized: { flops: number; agrees: boolean; timing: { medianMs: number } };
      predictedSpeedup: number;
      measuredSpeedup: number | null;
      agree: boolean;
    };
    source: { line: number; column: number; site: number } | null;
  };
  error?: { code: string; message: string };
}

/** Runs the `einsight.measure` command on a position, as a caller of the command would. */
export function measure(uri: vscode.Uri, at: vscode.Position): Thenable<MeasureOutcome | undefined> {
  return vscode.commands.executeCommand<MeasureOutcome | undefined>('einsight.measure', uri, at);
}
