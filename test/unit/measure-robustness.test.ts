/**
 * The safety rails of `measure` under a contraction that would otherwise run for an hour
 * (three 3072×3072 matrices, 1,000 runs of about a second each): cancellation at every stage
 * (before the runner starts, while it loads, inside one blocking run; by AbortSignal, SIGINT
 * and SIGTERM), the per-run and per-load time limits, and the memory guard, which refuses
 * before a runner starts or an input is allocated. Each time, the runner is looked up by pid
 * afterwards and must be gone. The bounds of "at once" (2 s) are against the minutes the work
 * would otherwise take.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Dim } from 'einsight-server/core/contraction';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import { measure, type MeasureOptions } from 'einsight-server/measure/measure';
import { MeasureError, problemFromContraction, type MeasureProblem } from 'einsight-server/measure/problem';
import { REPO_ROOT } from '../support/oracle';

const CLI = join(REPO_ROOT, 'server', 'out', 'cli', 'main.js');
const LONG_ARGS = ['--equation', 'ij,jk,kl->il', '--shapes', '3072x3072,3072x3072,3072x3072', '--runs', '1000', '--warmup', '0'];
const PROMPTLY_MS = 2000;

function problem(equation: string, shapes: Dim[][]): MeasureProblem {
  return problemFromContraction(bindShapes(parseEquation(equation), shapes));
}

const LONG = () => problem('ij,jk,kl->il', [[3072, 3072], [3072, 3072], [3072, 3072]]);

/** Whether a process runs, by the process list: a zombie (killed, not yet reaped) does not. */
function running(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

async function gone(pid: number, ms = PROMPTLY_MS): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

function childrenOf(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  return table
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number))
    .filter(([, parent]) => parent === pid)
    .map(([child]) => child);
}

/**
 * Measures LONG, calling `cancel` at `when` (the runner's start, or the start of the first
 * timed run); resolves with the error, the runner's pid and how long settling took after `cancel`.
 */
async function cancelLong(when: 'spawn' | 'run', cancel: (controller: AbortController) => void, options: MeasureOptions = {}) {
  const controller = new AbortController();
  let runner = 0;
  let cancelledAt = 0;
  const stop = () => {
    if (cancelledAt > 0) return;
    cancelledAt = performance.now();
    cancel(controller);
  };
  const error = await measure(LONG(), {
    runs: 1000,
    warmup: 0,
    signal: controller.signal,
    ...options,
    onSpawn: (pid) => {
      runner = pid;
      if (when === 'spawn') stop();
    },
    onProgress: (p) => {
      // A little after the run began: the runner is blocked inside onnxruntime's Session.run.
      if (when === 'run' && p.phase === 'run') setTimeout(stop, 300);
    },
  }).then(
    () => null,
    (e: unknown) => e,
  );
  return { error, runner, settledMs: performance.now() - cancelledAt };
}

describe('measure robustness: cancellation by AbortSignal', () => {
  it('a measurement cancelled before it starts starts no runner', async () => {
    const controller = new AbortController();
    controller.abort();
    let spawned = false;
    await assert.rejects(
      measure(LONG(), { signal: controller.signal, onSpawn: () => (spawned = true) }),
      (e: unknown) => e instanceof MeasureError && e.code === 'cancelled',
    );
    assert.equal(spawned, false);
  });

  it('cancelled as the runner starts: settles at once, runner gone, no timer left behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const { error, runner, settledMs } = await cancelLong('spawn', (c) => c.abort());
    assert.ok(error instanceof MeasureError && error.code === 'cancelled', String(error));
    assert.ok(settledMs < PROMPTLY_MS, `settled ${settledMs.toFixed(0)} ms after the cancel`);
    assert.ok(runner > 0 && (await gone(runner)), 'the runner is gone');
    // A load timer armed after the cancel kept a cancelled CLI alive for its 60 s.
    assert.equal(timers(), before);
  });

  it('cancelled inside one blocking run of an hour-long measurement: settles at once, runner gone', async () => {
    const { error, runner, settledMs } = await cancelLong('run', (c) => c.abort());
    assert.ok(error instanceof MeasureError && error.code === 'cancelled', String(error));
    assert.equal(error.message, 'measurement cancelled');
    assert.ok(settledMs < PROMPTLY_MS, `settled ${settledMs.toFixed(0)} ms after the cancel`);
    assert.ok(await gone(runner), 'the runner is gone');
  });
});

