/**
 * Runs `einsight measure --json` as a child process — the extension host never loads
 * onnxruntime — and reads its result, its JSON progress lines and its errors. Cancelling
 * sends SIGTERM (the CLI stops its runner and exits), then SIGKILL if it lingers; the runner
 * ends itself when its parent disappears.
 */
import { spawn } from 'node:child_process';
import type { MeasureErrorJson, MeasureProgressJson, MeasureReportJson } from './report';

export type CliOutcome =
  | { kind: 'report'; report: MeasureReportJson }
  | { kind: 'error'; error: MeasureErrorJson['error'] }
  | { kind: 'cancelled' }
  | { kind: 'crash'; message: string };

export interface CliRequest {
  /** The JavaScript runtime: the extension host's own (`process.execPath`). */
  node: string;
  script: string;
  args: string[];
  cwd: string;
  /** Written to the CLI's stdin (the document text, with `--stdin`). */
  stdin?: string;
  onProgress?: (progress: MeasureProgressJson['progress']) => void;
  /** Resolves when the user cancels. */
  cancelled?: Promise<void>;
}

const KILL_GRACE_MS = 1500;

export function runMeasureCli(request: CliRequest): Promise<CliOutcome> {
  return new Promise((resolve) => {
    // VS Code's execPath is Electron; this makes it behave as plain Node.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    const child = spawn(request.node, [request.script, 'measure', ...request.args], { cwd: request.cwd, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let pendingLine = '';
    let cancelled = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pendingLine + chunk).split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) {
        const progress = parseProgress(line);
        if (progress) request.onProgress?.(progress);
        else stderr += `${line}\n`;
      }
    });
    child.stdin.on('error', () => undefined); // a child that exits early closes its stdin
    child.stdin.end(request.stdin ?? '');
    void request.cancelled?.then(() => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      child.kill('SIGTERM');
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, KILL_GRACE_MS).unref();
    });
    child.on('error', (error) => resolve({ kind: 'crash', message: `cannot start ${request.node}: ${error.message}` }));
    child.on('close', (code) => {
      if (cancelled) return resolve({ kind: 'cancelled' });
      resolve(interpret(stdout, stderr + pendingLine, code));
    });
  });
}

function parseProgress(line: string): MeasureProgressJson['progress'] | null {
  if (!line.startsWith('{"progress"')) return null;
  try {
    return (JSON.parse(line) as MeasureProgressJson).progress;
  } catch {
    return null;
  }
}

function interpret(stdout: string, stderr: string, code: number | null): CliOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    const detail = (stderr.trim() || stdout.trim()).slice(-2000);
    return { kind: 'crash', message: `einsight measure exited with code ${code}${detail ? `: ${detail}` : ''}` };
  }
  if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) return { kind: 'error', error: (parsed as MeasureErrorJson).error };
  return { kind: 'report', report: parsed as MeasureReportJson };
}
