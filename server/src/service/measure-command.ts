/**
 * `einsight.server.measure`: measure for any editor. The "Measure" lens of a client other than
 * VS Code runs it with the document and the call's position; the server runs `einsight measure
 * --json` on the text the editor has (a child process: onnxruntime never loads into the
 * server) and answers with a markdown report. Where the client can open documents
 * (`window/showDocument`), the report is also written to a file and shown, since most clients
 * drop a command's result.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { CancellationToken, Position } from 'vscode-languageserver';
import type { EinsightSettings } from '../workspace/settings';
import type { UnitSnapshot } from '../workspace/snapshot';

export interface MeasureAnswer {
  /** The report, in markdown: what a client can show as it is. */
  report: string;
  /** Where the report was written, when it was (a `file:` URI). */
  file: string | null;
  /** One line for a message: the verdict, or why nothing was measured. */
  summary: string;
}

/** The CLI: beside the bundled server, or in the compiled sources. */
const CLI_CANDIDATES = [path.join(__dirname, 'cli.js'), path.join(__dirname, '..', 'cli', 'main.js')];
const KILL_GRACE_MS = 1500;

/** Runs the measurement of the call at `position` in `uri` (a document of `snapshot`). */
export async function measureAt(snapshot: UnitSnapshot, uri: string, position: Position, settings: EinsightSettings, token: CancellationToken): Promise<MeasureAnswer> {
  const slice = snapshot.slice(uri);
  if (!slice) return failure('the document is not open');
  // The CLI analyses the whole unit (a notebook's cells joined), so the line counts from its start.
  const line = snapshot.text.slice(0, slice.start).split('\n').length - 1 + position.line;
  const label = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  const args = ['measure', `${label}:${line + 1}:${position.character + 1}`, '--json', '--stdin', '--language', snapshot.languageId, '--max-memory', String(settings.measure.maxMemoryMB)];
  const dims = Object.entries(settings.dimensions);
  if (dims.length > 0) args.push('--dims', dims.map(([k, v]) => `${k}=${v}`).join(','));
  args.push('--runs', String(settings.measure.runs), '--ep', settings.measure.executionProvider);
  const output = await runCli(args, snapshot.text, token);
  if (output === null) return failure('cancelled');
  return answerOf(output, path.basename(label), line + 1);
}

function failure(why: string): MeasureAnswer {
  return { report: `**einsight measure**: nothing measured: ${why}.`, file: null, summary: `einsight measure: ${why}` };
}

function answerOf(output: { stdout: string; stderr: string; code: number | null }, name: string, line: number): MeasureAnswer {
  let parsed: { text?: string; headline?: string; title?: string; error?: { code: string; message: string; missingDims?: string[] } };
  try {
    parsed = JSON.parse(output.stdout);
  } catch {
    const detail = (output.stderr.trim() || output.stdout.trim()).slice(-2000);
    return failure(`einsight measure exited with code ${output.code}${detail ? `: ${detail}` : ''}`);
  }
  if (parsed.error) {
    const hint = parsed.error.missingDims?.length
      ? ` Give their sizes in \`einsight.dimensions\` (e.g. \`{ "${parsed.error.missingDims[0]}": 64 }\`) or a \`# einsight:\` hint.`
      : '';
    return { report: `**einsight measure** (${name}, line ${line}): ${parsed.error.message}.${hint}`, file: null, summary: `einsight measure: ${parsed.error.message}` };
  }
  const report = [`# einsight measure: ${parsed.title ?? name}`, '', `**${parsed.headline ?? ''}**`, '', '```text', parsed.text ?? '', '```', ''].join('\n');
  return { report, file: writeReport(report, name, line), summary: `einsight measure: ${parsed.headline ?? 'done'}` };
}

/** The report as a file a client can open; null where the temporary folder is not writable. */
function writeReport(report: string, name: string, line: number): string | null {
  try {
    const folder = path.join(os.tmpdir(), 'einsight-measure');
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${name.replace(/[^\w.-]+/g, '_')}-line-${line}.md`);
    writeFileSync(file, report);
    return pathToFileURL(file).toString();
  } catch {
    return null;
  }
}

/** `einsight …` with `stdin` as its input; null when cancelled (the child is stopped). */
function runCli(args: string[], stdin: string, token: CancellationToken): Promise<{ stdout: string; stderr: string; code: number | null } | null> {
  const script = CLI_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!script) return Promise.resolve({ stdout: '', stderr: `the einsight CLI is not beside the server (${CLI_CANDIDATES.join(', ')})`, code: null });
  return new Promise((resolve) => {
    // Under an editor's Electron, this makes it run as plain Node.
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
    const cancel = token.onCancellationRequested(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    });
    child.on('error', (error) => resolve({ stdout: '', stderr: `cannot start ${process.execPath}: ${error.message}`, code: null }));
    child.on('close', (code) => {
      cancel.dispose();
      resolve(token.isCancellationRequested ? null : { stdout, stderr, code });
    });
  });
}
