/**
 * Measures a site in its own library: Python sites with the user's interpreter (numpy, torch,
 * jax, tensorflow), tfjs sites with Node and the tfjs the workspace has. The call exactly as
 * written (its keyword arguments, the library's own path search or loop) runs against the form
 * einsight's quick fix writes, with seeded inputs of the site's shapes, agreement checked, times
 * in turns until the budget is spent. What cannot be measured says why in one line (and which
 * setting would help); the onnxruntime section is measured either way.
 */
import * as path from 'node:path';
import type { ContractionSite, FileAnalysis } from '../../analysis/model';
import { agreementTolerance, timingStats, type TimingStats } from '../stats';
import { guardMemory, nativeData, type MemoryCheck } from '../memory';
import { capped } from '../cap';
import { NativeUnavailable, unitOf, withheldReason, type NativeProgramParts } from './program';
import { pythonProgram } from './python-program';
import { pythonScript, type ScriptSettings } from './python-script';
import { NativeFailure, PYTHON_SETTING, pythonCommand, runScript, type NumpyProbe, type ScriptCommand, type ScriptForm, type ScriptProgress, type ScriptReady, type ScriptResult } from './script-run';
import { tfjsProgram } from './tfjs-program';
import { tfjsScript } from './tfjs-script';

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
  /** Why the library could not run this form at all (then there is no timing). */
  error: string | null;
  timing: TimingStats | null;
  outputShape: number[];
  outputDtype: string;
  /** numpy: how it ran the call, observed (path searches, the widest single loop). */
  numpy: NumpyProbe | null;
}

export interface NativeMeasured {
  status: 'measured';
  language: 'python' | 'javascript';
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
  /** The source file (tfjs is looked up from its folder); null for an unsaved buffer without one. */
  file: string | null;
  analysis: FileAnalysis;
  text: string;
  site: ContractionSite;
  /** Shapes of the unit's leaf inputs, in the order of its fused contraction. */
  shapes: number[][];
}

const BYTES: Record<string, number> = { float16: 2, bfloat16: 2, float32: 4, float64: 8 };
const EPSILON: Record<string, number> = { float16: 2 ** -10, bfloat16: 2 ** -7, float32: 2 ** -23, float64: 2 ** -52 };
/** What Node and tfjs take before a tfjs benchmark allocates anything (MB). */
const NODE_OWN_MB = 256;
const TFJS_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs'];

export function defaultPython(): string {
  return process.platform === 'win32' ? 'python' : 'python3';
}

/** A site ready to run: its forms, its interpreter and its script. */
interface Plan {
  language: NativeMeasured['language'];
  parts: NativeProgramParts;
  /** Bytes per element of the inputs, for the memory guard. */
  bytes: number;
  command: ScriptCommand;
  script: (settings: ScriptSettings) => string;
}

async function pythonPlan(target: NativeSite, options: NativeOptions): Promise<Plan> {
  if (options.python === 'none') throw new NativeUnavailable('--python none names no interpreter to measure with', PYTHON_SETTING);
  const parts = await pythonProgram(target.analysis, target.text, target.site, target.shapes);
  const bytes = options.dtype ? BYTES[options.dtype] : parts.arrays === 'numpy' ? 8 : 4;
  return { language: 'python', parts, bytes, command: pythonCommand(options.python || defaultPython()), script: (settings) => pythonScript(parts, settings) };
}

function tfjsPlan(target: NativeSite, options: NativeOptions): Plan {
  if (options.dtype && options.dtype !== 'float32') throw new NativeUnavailable(`tfjs measures in float32 only (asked for ${options.dtype})`);
  const module = workspaceTfjs(target.file);
  const parts = tfjsProgram(target.analysis, target.text, target.site, target.shapes);
  const start = capped(process.execPath, ['-'], options.maxMemoryMB + NODE_OWN_MB);
  const command: ScriptCommand = { interpreter: 'node', program: start.command, args: start.args, env: {}, setting: null };
  return { language: 'javascript', parts, bytes: 4, command, script: (settings) => tfjsScript(parts, module, { ...settings, capMB: settings.capMB === null ? null : options.maxMemoryMB }) };
}

/** The tfjs the file's workspace has installed: its native backend first. */
function workspaceTfjs(file: string | null): { path: string; name: string } {
  const folder = file ? path.dirname(path.resolve(file)) : process.cwd();
  for (const name of TFJS_PACKAGES) {
    try {
      return { path: require.resolve(name, { paths: [folder] }), name };
    } catch {
      // not installed there: try the next
    }
  }
  throw new NativeUnavailable(`no @tensorflow/tfjs is installed for ${folder} (npm install @tensorflow/tfjs, or @tensorflow/tfjs-node for its native backend)`);
}

