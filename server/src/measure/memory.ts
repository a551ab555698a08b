/**
 * The memory guard: what a measurement will allocate, counted from the shapes, then scaled by
 * what measured peaks showed the runtimes really take (copies between steps, allocator
 * arenas, the library's own buffers); refused above the limit before anything starts. The
 * child process is also capped where the OS allows (see child-runner.ts, python-script.ts), so
 * an estimate that is still short ends in a clear "out of memory", not a machine that swaps.
 */
import type { ContractionSite } from '../analysis/model';
import type { MeasuredUnit } from './native/program';

export type MemoryRuntime = 'onnxruntime' | 'python';

/**
 * Peak resident memory of the measuring process above its own base ≈ factor × the count below
 * + fixedMB, fitted over the cases of `npm run bench:measure-memory` (BENCHMARKS.md, "Memory
 * guard"), which fails when a peak exceeds it. onnxruntime holds each input and output twice
 * (the JavaScript array and its own buffer) and keeps arenas; numpy and torch allocate about
 * what is counted, torch some working memory besides (its fixed part).
 */
export const CALIBRATION: Record<MemoryRuntime, { factor: number; fixedMB: number }> = {
  onnxruntime: { factor: 2.1, fixedMB: 48 },
  python: { factor: 1.1, fixedMB: 32 },
};

/** What the calibration expects the measuring process to take above its base. */
export function expectedPeakMB(runtime: MemoryRuntime, countedMB: number): number {
  const { factor, fixedMB } = CALIBRATION[runtime];
  return factor * countedMB + fixedMB;
}

export interface MemoryCheck {
  inputsMB: number;
  intermediatesMB: number;
  /** Results kept for the comparison. */
  outputMB: number;
  /** The sum of the three. */
  countedMB: number;
  /** The count scaled by the runtime's calibration: what the guard compares with the limit. */
  neededMB: number;
  limitMB: number;
}

const MB = 1024 * 1024;

export interface DataBytes {
  inputs: number;
  intermediates: number;
  outputs: number;
}

/** A measurement's data, and the refusal (naming its parts) when it would not fit. */
export function guardMemory(runtime: MemoryRuntime, data: DataBytes, limitMB: number): { check: MemoryCheck; refusal: string | null } {
  const countedMB = (data.inputs + data.intermediates + data.outputs) / MB;
  const check: MemoryCheck = {
    inputsMB: data.inputs / MB,
    intermediatesMB: data.intermediates / MB,
    outputMB: data.outputs / MB,
    countedMB,
    neededMB: expectedPeakMB(runtime, countedMB),
    limitMB,
  };
  const refusal =
    check.neededMB > limitMB
      ? `measuring needs about ${formatMB(check.neededMB)} (inputs ${formatMB(check.inputsMB)}, intermediates ` +
        `${formatMB(check.intermediatesMB)}, results ${formatMB(check.outputMB)}, and what ${runtime === 'python' ? 'the library' : 'onnxruntime'} ` +
        `allocates around them), over the ${formatMB(limitMB)} limit (einsight.measure.maxMemoryMB, --max-memory): use smaller sizes or raise the limit`
      : null;
  return { check, refusal };
}

export function formatMB(mb: number): string {
  return mb >= 10 ? `${Math.ceil(mb).toLocaleString('en-US')} MB` : `${(Math.ceil(mb * 100) / 100).toString()} MB`;
}

function elements(shape: readonly number[]): number {
  return shape.reduce((product, d) => product * d, 1);
}

/** Results of every pairwise step but the last (which is the output). */
function stepResults(steps: readonly { resultSize: bigint }[] | null | undefined): number {
  return (steps ?? []).slice(0, -1).reduce((sum, s) => sum + Number(s.resultSize), 0);
}

function outputElements(site: ContractionSite): number {
  const c = site.contraction;
  return c ? elements(c.output.map((l) => c.sizes[l].value)) : 0;
}

/**
 * A native measurement's data: the inputs; as written, every call's pairwise intermediates
 * (none for numpy's one loop) and the results of the calls feeding others; rewritten, the best
 * path's intermediates; the two results, and their float64 copies for the comparison.
 */
export function nativeData(unit: MeasuredUnit, shapes: readonly number[][], rewritten: boolean, bytesPerElement: number): DataBytes {
  const inputs = shapes.reduce((sum, shape) => sum + elements(shape), 0);
  const asWritten = unit.members.reduce((sum, m) => sum + stepResults(m.baseline?.steps) + (m === unit.root ? 0 : outputElements(m)), 0);
  const best = rewritten ? stepResults((unit.chain?.best ?? unit.root.best)?.steps) : 0;
  const output = outputElements(unit.root);
  const results = rewritten ? 2 : 1;
  return {
    inputs: inputs * bytesPerElement,
    intermediates: Math.max(asWritten, best) * bytesPerElement,
    outputs: output * results * (bytesPerElement + 8),
  };
}
