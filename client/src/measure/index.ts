/**
 * The `einsight.measure` command: measures the contraction at a position (or a site id) with
 * `einsight measure --json` in a child process, behind a cancellable progress notification,
 * asking for sizes the code leaves symbolic, then shows the numbers in the "einsight measure"
 * Output channel and a webview.
 *
 * Arguments (all optional; without them: the active editor and its cursor):
 *   uri     vscode.Uri or URI string of the document
 *   target  vscode.Position / {line, character} (0-based, as VS Code counts), or a site id
 *           (number) in the analysis of the measured text — for a notebook cell that text is
 *           the code cells up to it, so positions are the simpler choice there
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runMeasureCli, type CliOutcome } from './cli-process';
import { cellContext } from './notebook';
import { MeasurePanel } from './panel';

export const MEASURE_COMMAND = 'einsight.measure';

export interface MeasureSettings {
  /** `einsight.dimensions`: sizes of symbolic names. */
  dimensions: Record<string, number>;
  /** `einsight.measure.maxMemoryMB` (default 2048). */
  maxMemoryMB: number;
  /** Timed runs of each model (the CLI's default when absent). */
  runs?: number;
  /** `cuda` falls back to CPU, with a message, when its libraries are missing. */
  executionProvider?: 'cpu' | 'cuda';
}

export type MeasureTarget = vscode.Position | { line: number; character: number } | number;

/** Default CLI entry, relative to the extension root; a bundled extension passes its own. */
export const DEFAULT_CLI_SCRIPT = 'server/out/cli/main.js';

const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;
/** Rounds of "missing sizes → ask → run again" before giving up. */
const MAX_SIZE_PROMPTS = 3;

export function registerMeasure(
  context: vscode.ExtensionContext,
  getSettings: () => MeasureSettings,
  cliScript: string = DEFAULT_CLI_SCRIPT,
): void {
  const output = vscode.window.createOutputChannel('einsight measure');
  const panel = new MeasurePanel(context.extensionUri);
  const script = path.join(context.extensionPath, cliScript);
  // Resolves to what the CLI gave (tests and other callers read it), or undefined when nothing was measured.
  const command = async (uri?: vscode.Uri | string, target?: MeasureTarget): Promise<CliOutcome | undefined> => {
    const request = await resolveRequest(uri, target);
    if (!request) {
      void vscode.window.showInformationMessage('einsight: put the cursor on an einsum call to measure it.');
      return undefined;
    }
    const settings = getSettings();
    let dims = validDims(settings.dimensions);
    for (let round = 0; round <= MAX_SIZE_PROMPTS; round++) {
      const args = [...request.location, '--json', '--stdin', '--language', request.document.languageId, '--max-memory', String(settings.maxMemoryMB)];
      if (Object.keys(dims).length > 0) args.push('--dims', Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(','));
      if (settings.runs !== undefined) args.push('--runs', String(settings.runs));
      if (settings.executionProvider) args.push('--ep', settings.executionProvider);
      const outcome = await runWithProgress(script, context.extensionPath, args, request);
      if (outcome.kind === 'error' && outcome.error.code === 'missing-sizes' && round < MAX_SIZE_PROMPTS) {
        const typed = await askForSizes(outcome.error.missingDims ?? [], dims, settings.dimensions);
        if (!typed) return undefined;
        dims = { ...dims, ...typed };
        continue;
      }
      show(outcome, output, panel);
      return outcome;
    }
  };
  context.subscriptions.push(output, panel, vscode.commands.registerCommand(MEASURE_COMMAND, command));
}

interface MeasureRequest {
  document: vscode.TextDocument;
  /** `FILE:LINE:COL` or `FILE --site ID`, as the CLI takes them. */
  location: string[];
  /** What the CLI analyses (sent on stdin): the document, or a notebook cell with the cells above. */
  text: string;
}

