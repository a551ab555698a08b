/**
 * "einsight: Record a run": asks for a command (by default the current file run by the selected
 * Python interpreter) and runs it under `einsight record` as a task, in a terminal of its own, in
 * the file's workspace folder. The language server notices the new recordings by itself.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { pythonInterpreter } from './measure/interpreter';

export const RECORD_COMMAND = 'einsight.record';
/** The task type contributed in package.json (`taskDefinitions`). */
export const RECORD_TASK_TYPE = 'einsight-record';

/** What the command resolves to: the task's exit status, or undefined when nothing ran. */
export interface RecordOutcome {
  exitCode: number | undefined;
  command: string[];
}

export function registerRecord(context: vscode.ExtensionContext, cliScript: string): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RECORD_COMMAND, (command?: string) => recordRun(path.join(context.extensionPath, cliScript), command)),
  );
}

/** `command` given (a caller, a keybinding's args): run it without asking. */
async function recordRun(cli: string, given?: string): Promise<RecordOutcome | undefined> {
  const editor = vscode.window.activeTextEditor;
  const document = editor?.document.uri.scheme === 'file' ? editor.document : undefined;
  const folder = document ? vscode.workspace.getWorkspaceFolder(document.uri) : vscode.workspace.workspaceFolders?.[0];
  const cwd = folder?.uri.fsPath ?? (document ? path.dirname(document.uri.fsPath) : undefined);
  if (!cwd) {
    void vscode.window.showInformationMessage('einsight: open a folder or a Python file to record a run.');
    return undefined;
  }
  const typed =
    given ??
    (await vscode.window.showInputBox({
      title: 'einsight: Record a run',
      prompt: `The command to run; einsight records the shapes and time of every einsum it calls (runs in ${cwd})`,
      value: await defaultCommand(document, cwd),
      ignoreFocusOut: true,
    }));
  if (typed === undefined || typed.trim() === '') return undefined;
  const command = splitCommandLine(typed, process.platform);
  const execution = new vscode.ProcessExecution(process.execPath, [cli, 'record', ...declaredWrappers(document?.uri), '--', ...command], {
    cwd,
    // VS Code's execPath is Electron; this makes it behave as plain Node.
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
  const task = new vscode.Task({ type: RECORD_TASK_TYPE }, folder ?? vscode.TaskScope.Workspace, 'Record a run', 'einsight', execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  const started = await vscode.tasks.executeTask(task);
  const exitCode = await new Promise<number | undefined>((resolve) => {
    const ended = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution !== started) return;
      ended.dispose();
      resolve(event.exitCode);
    });
  });
  return { exitCode, command };
}

/** The current Python file with the selected interpreter; the interpreter alone otherwise. */
async function defaultCommand(document: vscode.TextDocument | undefined, cwd: string): Promise<string> {
  const python = quoteArgument(await selectedInterpreter(document?.uri), process.platform);
  if (document?.languageId !== 'python') return python;
  const file = path.relative(cwd, document.uri.fsPath) || document.uri.fsPath;
  return `${python} ${quoteArgument(file, process.platform)}`;
}

/**
 * `einsight.python.interpreter`, else the one the Python extension selected (as measuring picks
 * it), else `python.defaultInterpreterPath`, else python3.
 */
async function selectedInterpreter(resource: vscode.Uri | undefined): Promise<string> {
  const chosen = await pythonInterpreter(resource, vscode.workspace.getConfiguration('einsight', resource).get<string>('python.interpreter') ?? '');
  if (chosen) return chosen;
  const configured = vscode.workspace.getConfiguration('python', resource).get<string>('defaultInterpreterPath');
  if (configured && configured !== 'python') return configured;
  return process.platform === 'win32' ? 'python' : 'python3';
}

/** `einsight.python.einsumFunctions` as `--einsum-functions`: the wrappers the editor knows are recorded too. */
function declaredWrappers(resource: vscode.Uri | undefined): string[] {
  const declared = vscode.workspace.getConfiguration('einsight', resource).get<Record<string, string>>('python.einsumFunctions') ?? {};
  const entries = Object.entries(declared).filter(([name, einsum]) => typeof einsum === 'string' && name.trim() !== '');
  return entries.length === 0 ? [] : ['--einsum-functions', entries.map(([name, einsum]) => `${name}=${einsum}`).join(';')];
}

/**
 * A command line as the user typed it, split into arguments the way a shell would for the
 * simple cases that matter here: white space separates, quotes group, and (not on Windows,
 * where it separates path parts) a backslash keeps the next character as it is.
 */
export function splitCommandLine(line: string, platform: NodeJS.Platform): string[] {
  const args: string[] = [];
  let current: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && platform !== 'win32' && (line[i + 1] === '"' || line[i + 1] === '\\')) current += line[++i];
      else current += ch;
    } else if (/\s/.test(ch)) {
      if (current !== null) args.push(current);
      current = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current ??= '';
    } else if (ch === '\\' && platform !== 'win32' && i + 1 < line.length) {
      current = (current ?? '') + line[++i];
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (current !== null) args.push(current);
  return args;
}

/** An argument quoted so that splitCommandLine gives it back whole. */
export function quoteArgument(argument: string, platform: NodeJS.Platform): string {
  if (argument !== '' && !/[\s"'\\]/.test(argument)) return argument;
  if (platform === 'win32') return `"${argument}"`;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}
