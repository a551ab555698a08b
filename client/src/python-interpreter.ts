/**
 * The interpreter the Python extension (ms-python.python) selected for the workspace, told to
 * the server (`einsight/pythonInterpreter`) when the client starts and whenever the selection
 * changes: the server asks it whether opt_einsum is importable and which numpy and torch it
 * has. Without the Python extension nothing is sent and the server asks `python3`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

const NOTIFICATION = 'einsight/pythonInterpreter';

interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } };
}

export async function followPythonInterpreter(client: LanguageClient, context: vscode.ExtensionContext): Promise<void> {
  const extension = vscode.extensions.getExtension<PythonApi>('ms-python.python');
  if (!extension) return;
  let api: PythonApi;
  try {
    api = extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return;
  }
  const tell = () => void client.sendNotification(NOTIFICATION, { path: selectedPath(api) });
  tell();
  const changed = api.environments?.onDidChangeActiveEnvironmentPath;
  if (changed) context.subscriptions.push(changed(tell));
}

/** The newer environments API first, then the older execution details; null when neither says. */
function selectedPath(api: PythonApi): string | null {
  const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
  try {
    const path = api.environments?.getActiveEnvironmentPath(resource)?.path;
    if (path) return path;
    const command = api.settings?.getExecutionDetails?.(resource)?.execCommand;
    return command && command.length === 1 ? command[0] : null;
  } catch {
    return null;
  }
}
