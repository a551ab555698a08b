/**
 * The Python interpreter a native measurement runs: `einsight.measure.python` when set, else
 * the one selected in the Python extension (ms-python.python) for the file, else none (the CLI
 * then uses python3 on PATH and says how to choose another).
 */
import * as vscode from 'vscode';

/** The Python extension's API, both generations, as far as it is read here. */
interface PythonExtensionApi {
  ready?: Promise<void>;
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(environment: { id: string; path: string }): Promise<{ executable: { uri: vscode.Uri | undefined } } | undefined>;
  };
  settings?: { getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined } };
}

/** The Python extension may take long to activate; measuring does not wait for it past this. */
const API_TIMEOUT_MS = 5000;

export async function pythonInterpreter(resource: vscode.Uri | undefined, configured: string): Promise<string | null> {
  if (configured.trim() !== '') return configured.trim();
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return null;
  try {
    return await Promise.race([selected(extension, resource), new Promise<null>((resolve) => setTimeout(() => resolve(null), API_TIMEOUT_MS))]);
  } catch {
    return null;
  }
}

async function selected(extension: vscode.Extension<PythonExtensionApi>, resource: vscode.Uri | undefined): Promise<string | null> {
  const api = extension.isActive ? extension.exports : await extension.activate();
  await api.ready;
  if (api.environments) {
    const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
    const path = environment?.executable.uri?.fsPath;
    if (path) return path;
  }
  return api.settings?.getExecutionDetails(resource).execCommand?.[0] ?? null;
}
