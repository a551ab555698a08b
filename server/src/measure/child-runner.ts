/**
 * The parent side of the runner child: sends the job, resets a timer at every step the child
 * announces (so each run has its own time limit), and kills the child on timeout or cancel.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { canCap, capped } from './cap';
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
  memory: { baseRssMB: number; peakRssMB: number; capMB: number | null };
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
  /** Data the runner may allocate for the measurement (MB), on top of its own; null: no cap. */
  capMB: number | null;
}

const RUNNER_SCRIPT = path.join(__dirname, 'runner.js');
const STDERR_TAIL = 2000;
const OUT_OF_MEMORY = /failed to allocate|allocation failed|bad_alloc|out of memory/i;
/** What the runner takes before any measurement: Node, onnxruntime, and a stack per thread of its pool. */
const RUNNER_OWN_MB = 256 + 8 * availableParallelism();

/** Forks the runner; capped (cap.ts) at its own needs plus `capMB`. */
function startRunner(capMB: number | null): ChildProcess {
  const options = { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[], serialization: 'advanced' as const, env: { ...process.env, ...TELEMETRY_OFF } };
  // execArgv: [] keeps the parent's flags (--test, --inspect) away from the runner.
  if (capMB === null || !canCap()) return fork(RUNNER_SCRIPT, [], { ...options, execArgv: [] });
  const { command, args } = capped(process.execPath, [RUNNER_SCRIPT], capMB + RUNNER_OWN_MB);
  return spawn(command, args, options);
}

export function runInChild(job: RunnerJob, options: RunnerOptions): Promise<RunnerOutcome> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new MeasureError('cancelled', 'measurement cancelled'));
      return;
    }
    const child = startRunner(options.capMB);
    let stderr = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let provider: RunnerOutcome['provider'] = { used: job.ep, fallback: null };
    let memory: RunnerOutcome['memory'] = { baseRssMB: 0, peakRssMB: 0, capMB: null };
    const results: ModelResult[] = [];

    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve({ provider, results, memory });
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
          memory = { baseRssMB: message.baseRssMB, peakRssMB: message.peakRssMB, capMB: message.capMB };
          finish(null);
          break;
        case 'error':
          finish(
            OUT_OF_MEMORY.test(message.message)
              ? new MeasureError('memory', `onnxruntime ran out of memory${options.capMB === null ? '' : ` (the measurement may use ${Math.round(options.capMB)} MB: einsight.measure.maxMemoryMB)`}: ${message.message.split('\n')[0]}`)
              : new MeasureError('runtime', `onnxruntime: ${message.message}`),
          );
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
