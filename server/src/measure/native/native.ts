/**
 * Measures a site in its own library with the user's interpreter: the call exactly as written
 * (its keyword arguments, the library's own path search or loop) against the form einsight's
 * quick fix writes, with seeded inputs of the site's shapes, agreement checked, times in turns
 * until the budget is spent. What cannot be measured says why in one line (and which setting
 * would help); the onnxruntime section is measured either way.
 */
import type { ContractionSite, FileAnalysis } from '../../analysis/model';
import { agreementTolerance, timingStats, type TimingStats } from '../stats';
import { guardMemory, nativeData, type MemoryCheck } from '../memory';
import { NativeUnavailable, unitOf } from './program';
import { pythonProgram, type PythonProgram } from './python-program';
import { pythonScript } from './python-script';
import { NativeFailure, PYTHON_SETTING, runPythonScript, type NumpyProbe, type ScriptForm, type ScriptProgress, type ScriptReady } from './python-run';

export interface NativeOptions {
  /** The Python interpreter (VS Code's selected one, `--python`), default `python3`. */
  python?: string;
  /** A dtype name, or null/undefined for the library's default. */
  dtype?: string | null;
  seed: number;
  warmup: number;
  budgetMs: number;
  maxMemoryMB: number;
  runTimeoutMs: number;
  loadTimeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: ScriptProgress) => void;
  onSpawn?: (pid: number) => void;
}

export const NATIVE_MIN_RUNS = 5;
export const NATIVE_MAX_RUNS = 10_000;

export interface NativeFormReport {
  /** The function the script timed (operands as parameters). */
  code: string;
  timing: TimingStats;
  outputShape: number[];
  outputDtype: string;
  /** numpy: how it ran the call, observed (path searches, the widest single loop). */
  numpy: NumpyProbe | null;
}

export interface NativeMeasured {
  status: 'measured';
  language: 'python';
  interpreter: string;
  executable: string;
  runtimeVersion: string;
  library: ScriptReady['library'];
  device: ScriptReady['device'];
  dtype: string;
  dtypeSource: 'library default' | 'requested';
  seed: number;
  warmup: number;
  minRuns: number;
  budgetMs: number;
  asWritten: NativeFormReport;
  rewritten: (NativeFormReport & { fixes: { code: string; title: string }[] }) | null;
  /** Why there is no rewritten form. */
  withheld: string | null;
  agreement: { agree: boolean; maxAbs: number; maxAbsDiff: number | null; tolerance: number; why: string | null } | null;
  /** as written median / rewritten median; null without a rewritten form or when they disagree. */
  measuredSpeedup: number | null;
  memory: MemoryCheck & { capMB: number | null; baseRssMB: number | null; peakRssMB: number | null };
}

export interface NativeNotMeasured {
  status: 'unavailable' | 'refused' | 'failed' | 'skipped';
  /** One line: why, and what would help. */
  reason: string;
  /** A setting that would fix it ("Open setting"), when one would. */
  setting: string | null;
}

export type NativeSection = NativeMeasured | NativeNotMeasured;

export interface NativeSite {
  analysis: FileAnalysis;
  text: string;
  site: ContractionSite;
  /** Shapes of the unit's leaf inputs, in the order of its fused contraction. */
  shapes: number[][];
}

const DEFAULT_BYTES: Record<PythonProgram['arrays'], number> = { numpy: 8, torch: 4, jax: 4, tensorflow: 4 };
const BYTES: Record<string, number> = { float16: 2, bfloat16: 2, float32: 4, float64: 8, complex64: 8, complex128: 16 };
const EPSILON: Record<string, number> = { float16: 2 ** -10, bfloat16: 2 ** -7, float32: 2 ** -23, float64: 2 ** -52, complex64: 2 ** -23, complex128: 2 ** -52 };

export function defaultPython(): string {
  return process.platform === 'win32' ? 'python' : 'python3';
}

