/**
 * Measures a contraction as written against its optimized form on onnxruntime: builds the
 * models, refuses what would not fit in memory, runs them in a child process and turns the
 * samples into a report. A speedup is only claimed when the outputs agree.
 */
import { formatSpeedup } from '../core/counts';
import { formatEquation } from '../core/equation';
import { toPathProblem } from '../core/cost';
import { optimizePath } from '../core/paths/index';
import type { LinearPath, OptimizerName } from '../core/paths/types';
import { runInChild, type RunnerOutcome, type RunnerProgress } from './child-runner';
import { elementCount } from './graph-builder';
import { guardMemory, type MemoryCheck } from './memory';
import { MeasureError, checkProblem, inputShapes, type MeasureProblem } from './problem';
import type { ExecutionProvider, RunnerPhase } from './protocol';
import { agreementTolerance, timingStats, type TimingStats } from './stats';
import { buildAsWritten, buildOptimized, type ModelVariant, type VariantKind } from './variants';

export const MEASURE_DEFAULTS = {
  runs: 10,
  warmup: 2,
  seed: 0,
  ep: 'cpu' as ExecutionProvider,
  maxMemoryMB: 2048,
  runTimeoutMs: 60_000,
  loadTimeoutMs: 60_000,
  optimizer: 'auto-hq' as OptimizerName,
};

export interface MeasureProgress {
  variant: VariantKind;
  phase: RunnerPhase;
  index: number;
  total: number;
  /** Share of all steps (loads, warm-ups and runs of every model) started so far, 0..1. */
  fraction: number;
}

export interface MeasureOptions {
  runs?: number;
  warmup?: number;
  seed?: number;
  ep?: ExecutionProvider;
  /** Refuse when inputs plus everything the models allocate would exceed this (default 2048). */
  maxMemoryMB?: number;
  /** What the runner may allocate beyond its own needs; by default maxMemoryMB (tests lower it). */
  capMB?: number | null;
  runTimeoutMs?: number;
  loadTimeoutMs?: number;
  /** Searches the optimized path when the problem brings none (default auto-hq). */
  optimizer?: OptimizerName;
  signal?: AbortSignal;
  onProgress?: (progress: MeasureProgress) => void;
  onSpawn?: (pid: number) => void;
}

export interface MemoryReport extends MemoryCheck {
  /** What the runner may allocate beyond its own needs (Linux); null where the OS gives no cap. */
  capMB: number | null;
  /** The runner's resident memory before the inputs, and at its peak. */
  baseRssMB: number;
  peakRssMB: number;
}

export interface MeasuredVariant {
  kind: VariantKind;
  description: string;
  nodes: string[];
  flops: bigint;
  scalarMultiplies: bigint;
  timing: TimingStats;
  /** Largest |difference| from the as-written output (0 for as written itself). */
  maxAbsDiff: number;
  agrees: boolean;
}

export interface MeasureReport {
  title: string;
  /** The whole computation as one explicit equation. */
  equation: string;
  sizes: Record<string, number>;
  inputShapes: number[][];
  path: LinearPath;
  optimizer: OptimizerName | 'given';
  ep: { requested: ExecutionProvider; used: ExecutionProvider; message: string | null };
  runs: number;
  warmup: number;
  seed: number;
  memory: MemoryReport;
  asWritten: MeasuredVariant;
  /** The faster optimized variant whose output agrees (the Einsum one when none agrees). */
  optimized: MeasuredVariant;
  /** Every optimized variant measured: Einsum nodes, and MatMul lowering when some step is GEMM-like. */
  candidates: MeasuredVariant[];
  /** as-written FLOPs / optimized FLOPs. */
  predictedSpeedup: number;
  /** as-written median / optimized median; null when the outputs disagree. */
  measuredSpeedup: number | null;
  agree: boolean;
  maxAbsDiff: number;
  tolerance: number;
  verdict: string;
}

const BYTES_PER_ELEMENT = 4;

export async function measure(problem: MeasureProblem, options: MeasureOptions = {}): Promise<MeasureReport> {
  const settings = { ...MEASURE_DEFAULTS, ...definedOnly(options) };
  checkSettings(settings);
  checkProblem(problem);
  const searched = problem.path ? null : optimizePath(toPathProblem(problem.fused), { optimizer: settings.optimizer });
  const path = searched?.path ?? (problem.path as LinearPath);
  const variants = [buildAsWritten(problem), buildOptimized(problem, path, false)];
  const lowered = buildOptimized(problem, path, true);
  if (lowered.loweredSteps > 0) variants.push(lowered);
  const memory = guardMemory('onnxruntime', dataOf(problem, variants), settings.maxMemoryMB);
  if (memory.refusal) throw new MeasureError('memory', memory.refusal);
  const outcome = await runInChild(
    { models: variants.map((v) => v.model), inputShapes: inputShapes(problem), seed: settings.seed, warmup: settings.warmup, runs: settings.runs, ep: settings.ep },
    {
      runTimeoutMs: settings.runTimeoutMs,
      loadTimeoutMs: settings.loadTimeoutMs,
      signal: options.signal,
      onSpawn: options.onSpawn,
      capMB: options.capMB === undefined ? settings.maxMemoryMB : options.capMB,
      onProgress: options.onProgress && ((p: RunnerProgress) => options.onProgress?.(progressOf(p, variants, settings))),
    },
  );
  return report(problem, path, searched?.optimizer ?? problem.optimizer ?? 'given', variants, outcome, { ...memory.check, ...outcome.memory }, settings);
}

type Settings = typeof MEASURE_DEFAULTS;

