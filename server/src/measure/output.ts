/**
 * A whole measurement, as `einsight measure --json` prints it (docs/measure.schema.json): the
 * site in its own library (`native`), the same computation on onnxruntime (`onnxruntime`), and
 * the headline that compares like with like. Either section may be missing for a stated
 * reason; the other is measured regardless.
 */
import { formatEquation } from '../core/equation';
import { measure, type MeasureOptions, type MeasureProgress, type MeasureReport } from './measure';
import { measureNative, type NativeOptions, type NativeSection, type NativeSite } from './native/native';
import { unitOf } from './native/program';
import type { ScriptProgress } from './native/script-run';
import { MeasureError, checkProblem, inputShapes, type MeasureProblem } from './problem';
import { story, unitFinding, type FindingSummary } from './summary';

/** Where the measured contraction is in the source, when it came from a file. */
export interface MeasureSource {
  file: string;
  line: number;
  column: number;
  site: number;
  chain: number | null;
  /** What the library runs as the code stands, as the editor prices it (null when unknown). */
  baseline: { description: string; flops: bigint } | null;
}

type OnnxMeasured = { status: 'measured' } & Omit<MeasureReport, 'title' | 'equation' | 'sizes' | 'inputShapes'>;
export type OnnxSection = OnnxMeasured | { status: 'refused' | 'failed' | 'skipped'; reason: string; setting: string | null };

export interface MeasureOutput {
  title: string;
  equation: string;
  sizes: Record<string, number>;
  inputShapes: number[][];
  source: MeasureSource | null;
  /** The finding the headline answers, with what it predicted. */
  finding: FindingSummary | null;
  headline: string;
  /** Why measured and predicted differ, when by more than 3×. */
  explanation: string | null;
  native: NativeSection;
  onnxruntime: OnnxSection;
}

export interface MeasureRequest {
  problem: MeasureProblem;
  source: MeasureSource | null;
  /** The analysed site, for the native measurement; null with the reason there is none. */
  site: Omit<NativeSite, 'shapes'> | null;
  noSiteReason?: string;
}

export type AnyProgress =
  | ({ section: 'native'; fraction: number } & ScriptProgress)
  | ({ section: 'onnxruntime' } & MeasureProgress);

export interface MeasureAllOptions extends MeasureOptions {
  native?: boolean;
  onnxruntime?: boolean;
  python?: string;
  dtype?: string | null;
  budgetMs?: number;
  onAnyProgress?: (progress: AnyProgress) => void;
}

export const NATIVE_DEFAULTS = { budgetMs: 1000 };

export async function measureAll(request: MeasureRequest, options: MeasureAllOptions): Promise<MeasureOutput> {
  const { problem } = request;
  checkProblem(problem);
  const wantNative = options.native !== false;
  const wantOnnx = options.onnxruntime !== false;
  const nativeShare = wantNative && wantOnnx ? 0.5 : 1;
  const budgetMs = options.budgetMs ?? NATIVE_DEFAULTS.budgetMs;
  let native: NativeSection;
  if (!wantNative) native = { status: 'skipped', reason: 'not asked for (--no-native)', setting: null };
  else if (!request.site) native = { status: 'unavailable', reason: request.noSiteReason ?? 'no source to measure', setting: null };
  else {
    const nativeOptions: NativeOptions = {
      python: options.python,
      dtype: options.dtype,
      seed: options.seed ?? 0,
      warmup: options.warmup ?? 2,
      budgetMs,
      maxMemoryMB: options.maxMemoryMB ?? 2048,
      runTimeoutMs: options.runTimeoutMs ?? 60_000,
      loadTimeoutMs: options.loadTimeoutMs ?? 60_000,
      signal: options.signal,
      onSpawn: options.onSpawn,
      onProgress: (p) => options.onAnyProgress?.({ section: 'native', ...p, fraction: nativeShare * nativeFraction(p, budgetMs) }),
    };
    native = await measureNative({ ...request.site, shapes: inputShapes(problem) }, nativeOptions);
  }
  let onnxruntime: OnnxSection;
  if (!wantOnnx) onnxruntime = { status: 'skipped', reason: 'not asked for (--no-onnxruntime)', setting: null };
  else {
    const onProgress = (p: MeasureProgress) => options.onAnyProgress?.({ section: 'onnxruntime', ...p, fraction: 1 - nativeShare + nativeShare * p.fraction });
    onnxruntime = await onnxSection(problem, { ...options, onProgress });
  }
  const site = request.site;
  const finding = site ? unitFinding(site.analysis, unitOf(site.analysis, site.site)) : null;
  const { headline, explanation } = story(finding, native, onnxruntime.status === 'skipped' ? null : onnxruntime);
  const c = problem.fused;
  return {
    title: problem.title,
    equation: formatEquation(c),
    sizes: Object.fromEntries(c.labels.map((name, label) => [name, c.sizes[label].value])),
    inputShapes: inputShapes(problem),
    source: request.source,
    finding,
    headline,
    explanation,
    native,
    onnxruntime,
  };
}

/** The onnxruntime measurement; a refusal or failure of its own becomes the section's reason. */
async function onnxSection(problem: MeasureProblem, options: MeasureOptions): Promise<OnnxSection> {
  try {
    const { title: _title, equation: _equation, sizes: _sizes, inputShapes: _shapes, ...report } = await measure(problem, options);
    return { status: 'measured', ...report };
  } catch (error) {
    if (!(error instanceof MeasureError) || error.code === 'cancelled' || error.code === 'invalid' || error.code === 'missing-sizes') throw error;
    const setting = error.code === 'memory' ? 'einsight.measure.maxMemoryMB' : error.code === 'timeout' ? 'einsight.measure.timeout' : null;
    return { status: error.code === 'memory' ? 'refused' : 'failed', reason: error.message, setting };
  }
}

/** How far the native run is: the warm-ups, then runs until both the minimum and the budget are reached. */
function nativeFraction(p: ScriptProgress, budgetMs: number): number {
  if (p.phase === 'warmup') return 0.1;
  const byRuns = (p.index + 1) / 5;
  const byTime = (p.elapsedMs ?? 0) / budgetMs;
  return Math.min(0.99, 0.1 + 0.9 * Math.min(byRuns, Math.max(byTime, 0)));
}
