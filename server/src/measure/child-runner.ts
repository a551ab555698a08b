/**
 * The parent side of the runner child: sends the job, resets a timer at every step the child
 * announces (so each run has its own time limit), and kills the child on timeout or cancel.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { MeasureError } from './problem';
import { TELEMETRY_OFF, type ExecutionProvider, type RunnerJob, type RunnerMessage, type RunnerPhase } from './protocol';

export interface ModelResult {
  samplesMs: number[];
  outputShape: number[];
  maxAbs: number;
  maxAbsDiff: number | null;
  nonFinite: boolean;
}

export interface RunnerOutcome {
  provider: { used: ExecutionProvider; fallback: string | null };
  results: ModelResult[];
}

export interface RunnerProgress {
  model: number;
  phase: RunnerPhase;
  index: number;
  total: number;
}

export interface RunnerOptions {
  /** Longest a single warm-up or timed run may take. */
  runTimeoutMs: number;
  /** Longest loading one model may take. */
  loadTimeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: RunnerProgress) => void;
  /** Called with the child's pid once it is started (tests check that it is gone afterwards). */
  onSpawn?: (pid: number) => void;
}

const RUNNER_SCRIPT = path.join(__dirname, 'runner.js');
const STDERR_TAIL = 2000;

export function runInChild(job: RunnerJob, options: RunnerOptions): Promise<RunnerOutcome> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new MeasureError('cancelled', 'measurement cancelled'));
      return;
    }
    // execArgv: [] keeps the parent's flags (--test, --inspect) away from the runner.
    const child = fork(RUNNER_SCRIPT, [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      execArgv: [],
      env: { ...process.env, ...TELEMETRY_OFF },
    });
    let stderr = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let provider: RunnerOutcome['provider'] = { used: job.ep, fallback: null };
    const results: ModelResult[] = [];

    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve({ provider, results });
    };
    const onAbort = () => finish(new MeasureError('cancelled', 'measurement cancelled'));
    const arm = (phase: RunnerPhase, model: number) => {
      // Once settled, a late message must not start a timer that keeps this process alive.
      if (settled) return;
      clearTimeout(timer);
      const limit = phase === 'load' ? options.loadTimeoutMs : options.runTimeoutMs;
      timer = setTimeout(() => {
        const what = phase === 'load' ? `loading model ${model + 1}` : `a ${phase === 'warmup' ? 'warm-up' : 'timed'} run of model ${model + 1}`;
        finish(new MeasureError('timeout', `${what} took longer than ${limit / 1000} s; stopped it`));
      }, limit);
    };

    options.signal?.addEventListener('abort', onAbort);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    child.on('message', (message: RunnerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'provider':
          provider = { used: message.used, fallback: message.fallback };
          break;
        case 'progress':
          arm(message.phase, message.model);
          options.onProgress?.({ model: message.model, phase: message.phase, index: message.index, total: message.total });
          break;
        case 'result': {
          const { samplesMs, outputShape, maxAbs, maxAbsDiff, nonFinite } = message;
          results[message.model] = { samplesMs, outputShape, maxAbs, maxAbsDiff, nonFinite };
          break;
        }
        case 'done':
          finish(null);
          break;
        case 'error':
          finish(new MeasureError('runtime', `onnxruntime: ${message.message}`));
          break;
      }
    });
    child.on('error', (error) => finish(new MeasureError('runtime', `cannot start the measuring process: ${error.message}`)));
    // 'close' comes after the last IPC message, so a finished run has resolved by then.
    child.on('close', (code, signal) => {
      const how = signal ? `was killed (${signal}${signal === 'SIGKILL' ? ', perhaps out of memory' : ''})` : `exited with code ${code}`;
      const detail = stderr.trim() ? `:\n${stderr.trim()}` : '';
      finish(new MeasureError('runtime', `the measuring process ${how} before finishing${detail}`));
    });
    arm('load', 0);
    if (!settled) child.send({ type: 'job', job });
  });
}
