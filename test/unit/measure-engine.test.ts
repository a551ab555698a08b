/**
 * The measurement engine end to end: models run in the runner child, outputs compared, CUDA
 * falling back to CPU, the memory guard, refusal when outputs disagree, cancellation and the
 * per-run timeout. No timing is asserted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bindShapes, parseEquation } from 'einsight-server/core/equation';
import type { Dim } from 'einsight-server/core/contraction';
import { measure, type MeasureProgress } from 'einsight-server/measure/measure';
import { MeasureError, problemFromContraction, type MeasureProblem } from 'einsight-server/measure/problem';

function problem(equation: string, shapes: Dim[][]): MeasureProblem {
  return problemFromContraction(bindShapes(parseEquation(equation), shapes));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !isAlive(pid);
}

/** About 2.7e11 FLOPs per as-written run: seconds each, so 1,000 runs would take many minutes. */
const LONG = () => problem('ij,jk,kl->il', [[3072, 3072], [3072, 3072], [3072, 3072]]);

describe('measure: results', () => {
  it('agrees on random data and reports both times, both FLOP counts and the chosen form', async () => {
    const progress: MeasureProgress[] = [];
    const report = await measure(problem('ij,jk,kl,l->i', [[64, 64], [64, 64], [64, 64], [64]]), {
      runs: 3,
      warmup: 1,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(report.agree, true);
    assert.ok(report.maxAbsDiff <= report.tolerance);
    assert.equal(report.asWritten.flops, 2n * 64n ** 3n * 2n + 2n * 64n * 64n);
    assert.equal(report.optimized.flops, 3n * 2n * 64n * 64n);
    assert.equal(report.predictedSpeedup, Number(report.asWritten.flops) / Number(report.optimized.flops));
    assert.deepEqual(report.candidates.map((c) => c.kind), ['einsum', 'matmul']);
    const fastest = [...report.candidates].sort((a, b) => a.timing.medianMs - b.timing.medianMs)[0];
    assert.equal(report.optimized.kind, fastest.kind);
    assert.equal(report.measuredSpeedup, report.asWritten.timing.medianMs / report.optimized.timing.medianMs);
    for (const v of [report.asWritten, ...report.candidates]) {
      assert.equal(v.timing.samplesMs.length, 3);
      assert.ok(v.timing.minMs <= v.timing.medianMs && v.timing.medianMs <= v.timing.p90Ms);
    }
    assert.deepEqual([...new Set(progress.map((p) => p.variant))], ['as-written', 'einsum', 'matmul']);
    assert.equal(progress.length, 3 * (1 + 1 + 3));
    assert.equal(progress[0].fraction, 0);
    assert.ok(progress.every((p, i) => i === 0 || p.fraction > progress[i - 1].fraction) && progress[progress.length - 1].fraction < 1);
  });

  it('refuses to call it a speedup when the outputs differ', async () => {
    // The written call multiplies by b transposed: a different contraction with the same shapes.
    const fused = bindShapes(parseEquation('ij,jk->ik'), [[8, 8], [8, 8]]);
    const written = bindShapes(parseEquation('ij,kj->ik'), [[8, 8], [8, 8]]);
    const report = await measure({ ...problemFromContraction(fused), calls: [{ contraction: written, operands: [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }] }] }, { runs: 2, warmup: 0 });
    assert.equal(report.agree, false);
    assert.equal(report.measuredSpeedup, null);
    assert.ok(report.maxAbsDiff > report.tolerance);
    assert.match(report.verdict, /^no speedup claimed: the optimized output differs/);
  });

  it('falls back to CPU with a message when the CUDA provider cannot load', async () => {
    const report = await measure(problem('ij,jk->ik', [[16, 8], [8, 4]]), { ep: 'cuda', runs: 1, warmup: 0 });
    assert.equal(report.ep.requested, 'cuda');
    if (report.ep.used === 'cuda') {
      assert.equal(report.ep.message, null);
    } else {
      assert.equal(report.ep.used, 'cpu');
      assert.match(report.ep.message ?? '', /^the CUDA execution provider is not available \(.+\); measured on CPU instead\./);
    }
    assert.equal(report.agree, true);
  });
});

describe('measure: refusals', () => {
  it('refuses inputs plus intermediates over the memory limit, saying what they need', async () => {
    // Inputs 2 × 4 MB; each of the three models allocates its 4 MB output (their sessions coexist) and
    // the Einsum nodes permuted copies of their 8 MB of operands; the 4 MB reference copy: 40 MB counted,
    // 2.1 × 40 + 48 = 132 MB expected at the peak (the calibration in measure/memory.ts).
    await assert.rejects(
      measure(problem('ij,jk->ik', [[1024, 1024], [1024, 1024]]), { maxMemoryMB: 100 }),
      (e: unknown) =>
        e instanceof MeasureError &&
        e.code === 'memory' &&
        e.message.startsWith(
          'measuring needs about 132 MB (inputs 8 MB, intermediates 28 MB, results 4 MB, and what onnxruntime allocates around them), over the 100 MB limit',
        ),
    );
  });

  it('names the sizes it needs when some are symbolic', async () => {
    await assert.rejects(
      measure(problem('ij,jk->ik', [['N', 4], [4, 'M']])),
      (e: unknown) => e instanceof MeasureError && e.code === 'missing-sizes' && e.missingDims.join() === 'N,M',
    );
  });

  it('rejects zero runs', async () => {
    await assert.rejects(measure(problem('ij,jk->ik', [[2, 2], [2, 2]]), { runs: 0 }), /runs must be a positive integer/);
  });
});

describe('measure: stopping', () => {
  it('cancels a run that would take minutes and kills the runner at once', async () => {
    const controller = new AbortController();
    let runner = 0;
    let cancelledAt = 0;
    const started = measure(LONG(), {
      runs: 1000,
      warmup: 0,
      signal: controller.signal,
      onSpawn: (pid) => (runner = pid),
      onProgress: (p) => {
        if (p.phase === 'run' && cancelledAt === 0) {
          cancelledAt = Date.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(started, (e: unknown) => e instanceof MeasureError && e.code === 'cancelled');
    assert.ok(Date.now() - cancelledAt < 2000, 'the promise settles as soon as it is cancelled');
    assert.ok(runner > 0);
    assert.ok(await waitUntilGone(runner, 2000), 'the runner process is gone');
  });

  it('stops a single run that exceeds the per-run timeout', async () => {
    let runner = 0;
    await assert.rejects(
      measure(LONG(), { runs: 5, warmup: 1, runTimeoutMs: 50, onSpawn: (pid) => (runner = pid) }),
      (e: unknown) => e instanceof MeasureError && e.code === 'timeout' && /^a warm-up run of model 1 took longer than 0\.05 s/.test(e.message),
    );
    assert.ok(await waitUntilGone(runner, 2000), 'the runner process is gone');
  });
});