export async function measureNative(target: NativeSite, options: NativeOptions): Promise<NativeSection> {
  try {
    if (options.dtype && !(options.dtype in BYTES)) throw new NativeUnavailable(`unknown dtype '${options.dtype}' (${Object.keys(BYTES).join(', ')})`);
    const plan = target.analysis.language === 'python' ? await pythonPlan(target, options) : tfjsPlan(target, options);
    const unit = unitOf(target.analysis, target.site);
    const memory = guardMemory('python', nativeData(unit, target.shapes, plan.parts.rewritten !== null, plan.bytes), options.maxMemoryMB);
    if (memory.refusal) return { status: 'refused', reason: memory.refusal, setting: 'einsight.measure.maxMemoryMB' };
    const script = plan.script({
      seed: options.seed,
      dtype: options.dtype ?? null,
      warmup: options.warmup,
      minRuns: NATIVE_MIN_RUNS,
      maxRuns: NATIVE_MAX_RUNS,
      budgetMs: options.budgetMs,
      capMB: options.maxMemoryMB,
      allowCuda: true,
    });
    const { ready, result } = await runScript(plan.command, script, options);
    return report(target, plan, ready, result, memory.check, options);
  } catch (error) {
    if (error instanceof NativeUnavailable) return { status: 'unavailable', reason: error.message, setting: error.setting };
    if (error instanceof NativeFailure) {
      const setting = error.code === 'memory' ? 'einsight.measure.maxMemoryMB' : error.code === 'timeout' ? 'einsight.measure.timeout' : null;
      const reason =
        error.code === 'memory'
          ? `ran out of memory (it may use ${options.maxMemoryMB} MB above what the interpreter itself takes: einsight.measure.maxMemoryMB): ${error.message}`
          : error.message;
      return { status: 'failed', reason, setting };
    }
    throw error;
  }
}

function report(target: NativeSite, plan: Plan, ready: ScriptReady, result: ScriptResult, memory: MemoryCheck, options: NativeOptions): NativeMeasured {
  const { parts } = plan;
  const formReport = (name: ScriptForm['form'], code: string): NativeFormReport => {
    const f = result.forms.find((form) => form.form === name) as ScriptForm;
    const ran = f.error === null;
    return { code, error: f.error, timing: ran ? timingStats(f.samplesMs) : null, outputShape: f.outputShape, outputDtype: f.outputDtype, numpy: f.probe };
  };
  const asWritten = formReport('as-written', parts.asWritten);
  const rewritten =
    parts.rewritten === null
      ? null
      : { ...formReport('rewritten', [...parts.setup, parts.rewritten].join('\n')), fixes: parts.fixes.map((f) => ({ code: f.code, title: f.title })) };
  const agreement = rewritten && !asWritten.error ? agreementOf(target, result.agreement, asWritten, rewritten, ready.dtype) : null;
  const bothTimed = asWritten.timing && rewritten?.timing;
  return {
    status: 'measured',
    language: plan.language,
    interpreter: plan.command.interpreter,
    executable: ready.executable,
    runtimeVersion: ready.runtimeVersion,
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
    withheld: parts.rewritten === null ? withheldReason(target.analysis, unitOf(target.analysis, target.site)) : null,
    agreement,
    measuredSpeedup: bothTimed && agreement?.agree ? asWritten.timing!.medianMs / rewritten!.timing!.medianMs : null,
    memory: { ...memory, capMB: ready.capMB, baseRssMB: ready.baseRssMB, peakRssMB: result.peakRssMB },
  };
}

/** Same shape, same dtype, values within the float tolerance of the dtype: otherwise no speedup is claimed. */
function agreementOf(
  target: NativeSite,
  measured: ScriptResult['agreement'],
  asWritten: NativeFormReport,
  rewritten: NativeFormReport,
  dtype: string,
): NonNullable<NativeMeasured['agreement']> {
  const c = unitOf(target.analysis, target.site).chain?.fused?.contraction ?? target.site.contraction;
  const summed = c ? [...new Set(c.inputs.flat())].filter((l) => !c.output.includes(l)) : [];
  const terms = c ? summed.reduce((n, l) => n * c.sizes[l].value, 1) : 1;
  const maxAbs = measured?.maxAbs ?? 0;
  const tolerance = agreementTolerance(maxAbs, terms, c?.inputs.length ?? 2, EPSILON[dtype] ?? EPSILON.float32);
  const maxAbsDiff = measured?.maxAbsDiff ?? null;
  let why: string | null = null;
  if (!measured?.sameShape) why = `the rewritten result has shape [${rewritten.outputShape.join(', ')}], as written [${asWritten.outputShape.join(', ')}]`;
  else if (rewritten.outputDtype !== asWritten.outputDtype) why = `the rewritten result is ${rewritten.outputDtype}, as written ${asWritten.outputDtype}`;
  else if (measured.nonFinite) why = 'a result holds NaN or infinity';
  else if (maxAbsDiff === null || maxAbsDiff > tolerance) why = `the results differ by ${maxAbsDiff?.toExponential(2)}, beyond the ${dtype} tolerance ${tolerance.toExponential(2)}`;
  return { agree: why === null, maxAbs, maxAbsDiff, tolerance, why };
}
