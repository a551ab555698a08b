/**
 * Runs a generated benchmark script (Python, or JavaScript for tfjs) with its interpreter: the
 * script goes in on stdin (no temporary file), JSON lines come back on stdout. Like the
 * onnxruntime runner, every step the script announces re-arms a timer, so one slow run is
 * stopped on its own; a cancel kills the process (which also ends itself when its parent goes).
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { MeasureError } from '../problem';
import { howItEnded, SupervisedChild, tookTooLong, type ChildLimits } from '../supervised-child';
import { NativeUnavailable } from './program';

export interface ScriptReady {
  /** The interpreter's version (Python's, or Node's for tfjs). */
  runtimeVersion: string;
  executable: string;
  library: { name: string; version: string; backend?: string; optEinsum?: { available: boolean; enabled: boolean; strategy: string | null } };
  device: { kind: string; name: string; message: string | null };
  dtype: string;
  /** Memory the script may still allocate after its imports (MB); null where the OS gives no cap. */
  capMB: number | null;
  baseRssMB: number | null;
}

/** How numpy ran a form: path searches, given paths, the widest single loop (`c_einsum`), and direct BLAS calls. */
export interface NumpyProbe {
  searches: number;
  givenPaths: number;
  loops: number;
  mostOperandsInOneLoop: number;
  /** Steps written as `np.tensordot`/`np.matmul` (a pairwise rewrite of a call that passed optimize=). */
  blasCalls: number;
}

export type FormName = 'as-written' | 'rewritten';

export interface ScriptForm {
  form: FormName;
  /** Why the form could not run at all (the library refused the call as written); then no samples. */
  error: string | null;
  samplesMs: number[];
  outputShape: number[];
  outputDtype: string;
  probe: NumpyProbe | null;
}

export interface ScriptResult {
  forms: ScriptForm[];
  agreement: { sameShape: boolean; maxAbs: number; maxAbsDiff: number | null; nonFinite: boolean } | null;
  peakRssMB: number | null;
}

export interface ScriptProgress {
  form: FormName;
  phase: 'warmup' | 'run';
  index: number;
  elapsedMs?: number;
}

/** The script ran but could not finish: out of memory, an exception, a time limit. */
export class NativeFailure extends Error {
  constructor(
    readonly code: 'memory' | 'runtime' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'NativeFailure';
  }
}

export interface ScriptRunOptions extends ChildLimits {
  onProgress?: (progress: ScriptProgress) => void;
  onReady?: (ready: ScriptReady) => void;
}

export const PYTHON_SETTING = 'einsight.measure.python';

/** How to start an interpreter that reads a script from stdin. */
export interface ScriptCommand {
  /** As the user named it (messages say this). */
  interpreter: string;
  /** What to start, when not `interpreter` itself (a capped start goes through sh). */
  program?: string;
  args: string[];
  env: Record<string, string>;
  /** The setting that chooses the interpreter, for "Open setting". */
  setting: string | null;
}

export function pythonCommand(interpreter: string): ScriptCommand {
  return { interpreter, args: ['-B', '-'], env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' }, setting: PYTHON_SETTING };
}

export function runScript(command: ScriptCommand, script: string, options: ScriptRunOptions): Promise<{ ready: ScriptReady; result: ScriptResult }> {
  const interpreter = command.interpreter;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new MeasureError('cancelled', 'measurement cancelled'));
    // From the temporary folder (only its name: nothing is written there), so that no module of
    // the user's workspace can shadow a library the script imports.
    const spawnOptions = { stdio: 'pipe' as const, env: { ...process.env, ...command.env }, windowsHide: true, cwd: tmpdir() };
    const child = spawn(command.program ?? interpreter, command.args, spawnOptions);
    let ready: ScriptReady | null = null;
    let result: ScriptResult | undefined;
    let pending = '';
    const supervised = new SupervisedChild(child, options, (error) => (error ? reject(error) : resolve({ ready: ready as ScriptReady, result: result as ScriptResult })));
    const finish = (error: Error | null) => supervised.finish(error);
    const arm = (limitMs: number, what: string) => supervised.arm(limitMs, () => new NativeFailure('timeout', tookTooLong(what, limitMs)));
    const onLine = (line: string) => {
      let message: Record<string, any>;
      try {
        message = JSON.parse(line);
      } catch {
        return; // a library printing to stdout: not ours
      }
      if (message.ready) {
        ready = message.ready as ScriptReady;
        options.onReady?.(ready);
        arm(options.loadTimeoutMs, 'making the inputs');
      } else if (message.progress) {
        const progress = message.progress as ScriptProgress;
        arm(options.runTimeoutMs, `a ${progress.phase === 'warmup' ? 'warm-up' : 'timed'} run ${progress.form === 'as-written' ? 'as written' : 'rewritten'}`);
        options.onProgress?.(progress);
      } else if (message.result) {
        result = message.result as ScriptResult;
        finish(null);
      } else if (message.error) {
        finish(scriptError(message.error, command));
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) onLine(line);
    });
    child.stdin.on('error', () => undefined); // an interpreter that exits early closes its stdin
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'there is no such program' : error.message;
      finish(new NativeUnavailable(`cannot run the interpreter '${interpreter}': ${why}`, command.setting));
    });
    child.on('close', (code, signal) => {
      const detail = supervised.stderr.split('\n').slice(-3).join(' ').trim();
      finish(new NativeFailure('runtime', `the benchmark process (${interpreter}) ${howItEnded(code, signal)} before finishing${detail ? `: ${detail}` : ''}`));
    });
    arm(options.loadTimeoutMs, `starting ${interpreter} and importing the libraries`);
    child.stdin.end(script);
  });
}

function scriptError(error: { code: string; message: string; form: FormName | null }, command: ScriptCommand): Error {
  const interpreter = command.interpreter;
  if (error.code === 'library') {
    const [what] = error.message.split(':');
    const missing = /ModuleNotFoundError|ImportError/.test(error.message);
    return new NativeUnavailable(
      missing
        ? `${interpreter} cannot import ${what} (${error.message.slice(what.length + 2)}): choose an interpreter that has it`
        : `importing ${what} with ${interpreter} failed: ${error.message.slice(what.length + 2)}`,
      command.setting,
    );
  }
  const where = error.form ? ` (${error.form === 'as-written' ? 'as written' : 'rewritten'})` : '';
  return new NativeFailure(error.code === 'memory' ? 'memory' : 'runtime', `${error.message}${where}`);
}
