/**
 * The runner child: loads the models in onnxruntime, warms up, times the runs and compares
 * outputs with the first model's. Session.run blocks this process's only JS thread, which is
 * why it lives in its own process: the parent times runs out and cancels by killing it.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { ort } from './onnxruntime';
import { inputName, type ExecutionProvider, type RunnerJob, type RunnerMessage } from './protocol';
import { seededInput } from './random';

const MB = 1024 * 1024;

/** The soft limit on this process's data (Linux: RLIMIT_DATA, set by the parent), in MB; null when there is none. */
function dataLimitMB(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max data size'));
    const soft = line?.slice('Max data size'.length).trim().split(/\s+/)[0];
    return soft && /^\d+$/.test(soft) ? Number(soft) / MB : null;
  } catch {
    return null;
  }
}

function send(message: RunnerMessage): void {
  process.send?.(message);
}

/**
 * While a run blocks the main thread, a killed parent goes unnoticed; this thread notices
 * (the parent pid is gone or we were re-parented) and ends the process.
 */
function watchParent(): void {
  const source = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      let alive = process.ppid === workerData.parent;
      if (alive) { try { process.kill(workerData.parent, 0); } catch { alive = false; } }
      if (!alive) process.kill(process.pid, 'SIGKILL');
    }, 250);`;
  new Worker(source, { eval: true, workerData: { parent: process.ppid } }).unref();
}

async function createSession(model: Uint8Array, ep: ExecutionProvider): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(model, { executionProviders: [ep] });
}

/** Opens the first session on the requested provider, falling back to CPU when CUDA cannot load. */
async function openFirst(model: Uint8Array, ep: ExecutionProvider): Promise<{ session: Ort.InferenceSession; used: ExecutionProvider }> {
  if (ep === 'cpu') {
    send({ type: 'provider', used: 'cpu', fallback: null });
    return { session: await createSession(model, 'cpu'), used: 'cpu' };
  }
  try {
    const session = await createSession(model, 'cuda');
    send({ type: 'provider', used: 'cuda', fallback: null });
    return { session, used: 'cuda' };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
    send({
      type: 'provider',
      used: 'cpu',
      fallback:
        `the CUDA execution provider is not available (${reason}); measured on CPU instead. ` +
        'onnxruntime-node fetches its CUDA libraries only when installed with --onnxruntime-node-install=cuda12, ' +
        'and they need CUDA 12 and cuDNN 9 on the machine.',
    });
    return { session: await createSession(model, 'cpu'), used: 'cpu' };
  }
}

function compare(output: Float32Array, reference: Float32Array | null) {
  let maxAbs = 0;
  let maxAbsDiff = 0;
  let nonFinite = false;
  for (let i = 0; i < output.length; i++) {
    const value = output[i];
    if (!Number.isFinite(value)) nonFinite = true;
    else if (Math.abs(value) > maxAbs) maxAbs = Math.abs(value);
    if (reference) {
      if (!Number.isFinite(reference[i])) nonFinite = true;
      const diff = Math.abs(value - reference[i]);
      if (diff > maxAbsDiff || Number.isNaN(diff)) maxAbsDiff = diff;
    }
  }
  return { maxAbs, maxAbsDiff: reference ? maxAbsDiff : null, nonFinite };
}

/**
 * Loads every model, then runs them in turns — warm-ups, then timed runs, one of each model per
 * round — so load from elsewhere on the machine hits all models alike and the ratio of their
 * medians stays fair. Each model's first output is compared with the reference and dropped.
 */
async function run(job: RunnerJob): Promise<void> {
  const baseRssMB = process.memoryUsage.rss() / MB;
  ort.env.logLevel = 'fatal';
  const feeds: Record<string, Ort.Tensor> = {};
  job.inputShapes.forEach((shape, index) => {
    const count = shape.reduce((product, d) => product * d, 1);
    feeds[inputName(index)] = new ort.Tensor('float32', seededInput(job.seed, index, count), shape);
  });
  send({ type: 'progress', model: 0, phase: 'load', index: 0, total: 1 });
  const first = await openFirst(job.models[0], job.ep);
  const sessions = [first.session];
  for (let model = 1; model < job.models.length; model++) {
    send({ type: 'progress', model, phase: 'load', index: 0, total: 1 });
    sessions.push(await createSession(job.models[model], first.used));
  }
  let reference: Float32Array | null = null;
  const verdicts: ReturnType<typeof compare>[] = [];
  const outputShapes: number[][] = [];
  const runOnce = async (model: number) => {
    const session = sessions[model];
    const started = process.hrtime.bigint();
    const output = (await session.run(feeds))[session.outputNames[0]];
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (verdicts[model] === undefined) {
      const data = output.data as Float32Array;
      verdicts[model] = compare(data, reference);
      outputShapes[model] = [...output.dims];
      // A copy: the output's memory may belong to its session.
      if (model === 0) reference = data.slice();
    }
    return ms;
  };
  for (let i = 0; i < job.warmup; i++) {
    for (let model = 0; model < sessions.length; model++) {
      send({ type: 'progress', model, phase: 'warmup', index: i, total: job.warmup });
      await runOnce(model);
    }
  }
  const samplesMs: number[][] = sessions.map(() => []);
  for (let i = 0; i < job.runs; i++) {
    for (let model = 0; model < sessions.length; model++) {
      send({ type: 'progress', model, phase: 'run', index: i, total: job.runs });
      samplesMs[model].push(await runOnce(model));
    }
  }
  for (let model = 0; model < sessions.length; model++) {
    send({ type: 'result', model, samplesMs: samplesMs[model], outputShape: outputShapes[model], ...verdicts[model] });
    await sessions[model].release();
  }
  send({ type: 'done', baseRssMB, peakRssMB: process.resourceUsage().maxRSS / 1024, capMB: dataLimitMB() });
}

watchParent();
process.once('message', (message: { type: string; job: RunnerJob }) => {
  run(message.job)
    .catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.disconnect());
});
