/**
 * The VS Code side of einsight, kept thin: it starts the language server, keeps its settings in
 * sync, shows the analysis state in the status bar and adds a few commands. Everything the
 * extension knows about contractions comes from the server.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import { MEASURE_COMMAND, registerMeasure, type MeasureSettings } from './measure';
import { registerRecord } from './record';
import { CLI_SCRIPT_CANDIDATES, locateInExtension, SERVER_MODULE_CANDIDATES } from './paths';
import { followPythonInterpreter } from './python-interpreter';
import { STATUS_NOTIFICATION, StatusBar, type AnalysisStatus } from './status';
import { VisibleLenses } from './visible-lenses';

/** Languages the server may analyse (a language without a front end yet is simply not analysed). */
export const LANGUAGES = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'] as const;

/**
 * Files, unsaved buffers and notebook cells only: a git diff, a merge view or a search preview
 * shows a document that is open elsewhere too, and its findings would appear twice in the
 * Problems panel. (Cells are sent with their notebook, by the server's notebook selector; the
 * cell scheme here routes hover, code actions and the rest to them.)
 */
const SCHEMES = ['file', 'untitled', 'vscode-notebook-cell'] as const;

export const COMMANDS = {
  restartServer: 'einsight.restartServer',
  showOutput: 'einsight.showOutput',
  fixAll: 'einsight.fixAll',
} as const;

/** The server's own command behind `einsight.fixAll`. */
const SERVER_FIX_ALL = 'einsight.server.fixAll';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = path.join(context.extensionPath, locateInExtension(context.extensionPath, SERVER_MODULE_CANDIDATES));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const outputChannel = vscode.window.createOutputChannel('einsight', { log: true });
  const visibleLenses = new VisibleLenses();
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => SCHEMES.map((scheme) => ({ language, scheme }))),
    // The server pulls settings per document; this makes VS Code say when they change.
    // Python files saved, created or deleted outside an editor update the server's workspace index.
    synchronize: { configurationSection: 'einsight', fileEvents: vscode.workspace.createFileSystemWatcher('**/*.py') },
    outputChannel,
    // Only the lenses near the visible lines: hundreds of them slow every keystroke in VS Code.
    middleware: visibleLenses.middleware,
  };
  const languageClient = new LanguageClient('einsight', 'einsight', serverOptions, clientOptions);
  languageClient.registerFeature(clientCommands);
  visibleLenses.attach(languageClient);
  client = languageClient;

  const statusBar = new StatusBar(COMMANDS.showOutput);
  context.subscriptions.push(
    statusBar,
    outputChannel,
    visibleLenses,
    languageClient.onNotification(STATUS_NOTIFICATION, (status: AnalysisStatus) => statusBar.update(status)),
    languageClient.onDidChangeState(() => statusBar.clear()),
    vscode.commands.registerCommand(COMMANDS.restartServer, () => languageClient.restart()),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => outputChannel.show(true)),
    vscode.commands.registerCommand(COMMANDS.fixAll, () => fixAllInActiveEditor(languageClient)),
  );
  registerMeasure(context, measureSettings, locateInExtension(context.extensionPath, CLI_SCRIPT_CANDIDATES));
  registerRecord(context, locateInExtension(context.extensionPath, CLI_SCRIPT_CANDIDATES));
  // Not awaited: activation ends without waiting for the server process to boot (requests wait for it).
  languageClient
    .start()
    .then(() => followPythonInterpreter(languageClient, context))
    .catch((error) => outputChannel.error(`einsight: the language server did not start: ${String(error)}`));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/**
 * Tells the server which of its lenses' commands this client runs itself (the measure panel);
 * a client that does not say so gets the server's own commands, which any editor can run.
 */
const clientCommands: StaticFeature = {
  fillClientCapabilities: (capabilities) => {
    capabilities.experimental = { ...capabilities.experimental, einsight: { commands: [MEASURE_COMMAND] } };
  },
  initialize: () => undefined,
  getState: () => ({ kind: 'static' }),
  clear: () => undefined,
};

function measureSettings(): MeasureSettings {
  const config = vscode.workspace.getConfiguration('einsight', vscode.window.activeTextEditor?.document.uri);
  return {
    dimensions: config.get('dimensions', {}),
    maxMemoryMB: config.get('measure.maxMemoryMB', 2048),
    runs: config.get('measure.runs', 10),
    executionProvider: config.get<'cpu' | 'cuda'>('measure.executionProvider', 'cpu'),
    python: config.get('measure.python', ''),
    timeBudget: config.get('measure.timeBudget', 1),
    timeout: config.get('measure.timeout', 60),
    dtype: config.get('measure.dtype', 'default'),
  };
}

async function fixAllInActiveEditor(languageClient: LanguageClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('einsight: open a Python, TypeScript or JavaScript file or a notebook cell to fix its contractions.');
    return;
  }
  const result = (await languageClient.sendRequest(ExecuteCommandRequest.type, {
    command: SERVER_FIX_ALL,
    arguments: [editor.document.uri.toString()],
  })) as { applied: boolean; reason?: string } | null;
  if (result && !result.applied) void vscode.window.showInformationMessage(`einsight: ${result.reason ?? 'the edit was not applied'}.`);
}
