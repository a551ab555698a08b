/** The text and JSON forms of `einsight measure` (the extension reads the JSON and shows its own panel). */
import { formatCount, formatSpeedup } from '../core/counts';
import type { MeasuredVariant } from '../measure/measure';
import { formatMB } from '../measure/memory';
import type { NativeFormReport, NativeMeasured, NativeSection } from '../measure/native/native';
import type { NumpyProbe } from '../measure/native/script-run';
import type { MeasureOutput, OnnxSection } from '../measure/output';
import { formatDuration } from '../measure/summary';

const LABELS: Record<MeasuredVariant['kind'], string> = {
  'as-written': 'as written',
  einsum: 'optimized, Einsum',
  matmul: 'optimized, MatMul',
};

export function measureOutputText(r: MeasureOutput): string {
  const s = r.source;
  const where = s ? `  (${s.file}:${s.line}:${s.column}${s.chain === null ? '' : `, a chain of calls`})` : '';
  const shapes = r.inputShapes.map((shape) => shape.join('x') || 'scalar').join(', ');
  return [
    `einsight measure: ${r.title}${where}`,
    `  ${r.headline}`,
    ...(r.explanation ? [`  ${r.explanation}`] : []),
    '',
    `  equation        ${r.equation}`,
    `  sizes           ${Object.entries(r.sizes).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `  inputs          ${shapes}  (seeded uniform [-1, 1))`,
    ...(r.finding ? [`  finding         ${r.finding.code}: ${r.finding.message}`] : []),
    ...(s?.baseline ? [`  library         ${s.baseline.description}: ${formatCount(s.baseline.flops)} FLOPs as written`] : []),
    '',
    ...nativeText(r.native),
    '',
    ...onnxText(r.onnxruntime),
  ].join('\n');
}

/** Everything in the output, plus its text form. */
export function measureOutputJson(r: MeasureOutput): Record<string, unknown> {
  return { ...r, text: measureOutputText(r) };
}

function nativeText(n: NativeSection): string[] {
  if (n.status !== 'measured') {
    const help = n.setting === 'einsight.measure.python' ? ' (set einsight.measure.python in VS Code, or --python PATH)' : n.setting ? ` (${n.setting})` : '';
    return [`in the library: not measured: ${n.reason}${help}`];
  }
  const optEinsum = n.library.optEinsum ? `, opt_einsum ${n.library.optEinsum.available ? (n.library.optEinsum.enabled ? 'in use' : 'installed, disabled') : 'not installed: torch contracts left to right'}` : '';
  const device = n.device.kind === 'cpu' ? 'CPU' : `${n.device.kind.toUpperCase()} (${n.device.name})`;
  const rows = [row('as written', n.asWritten), ...(n.rewritten ? [row('optimized', n.rewritten)] : [])];
  const memory = n.memory;
  return [
    `${n.library.name} ${n.library.version}${n.library.backend ? ` (${n.library.backend} backend)` : ''}${optEinsum} — ${n.language === 'python' ? 'Python' : 'Node'} ${n.runtimeVersion} (${n.executable}), ${device}, ${n.dtype} (${n.dtypeSource})`,
    ...(n.device.message ? [`  device          ${n.device.message}`] : []),
    `  runs            ${n.warmup} warm-up, then in turns for ${formatDuration(n.budgetMs)} and at least ${n.minRuns} each`,
    '',
    `  ${'form'.padEnd(12)}${'median'.padStart(11)}${'min'.padStart(11)}${'p90'.padStart(11)}${'runs'.padStart(6)}   how it ran`,
    ...rows,
    '',
    ...(n.rewritten ? n.rewritten.fixes.map((f, i) => `  ${(i === 0 ? 'rewritten by' : '').padEnd(16)}${f.code}: ${f.title}`) : [`  not rewritten   ${n.withheld}`]),
    ...(n.agreement ? [`  outputs         ${agreementText(n)}`] : []),
    `  memory          ${formatMB(memory.neededMB)} needed of ${formatMB(memory.limitMB)}; peak ${memory.peakRssMB === null ? 'unknown' : formatMB(memory.peakRssMB)} resident${memory.capMB === null ? '' : `, capped at ${formatMB(memory.capMB)} above its imports`}`,
    ...(n.measuredSpeedup !== null ? [`  speedup         ${formatSpeedup(n.measuredSpeedup)} measured (median)`] : []),
  ];
}

function row(label: string, form: NativeFormReport): string {
  const t = form.timing;
  if (!t) return `  ${label.padEnd(12)}   cannot run: ${form.error}`;
  const cells = [t.medianMs, t.minMs, t.p90Ms].map((x) => formatDuration(x).padStart(11)).join('');
  return `  ${label.padEnd(12)}${cells}${String(t.samplesMs.length).padStart(6)}   ${form.numpy ? numpyText(form.numpy) : `result ${form.outputDtype} [${form.outputShape.join(', ')}]`}`;
}

/** How numpy ran a form, as observed. */
export function numpyText(p: NumpyProbe): string {
  const search = p.searches > 0 ? `searched a path ${p.searches === 1 ? 'once' : `${p.searches} times`} per call, ` : p.givenPaths > 0 ? 'followed the given path, ' : '';
  if (p.searches === 0 && p.givenPaths === 0 && p.loops === 1 && p.blasCalls === 0) return `numpy's one loop over all ${p.mostOperandsInOneLoop} operands (no path)`;
  const loops = p.loops > 0 ? [`${p.loops} einsum loop${p.loops === 1 ? '' : 's'}, the widest over ${p.mostOperandsInOneLoop} operand${p.mostOperandsInOneLoop === 1 ? '' : 's'}`] : [];
  const blas = p.blasCalls > 0 ? [`${p.blasCalls} BLAS call${p.blasCalls === 1 ? '' : 's'} (np.tensordot/np.matmul)`] : [];
  return `${search}${[...loops, ...blas].join(', ') || 'no einsum loop'}`;
}

function agreementText(n: NativeMeasured): string {
  const a = n.agreement!;
  const diff = a.maxAbsDiff === null ? 'n/a' : a.maxAbsDiff.toExponential(2);
  return a.agree
    ? `agree: max |diff| ${diff} <= tolerance ${a.tolerance.toExponential(2)} (same shape and dtype, ${n.asWritten.outputDtype})`
    : `DISAGREE: ${a.why}; no speedup claimed`;
}

function onnxText(o: OnnxSection): string[] {
  if (o.status !== 'measured') return [`onnxruntime: not measured: ${o.reason}`];
  const rows = [o.asWritten, ...o.candidates].map((v) => {
    const mark = v === o.optimized && o.candidates.length > 1 ? ' *' : '';
    const t = v.timing;
    return `  ${`${LABELS[v.kind]}${mark}`.padEnd(20)}${ms(t.medianMs)}${ms(t.minMs)}${ms(t.p90Ms)}  ${formatCount(v.flops).padStart(9)}   ${v.description}`;
  });
  const provider = o.ep.message ? `${o.ep.used} (asked for ${o.ep.requested}: ${o.ep.message})` : o.ep.used;
  const agreement = o.agree
    ? `agree: max |diff| ${o.maxAbsDiff.toExponential(2)} <= tolerance ${o.tolerance.toExponential(2)}`
    : `DISAGREE: max |diff| ${o.maxAbsDiff.toExponential(2)} > tolerance ${o.tolerance.toExponential(2)}`;
  const measured = o.measuredSpeedup === null ? 'none claimed (outputs disagree)' : `${formatSpeedup(o.measuredSpeedup)} measured (median)`;
  return [
    `onnxruntime — ${provider}, float32, seed ${o.seed}`,
    `  runs            ${o.warmup} warm-up + ${o.runs} timed, each model`,
    `  path            ${JSON.stringify(o.path)} (${o.optimizer})`,
    '',
    `  ${'model'.padEnd(20)}${'median'.padStart(12)}${'min'.padStart(12)}${'p90'.padStart(12)}  ${'FLOPs'.padStart(9)}`,
    ...rows,
    '',
    `  outputs         ${agreement}`,
    `  speedup         ${measured}; ${formatSpeedup(o.predictedSpeedup)} predicted from FLOPs (onnxruntime's Einsum as written contracts left to right)`,
    `  memory          ${formatMB(o.memory.neededMB)} needed of ${formatMB(o.memory.limitMB)}; peak ${formatMB(o.memory.peakRssMB)} resident${o.memory.capMB === null ? '' : `, data capped at ${formatMB(o.memory.capMB)}`}`,
    `  => ${o.verdict}`,
  ];
}

function ms(x: number): string {
  const digits = x >= 100 ? 1 : x >= 1 ? 3 : 4;
  return `${x.toFixed(digits)} ms`.padStart(12);
}
