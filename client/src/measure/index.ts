/**
 * The `einsight.measure` command: measures the contraction at a position (or a site id) with
 * `einsight measure --json` in a child process — in the site's own library with the selected
 * Python interpreter, and on onnxruntime — behind a cancellable progress notification, asking
 * for sizes the code leaves symbolic. The webview shows progress (clearing any earlier result),
 * then the result; the text report goes to the "einsight measure" Output channel, which is not
 * brought forward.
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
import { pythonInterpreter } from './interpreter';
import { cellContext } from './notebook';
import { MeasurePanel } from './panel';
import type { MeasureProgress } from './report';

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
  /** `einsight.measure.python`: the interpreter; empty for the Python extension's selection. */
  python?: string;
  /** Seconds each form is timed for, natively (at least 5 runs each). */
  timeBudget?: number;
  /** Longest one run may take, in seconds. */
  timeout?: number;
  /** A dtype name, or `default` for the library's own. */
  dtype?: string;
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
    const python = request.document.languageId === 'python' ? await pythonInterpreter(request.document.uri, settings.python ?? '') : null;
    for (let round = 0; round <= MAX_SIZE_PROMPTS; round++) {
      const args = [...request.location, '--json', '--stdin', '--language', request.document.languageId, ...settingArgs(settings, python)];
      if (Object.keys(dims).length > 0) args.push('--dims', Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(','));
      const outcome = await runWithProgress(script, context.extensionPath, args, request, panel);
      if (outcome.kind === 'error' && outcome.error.code === 'missing-sizes' && round < MAX_SIZE_PROMPTS) {
        const typed = await askForSizes(outcome.error.missingDims ?? [], dims, settings.dimensions);
        if (!typed) return undefined;
        dims = { ...dims, ...typed };
        continue;
      }
      show(outcome, output, panel, request.document);
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

/** The CLI flags for the measure settings. */
function settingArgs(settings: MeasureSettings, python: string | null): string[] {
  const args = ['--max-memory', String(settings.maxMemoryMB)];
  if (settings.runs !== undefined) args.push('--runs', String(settings.runs));
  if (settings.executionProvider) args.push('--ep', settings.executionProvider);
  if (python) args.push('--python', python);
  if (settings.timeBudget !== undefined) args.push('--budget', String(settings.timeBudget));
  if (settings.timeout !== undefined) args.push('--timeout', String(settings.timeout));
  if (settings.dtype && settings.dtype !== 'default') args.push('--dtype', settings.dtype);
  return args;
}

function runWithProgress(script: string, cwd: string, args: string[], request: MeasureRequest, panel: MeasurePanel): Promise<CliOutcome> {
  const title = `einsight: measuring ${path.basename(request.document.fileName)}`;
  panel.show({ kind: 'progress', title, message: 'starting…', fraction: 0 });
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
          const message = progressMessage(p);
          progress.report({ increment: percent - reported, message });
          panel.show({ kind: 'progress', title, message, fraction: p.fraction });
          reported = percent;
        },
      });
    }),
  );
}

function progressMessage(p: MeasureProgress): string {
  if (p.section === 'native') return `in the library, ${p.form === 'as-written' ? 'as written' : 'optimized'}: ${p.phase === 'warmup' ? 'warm-up' : `run ${p.index + 1}`}`;
  const model = p.variant === 'as-written' ? 'as written' : `optimized (${p.variant === 'matmul' ? 'matrix products' : 'pairwise Einsum'})`;
  const step = p.phase === 'load' ? 'loading' : `${p.phase === 'warmup' ? 'warm-up' : 'run'} ${p.index + 1}/${p.total}`;
  return `onnxruntime, ${model}: ${step}`;
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

/** The setting that would fix an error, by its code. */
const SETTING_FOR_ERROR: Record<string, string> = {
  memory: 'einsight.measure.maxMemoryMB',
  timeout: 'einsight.measure.timeout',
  'missing-sizes': 'einsight.dimensions',
};

function show(outcome: CliOutcome, output: vscode.OutputChannel, panel: MeasurePanel, document: vscode.TextDocument): void {
  const title = `einsight: measuring ${path.basename(document.fileName)}`;
  switch (outcome.kind) {
    case 'cancelled':
      output.appendLine('einsight measure: cancelled');
      panel.show({ kind: 'error', title, message: 'Cancelled.', setting: null });
      return;
    case 'crash':
    case 'error': {
      const message = outcome.kind === 'crash' ? outcome.message : `${outcome.error.message}${outcome.error.location ? ` (${outcome.error.location})` : ''}`;
      const setting = outcome.kind === 'error' ? (SETTING_FOR_ERROR[outcome.error.code] ?? null) : null;
      output.appendLine(`einsight measure: ${message}`);
      panel.show({ kind: 'error', title, message, setting });
      void offerSetting(vscode.window.showErrorMessage, `einsight measure: ${message}`, setting);
      return;
    }
    case 'report': {
      const report = outcome.report;
      output.appendLine(report.text);
      output.appendLine('');
      panel.show({ kind: 'report', report });
      const nativeDisagrees = report.native.status === 'measured' && report.native.agreement?.agree === false;
      const onnxDisagrees = report.onnxruntime.status === 'measured' && !report.onnxruntime.agree;
      if (nativeDisagrees || onnxDisagrees) void vscode.window.showWarningMessage(`einsight measure: ${report.headline}`);
    }
  }
}

/** A notification that leads with the reason and offers "Open setting" when a setting would fix it. */
async function offerSetting(notify: (message: string, ...items: string[]) => Thenable<string | undefined>, message: string, setting: string | null): Promise<void> {
  const choice = await (setting ? notify(message, 'Open setting') : notify(message));
  if (choice === 'Open setting' && setting) await vscode.commands.executeCommand('workbench.action.openSettings', setting);
}
