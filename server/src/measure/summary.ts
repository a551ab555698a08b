/**
 * One story for a measurement: a headline that compares like with like — the site in its own
 * library, as written against the quick fix's form, beside what the finding predicted — and,
 * when measured and predicted differ by more than 3×, one sentence saying why.
 */
import type { FileAnalysis, Finding, RuleCode } from '../analysis/model';
import { formatSpeedup } from '../core/counts';
import type { MeasureReport } from './measure';
import type { NativeMeasured, NativeSection } from './native/native';
import { FINDING_ORDER, type MeasuredUnit } from './native/program';

export interface FindingSummary {
  code: RuleCode;
  message: string;
  /** What the finding's ratio counts; null when it predicts no ratio (a per-call path search). */
  predicts: 'FLOPs' | 'multiplications' | null;
  predictedSpeedup: number | null;
}


export function unitFinding(analysis: FileAnalysis, unit: MeasuredUnit): FindingSummary | null {
  const mine = (f: Finding) => unit.members.some((m) => m.id === f.site) || (unit.chain !== null && f.chain === unit.chain.id);
  const findings = analysis.findings.filter((f) => mine(f) && FINDING_ORDER.includes(f.code));
  findings.sort((a, b) => FINDING_ORDER.indexOf(a.code) - FINDING_ORDER.indexOf(b.code));
  const f = findings[0];
  if (!f) return null;
  const predicts = f.code === 'EIN005' ? 'multiplications' : f.code === 'EIN007' ? null : 'FLOPs';
  return { code: f.code, message: f.message, predicts, predictedSpeedup: predicts ? f.speedup : null };
}

/** `412 ms`, `7.90 ms`, `72.1 µs`, `1.73 s`. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  const us = ms * 1000;
  return us >= 100 ? `${us.toFixed(0)} µs` : us >= 10 ? `${us.toFixed(1)} µs` : `${us.toFixed(2)} µs`;
}

/** What the headline reads of an onnxruntime measurement. */
export type OnnxFigures = Pick<MeasureReport, 'measuredSpeedup' | 'predictedSpeedup' | 'verdict' | 'asWritten' | 'optimized'>;

export interface Story {
  headline: string;
  explanation: string | null;
}

function libraryName(native: NativeMeasured): string {
  const device = native.device.kind === 'cpu' ? '' : ` on ${native.device.kind.toUpperCase()}`;
  return `${native.library.name}${device}`;
}

/** `onnxruntime` is its figures, or why it was not measured. */
export function story(finding: FindingSummary | null, native: NativeSection | null, onnxruntime: OnnxFigures | { reason: string } | null): Story {
  const predicted = finding?.predictedSpeedup ?? null;
  const prediction = finding && predicted !== null ? `; the finding predicted ${formatSpeedup(predicted)} from ${finding.predicts}` : '';
  if (native?.status === 'measured') {
    const written = native.asWritten;
    const rewritten = native.rewritten?.timing ? `optimized: ${formatDuration(native.rewritten.timing.medianMs)}` : null;
    if (!written.timing) {
      // The library cannot run the call as written (tfjs and more than two operands, say).
      return { headline: `as written, ${libraryName(native)} cannot run it (${written.error})${rewritten ? `; ${rewritten}` : ''}`, explanation: null };
    }
    const asWritten = `as written in ${libraryName(native)}: ${formatDuration(written.timing.medianMs)}`;
    if (!native.rewritten) return { headline: `${asWritten}; ${native.withheld}`, explanation: null };
    if (native.measuredSpeedup === null) {
      return { headline: `${asWritten}; no speedup claimed: ${native.agreement?.why ?? 'the results differ'}`, explanation: null };
    }
    const headline = `${asWritten} → ${rewritten} (${formatSpeedup(native.measuredSpeedup)})${prediction}`;
    return { headline, explanation: predicted === null ? null : explainNative(native, native.measuredSpeedup, predicted) };
  }
  if (onnxruntime && 'asWritten' in onnxruntime) {
    const where = native ? ` (${native.status === 'unavailable' ? 'not measured in the library' : 'the library measurement failed'})` : '';
    if (onnxruntime.measuredSpeedup === null) return { headline: `on onnxruntime${where}: no speedup claimed: ${onnxruntime.verdict}`, explanation: null };
    const headline =
      `on onnxruntime${where}: as written ${formatDuration(onnxruntime.asWritten.timing.medianMs)} → optimized ` +
      `${formatDuration(onnxruntime.optimized.timing.medianMs)} (${formatSpeedup(onnxruntime.measuredSpeedup)}); ` +
      `${formatSpeedup(onnxruntime.predictedSpeedup)} predicted from onnxruntime's FLOPs`;
    return { headline, explanation: explainOnnxruntime(onnxruntime) };
  }
  const reasons = [
    ...(native && native.status !== 'skipped' ? [`in the library, ${native.reason}`] : []),
    ...(onnxruntime ? [`on onnxruntime, ${onnxruntime.reason}`] : []),
  ];
  return { headline: `nothing measured: ${reasons.join('; ') || 'nothing was asked for'}`, explanation: null };
}

const OVERHEAD_MS = 0.05;

function differsTooMuch(measured: number, predicted: number): boolean {
  return measured > predicted * 3 || measured * 3 < predicted;
}

function explainNative(native: NativeMeasured, measured: number, predicted: number): string | null {
  if (!differsTooMuch(measured, predicted) || !native.rewritten) return null;
  const written = native.asWritten;
  const loop = written.numpy && written.numpy.searches === 0 && written.numpy.mostOperandsInOneLoop >= 3;
  if (measured > predicted) {
    return loop
      ? `As written, numpy runs one loop over every index of all ${written.numpy?.mostOperandsInOneLoop} operands; the rewrite runs each step as a matrix product (BLAS), which does many more FLOPs per second, so time falls further than FLOPs.`
      : 'The rewritten steps run as matrix products (BLAS), which do more FLOPs per second than the form as written, so time falls further than FLOPs.';
  }
  if ((native.rewritten.timing?.medianMs ?? 0) < OVERHEAD_MS || (written.timing?.medianMs ?? 0) < 4 * OVERHEAD_MS) {
    return `At these sizes fixed costs dominate: each call into ${native.library.name} costs microseconds whatever its work, so a ${formatSpeedup(predicted)} cut in FLOPs shows as ${formatSpeedup(measured)}.`;
  }
  return 'The rewritten steps are limited by memory traffic, not arithmetic (matrix–vector products read each number once), while FLOPs price every multiply-add alike.';
}

function explainOnnxruntime(r: OnnxFigures): string | null {
  if (r.measuredSpeedup === null || !differsTooMuch(r.measuredSpeedup, r.predictedSpeedup)) return null;
  if (r.measuredSpeedup > r.predictedSpeedup) {
    return 'The optimized steps run as matrix products (MatMul), which do more FLOPs per second than the Einsum node as written.';
  }
  if (r.optimized.timing.medianMs < OVERHEAD_MS) {
    return `At these sizes fixed costs dominate: each onnxruntime run costs microseconds whatever its work, so a ${formatSpeedup(r.predictedSpeedup)} cut in FLOPs shows as ${formatSpeedup(r.measuredSpeedup)}.`;
  }
  return 'The optimized steps are limited by memory traffic, not arithmetic (matrix–vector products read each number once), while FLOPs price every multiply-add alike.';
}