export async function measureNative(target: NativeSite, options: NativeOptions): Promise<NativeSection> {
  const python = options.python || defaultPython();
  try {
    if (options.dtype && !(options.dtype in BYTES)) throw new NativeUnavailable(`unknown dtype '${options.dtype}' (${Object.keys(BYTES).join(', ')})`);
    const program = await pythonProgram(target.analysis, target.text, target.site, target.shapes);
    const bytes = options.dtype ? BYTES[options.dtype] : DEFAULT_BYTES[program.arrays];
    const memory = guardMemory('python', nativeData(unitOf(target.analysis, target.site), target.shapes, program.rewritten !== null, bytes), options.maxMemoryMB);
    if (memory.refusal) return { status: 'refused', reason: memory.refusal, setting: 'einsight.measure.maxMemoryMB' };
    const script = pythonScript(program, {
      seed: options.seed,
      dtype: options.dtype ?? null,
      warmup: options.warmup,
      minRuns: NATIVE_MIN_RUNS,
      maxRuns: NATIVE_MAX_RUNS,
      budgetMs: options.budgetMs,
      capMB: options.maxMemoryMB,
      allowCuda: true,
    });
    const { ready, result } = await runPythonScript(python, script, options);
    return report(target, program, ready, result, memory.check, python, options);
  } catch (error) {
    if (error instanceof NativeUnavailable) return { status: 'unavailable', reason: error.message, setting: error.setting };
    if (error instanceof NativeFailure) {
      const setting = error.code === 'memory' ? 'einsight.measure.maxMemoryMB' : error.code === 'timeout' ? 'einsight.measure.timeout' : null;
      const reason = error.code === 'memory' ? `ran out of memory (it may use ${options.maxMemoryMB} MB above what the interpreter itself takes: einsight.measure.maxMemoryMB): ${error.message}` : error.message;
      return { status: 'failed', reason, setting };
    }
    throw error;
  }
}

function report(
  target: NativeSite,
  program: PythonProgram,
  ready: ScriptReady,
  result: Awaited<ReturnType<typeof runPythonScript>>['result'],
  memory: MemoryCheck,
  python: string,
  options: NativeOptions,
): NativeMeasured {
  const form = (name: ScriptForm['form']) => result.forms.find((f) => f.form === name) as ScriptForm;
  const formReport = (f: ScriptForm, code: string): NativeFormReport => ({
    code,
    timing: timingStats(f.samplesMs),
    outputShape: f.outputShape,
    outputDtype: f.outputDtype,
    numpy: f.probe,
  });
  const asWritten = formReport(form('as-written'), program.asWritten);
  const rewritten =
    program.rewritten === null
      ? null
      : { ...formReport(form('rewritten'), [...program.setup, program.rewritten].join('\n')), fixes: program.fixes.map((f) => ({ code: f.code, title: f.title })) };
  const agreement = rewritten ? agreementOf(target, result.agreement, asWritten, rewritten, ready.dtype) : null;
  return {
    status: 'measured',
    language: 'python',
    interpreter: python,
    executable: ready.executable,
    runtimeVersion: ready.python,
    library: ready.library,
    device: ready.device,
    dtype: ready.dtype,
    dtypeSource: options.dtype ? 'requested' : 'library default',
    seed: options.seed,
    warmup: Math.max(1, options.warmup),
    minRuns: NATIVE_MIN_RUNS,
    budgetMs: options.budgetMs,
    asWritten,
    rewritten,
    withheld: program.withheld,
    agreement,
    measuredSpeedup: rewritten && agreement?.agree ? asWritten.timing.medianMs / rewritten.timing.medianMs : null,
    memory: { ...memory, capMB: ready.capMB, baseRssMB: ready.baseRssMB, peakRssMB: result.peakRssMB },
  };
}

/** Same shape, same dtype, values within the float tolerance of the dtype: otherwise no speedup is claimed. */
function agreementOf(
  target: NativeSite,
  measured: Awaited<ReturnType<typeof runPythonScript>>['result']['agreement'],
  asWritten: NativeFormReport,
  rewritten: NativeFormReport,
  dtype: string,
): NonNullable<NativeMeasured['agreement']> {
  const c = unitOf(target.analysis, target.site).chain?.fused?.contraction ?? target.site.contraction;
  const summed = c ? [...new Set(c.inputs.flat())].filter((l) => !c.output.includes(l)) : [];
  const terms = c ? summed.reduce((n, l) => n * c.sizes[l].value, 1) : 1;
  const maxAbs = measured?.maxAbs ?? 0;
  const epsilon = EPSILON[dtype] ?? 2 ** -23;
  const tolerance = agreementTolerance(maxAbs, terms, c?.inputs.length ?? 2, epsilon);
  const maxAbsDiff = measured?.maxAbsDiff ?? null;
  let why: string | null = null;
  if (!measured?.sameShape) why = `the rewritten result has shape [${rewritten.outputShape.join(', ')}], as written [${asWritten.outputShape.join(', ')}]`;
  else if (rewritten.outputDtype !== asWritten.outputDtype) why = `the rewritten result is ${rewritten.outputDtype}, as written ${asWritten.outputDtype}`;
  else if (measured.nonFinite) why = 'a result holds NaN or infinity';
  else if (maxAbsDiff === null || maxAbsDiff > tolerance) why = `the results differ by ${maxAbsDiff?.toExponential(2)}, beyond the ${dtype} tolerance ${tolerance.toExponential(2)}`;
  return { agree: why === null, maxAbs, maxAbsDiff, tolerance, why };
}

export { PYTHON_SETTING };