describe('measure robustness: time limits', () => {
  it('a model that loads past the load limit is stopped, saying which', async () => {
    let runner = 0;
    await assert.rejects(
      measure(LONG(), { runs: 1000, loadTimeoutMs: 1, onSpawn: (pid) => (runner = pid) }),
      (e: unknown) => e instanceof MeasureError && e.code === 'timeout' && e.message === 'loading model 1 took longer than 0.001 s; stopped it',
    );
    assert.ok(await gone(runner), 'the runner is gone');
  });

  it('--timeout stops a run that takes longer, exits 3 with the reason, and leaves no runner', async () => {
    const cli = spawn(process.execPath, [CLI, 'measure', ...LONG_ARGS, '--timeout', '0.2']);
    let stderr = '';
    let runner = 0;
    cli.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      runner ||= childrenOf(cli.pid as number)[0] ?? 0;
    });
    let stdout = '';
    cli.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    assert.equal(code, 3);
    assert.match(stdout, /\nonnxruntime: not measured: a timed run of model 1 took longer than 0\.2 s; stopped it\n?$/);
    assert.ok(runner > 0 && (await gone(runner)), 'the runner is gone');
  });

  it('in JSON, a timeout fails its section with the reason and the setting, and exit status 3', async () => {
    const cli = spawn(process.execPath, [CLI, 'measure', ...LONG_ARGS, '--timeout', '0.2', '--json']);
    let stdout = '';
    cli.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    assert.equal(code, 3);
    assert.deepEqual(JSON.parse(stdout).onnxruntime, {
      status: 'failed',
      reason: 'a timed run of model 1 took longer than 0.2 s; stopped it',
      setting: 'einsight.measure.timeout',
    });
  });
});

describe('measure robustness: the memory guard', () => {
  it('refuses before a runner starts or an input is allocated, naming the MB it needs', async () => {
    // Inputs 3 × 256 MB (2.5 GB with what the models allocate): allocating them would show here.
    const big = problem('ij,jk,kl->il', [[8192, 8192], [8192, 8192], [8192, 8192]]);
    let spawned = false;
    const before = process.memoryUsage().rss;
    await assert.rejects(
      measure(big, { maxMemoryMB: 1024, onSpawn: () => (spawned = true) }),
      (e: unknown) =>
        e instanceof MeasureError &&
        e.code === 'memory' &&
        /^measuring needs about [\d,]+ MB \(inputs 768 MB, intermediates [\d,]+ MB, results 256 MB, and what onnxruntime allocates around them\), over the 1,024 MB limit/.test(e.message),
    );
    assert.equal(spawned, false, 'no runner started');
    assert.ok(process.memoryUsage().rss - before < 128 * 1024 * 1024, 'nothing the size of an input was allocated');
  });

  it('caps the runner where the OS allows: an allocation beyond the cap fails as "out of memory"', { skip: process.platform !== 'linux' && 'RLIMIT_DATA is Linux' }, async () => {
    // The guard would let this run (it needs ~200 MB of the 2,048 MB limit); a cap of 8 MB above the
    // runner's own needs stands in for an estimate that fell short.
    let runner = 0;
    await assert.rejects(measure(problem('ij,jk->ik', [[2048, 2048], [2048, 2048]]), { runs: 1, warmup: 0, capMB: 8, onSpawn: (pid) => (runner = pid) }), (e: unknown) => {
      assert.ok(e instanceof MeasureError && e.code === 'memory', String(e));
      assert.match(e.message, /^onnxruntime ran out of memory \(the measurement may use 8 MB: einsight\.measure\.maxMemoryMB\): /);
      return true;
    });
    assert.ok(runner > 0 && (await gone(runner)), 'the runner is gone');
  });

  it('sizes far beyond any machine get finite numbers in the refusal', async () => {
    const huge = problem('ij,jk->ik', [[2 ** 40, 2 ** 40], [2 ** 40, 2 ** 40]]);
    await assert.rejects(measure(huge), (e: unknown) => {
      assert.ok(e instanceof MeasureError && e.code === 'memory', String(e));
      assert.doesNotMatch(e.message, /Infinity|NaN|e\+/);
      assert.match(e.message, /^measuring needs about [\d,]+ MB \(inputs [\d,]+ MB/);
      return true;
    });
  });
});

describe('measure robustness: cancelling the CLI', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} inside a timed run: exits 130 at once, runner gone`, async () => {
      const cli = spawn(process.execPath, [CLI, 'measure', ...LONG_ARGS, '--json']);
      let stdout = '';
      cli.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));
      await new Promise<void>((resolve) => {
        let buffered = '';
        cli.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          buffered += chunk;
          if (buffered.includes('"phase":"run"')) resolve();
        });
      });
      const [runner] = childrenOf(cli.pid as number);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sent = performance.now();
      cli.kill(signal);
      assert.equal(await exited, 130);
      const exitMs = performance.now() - sent;
      assert.ok(exitMs < PROMPTLY_MS, `exited ${exitMs.toFixed(0)} ms after ${signal}`);
      assert.equal(JSON.parse(stdout).error.code, 'cancelled');
      assert.ok(runner > 0 && (await gone(runner)), 'the runner is gone');
    });
  }
});