async function resolveRequest(uri: vscode.Uri | string | undefined, target: MeasureTarget | undefined): Promise<MeasureRequest | null> {
  const editor = vscode.window.activeTextEditor;
  const document = uri === undefined ? editor?.document : await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
  if (!document) return null;
  const file = document.uri.scheme === 'file' ? document.uri.fsPath : document.fileName;
  const cell = cellContext(document);
  const text = cell?.text ?? document.getText();
  if (typeof target === 'number') return { document, text, location: [file, '--site', String(target)] };
  const position = target ?? (editor && editor.document === document ? editor.selection.active : undefined);
  if (!position) return null;
  const line = position.line + (cell?.lineOffset ?? 0);
  return { document, text, location: [`${file}:${line + 1}:${position.character + 1}`] };
}

function runWithProgress(script: string, cwd: string, args: string[], request: MeasureRequest): Promise<CliOutcome> {
  const title = `einsight: measuring ${path.basename(request.document.fileName)}`;
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      let reported = 0;
      const cancelled = new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
      return runMeasureCli({
        node: process.execPath,
        script,
        args,
        cwd,
        stdin: request.text,
        cancelled,
        onProgress: (p) => {
          const percent = Math.round(p.fraction * 100);
          const model = p.variant === 'as-written' ? 'as written' : `optimized (${p.variant === 'matmul' ? 'MatMul' : 'Einsum'})`;
          const step = p.phase === 'load' ? 'loading' : `${p.phase === 'warmup' ? 'warm-up' : 'run'} ${p.index + 1}/${p.total}`;
          progress.report({ increment: percent - reported, message: `${model}: ${step}` });
          reported = percent;
        },
      });
    }),
  );
}

/** Asks for the missing sizes, pre-filled from `einsight.dimensions`; null when dismissed. */
async function askForSizes(missing: string[], current: Record<string, number>, configured: Record<string, number>): Promise<Record<string, number> | null> {
  const entries = [...Object.entries(current).map(([k, v]) => `${k}=${v}`), ...missing.filter((m) => !(m in current)).map((m) => `${m}=${configured[m] ?? ''}`)];
  const value = entries.join(', ');
  const firstGap = value.search(/=(,|$)/);
  const answer = await vscode.window.showInputBox({
    title: 'einsight: sizes to measure with',
    prompt: `Measuring needs concrete sizes for ${missing.join(', ')} (NAME=SIZE, comma-separated)`,
    value,
    valueSelection: firstGap >= 0 ? [firstGap + 1, firstGap + 1] : undefined,
    validateInput: (text) => validateSizes(text, missing),
  });
  return answer === undefined ? null : parseSizes(answer);
}

function validateSizes(text: string, missing: string[]): string | undefined {
  const sizes = parseSizes(text);
  if (!sizes) return 'Write NAME=SIZE pairs separated by commas, sizes being positive integers';
  const absent = missing.filter((m) => !(m in sizes));
  return absent.length > 0 ? `Still missing: ${absent.join(', ')}` : undefined;
}

function parseSizes(text: string): Record<string, number> | null {
  const sizes: Record<string, number> = {};
  for (const entry of text.split(',').filter((e) => e.trim() !== '')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/u.exec(entry);
    if (!match || !NAME.test(match[1]) || Number(match[2]) < 1) return null;
    sizes[match[1]] = Number(match[2]);
  }
  return sizes;
}

/** The settings' sizes the CLI accepts (names, positive integers); others are left out. */
function validDims(dimensions: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(dimensions ?? {}).filter(([k, v]) => NAME.test(k) && Number.isInteger(v) && v > 0));
}

function show(outcome: CliOutcome, output: vscode.OutputChannel, panel: MeasurePanel): void {
  switch (outcome.kind) {
    case 'cancelled':
      output.appendLine('einsight measure: cancelled');
      return;
    case 'crash':
    case 'error': {
      const message = outcome.kind === 'crash' ? outcome.message : `${outcome.error.location ? `${outcome.error.location}: ` : ''}${outcome.error.message}`;
      output.appendLine(`einsight measure: ${message}`);
      void vscode.window.showErrorMessage(`einsight measure: ${message}`);
      return;
    }
    case 'report': {
      output.appendLine(outcome.report.text);
      output.appendLine('');
      output.show(true);
      panel.show(outcome.report);
      if (!outcome.report.agree) void vscode.window.showWarningMessage(`einsight measure: ${outcome.report.verdict}`);
      else if (outcome.report.ep.message) void vscode.window.showWarningMessage(`einsight measure: ${outcome.report.ep.message}`);
    }
  }
}