function definedOnly(options: MeasureOptions): Partial<Settings> {
  const entries = Object.entries(options).filter(([key, value]) => value !== undefined && key in MEASURE_DEFAULTS);
  return Object.fromEntries(entries) as Partial<Settings>;
}

function checkSettings(s: Settings): void {
  const positiveInteger = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) throw new MeasureError('invalid', `${name} must be a positive integer (got ${value})`);
  };
  positiveInteger('runs', s.runs);
  if (!Number.isInteger(s.warmup) || s.warmup < 0) throw new MeasureError('invalid', `warmup must be a non-negative integer (got ${s.warmup})`);
  if (!(s.maxMemoryMB > 0)) throw new MeasureError('invalid', `the memory limit must be a positive number of MB (got ${s.maxMemoryMB})`);
  if (!(s.runTimeoutMs > 0) || !(s.loadTimeoutMs > 0)) throw new MeasureError('invalid', 'timeouts must be positive');
}

/** The runner loads every model, then runs one of each per round (see runner.ts). */
function progressOf(p: RunnerProgress, variants: ModelVariant[], s: Settings): MeasureProgress {
  const models = variants.length;
  const step =
    p.phase === 'load' ? p.model : p.phase === 'warmup' ? models * (1 + p.index) + p.model : models * (1 + s.warmup + p.index) + p.model;
  const fraction = step / (models * (1 + s.warmup + s.runs));
  return { variant: variants[p.model].kind, phase: p.phase, index: p.index, total: p.total, fraction };
}

/** Inputs, what the models allocate, and the outputs the comparison keeps (the reference copied). */
function dataOf(problem: MeasureProblem, variants: ModelVariant[]) {
  const inputs = inputShapes(problem).reduce((sum, shape) => sum + elementCount(shape), 0);
  // The models' sessions live side by side (their runs are interleaved), so their buffers add up.
  const intermediates = variants.reduce((sum, v) => sum + v.allocatedElements, 0);
  const output = elementCount(problem.fused.output.map((l) => problem.fused.sizes[l].value));
  return { inputs: inputs * BYTES_PER_ELEMENT, intermediates: intermediates * BYTES_PER_ELEMENT, outputs: output * BYTES_PER_ELEMENT };
}

function report(
  problem: MeasureProblem,
  path: LinearPath,
  optimizer: OptimizerName | 'given',
  variants: ModelVariant[],
  outcome: RunnerOutcome,
  memory: MemoryReport,
  settings: Settings,
): MeasureReport {
  const c = problem.fused;
  const reference = outcome.results[0];
  const termsPerOutput = elementCount([...new Set(c.inputs.flat())].filter((l) => !c.output.includes(l)).map((l) => c.sizes[l].value));
  const tolerance = agreementTolerance(reference.maxAbs, termsPerOutput, c.inputs.length);
  const measured = variants.map((v, i): MeasuredVariant => {
    const result = outcome.results[i];
    const maxAbsDiff = result.maxAbsDiff ?? 0;
    return {
      kind: v.kind,
      description: v.description,
      nodes: v.nodes,
      flops: v.flops,
      scalarMultiplies: v.scalarMultiplies,
      timing: timingStats(result.samplesMs),
      maxAbsDiff,
      agrees: !result.nonFinite && !reference.nonFinite && maxAbsDiff <= tolerance,
    };
  });
  const [asWritten, ...candidates] = measured;
  const agreeing = candidates.filter((v) => v.agrees).sort((x, y) => x.timing.medianMs - y.timing.medianMs);
  const optimized = agreeing[0] ?? candidates[0];
  const agree = agreeing.length > 0;
  const predictedSpeedup = Number(asWritten.flops) / Number(optimized.flops);
  const measuredSpeedup = agree ? asWritten.timing.medianMs / optimized.timing.medianMs : null;
  return {
    title: problem.title,
    equation: formatEquation(c),
    sizes: Object.fromEntries(c.labels.map((name, label) => [name, c.sizes[label].value])),
    inputShapes: inputShapes(problem),
    path,
    optimizer,
    ep: { requested: settings.ep, used: outcome.provider.used, message: outcome.provider.fallback },
    runs: settings.runs,
    warmup: settings.warmup,
    seed: settings.seed,
    memory,
    asWritten,
    optimized,
    candidates,
    predictedSpeedup,
    measuredSpeedup,
    agree,
    maxAbsDiff: optimized.maxAbsDiff,
    tolerance,
    verdict: verdict(asWritten, optimized, candidates, measuredSpeedup, predictedSpeedup, tolerance),
  };
}

function verdict(
  asWritten: MeasuredVariant,
  optimized: MeasuredVariant,
  candidates: MeasuredVariant[],
  measuredSpeedup: number | null,
  predictedSpeedup: number,
  tolerance: number,
): string {
  if (measuredSpeedup === null) {
    return (
      `no speedup claimed: the optimized output differs from the as-written one by ${optimized.maxAbsDiff.toExponential(2)}, ` +
      `beyond the float32 tolerance ${tolerance.toExponential(2)}`
    );
  }
  const faster = measuredSpeedup >= 1 ? `${formatSpeedup(measuredSpeedup)} faster` : `${formatSpeedup(1 / measuredSpeedup)} slower`;
  const which = candidates.length > 1 ? ` (${optimized.kind === 'matmul' ? 'MatMul lowering' : 'Einsum nodes'}, the faster optimized form)` : '';
  return `optimized${which} is ${faster} than as written (${round(asWritten.timing.medianMs)} ms → ${round(optimized.timing.medianMs)} ms median); FLOPs predicted ${formatSpeedup(predictedSpeedup)}`;
}

function round(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3);
}
