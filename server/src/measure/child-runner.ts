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
import { howItEnded, SupervisedChild, tookTooLong, type ChildLimits } from './supervised-child';

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

export interface RunnerOptions extends ChildLimits {
  onProgress?: (progress: RunnerProgress) => void;
  /** Data the runner may allocate for the measurement (MB), on top of its own; null: no cap. */
  capMB: number | null;
}

const RUNNER_SCRIPT = path.join(__dirname, 'runner.js');
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
    let provider: RunnerOutcome['provider'] = { used: job.ep, fallback: null };
    let memory: RunnerOutcome['memory'] = { baseRssMB: 0, peakRssMB: 0, capMB: null };
    const results: ModelResult[] = [];
    const supervised = new SupervisedChild(child, options, (error) => (error ? reject(error) : resolve({ provider, results, memory })));
    const finish = (error: Error | null) => supervised.finish(error);
    const arm = (phase: RunnerPhase, model: number) => {
      const limit = phase === 'load' ? options.loadTimeoutMs : options.runTimeoutMs;
      const what = phase === 'load' ? `loading model ${model + 1}` : `a ${phase === 'warmup' ? 'warm-up' : 'timed'} run of model ${model + 1}`;
      supervised.arm(limit, () => new MeasureError('timeout', tookTooLong(what, limit)));
    };

    child.on('message', (message: RunnerMessage) => {
      if (supervised.settled) return;
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
      const detail = supervised.stderr ? `:\n${supervised.stderr}` : '';
      finish(new MeasureError('runtime', `the measuring process ${howItEnded(code, signal)} before finishing${detail}`));
    });
    arm('load', 0);
    if (!supervised.settled) child.send({ type: 'job', job });
  });
}
