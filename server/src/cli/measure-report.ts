/** The text and JSON forms of `einsight measure` (the extension shows both: Output channel and webview). */
import type { MeasureReport, MeasuredVariant } from '../measure/measure';
import { formatMB } from '../measure/measure';
import { formatCount, formatSpeedup } from '../core/counts';

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

const LABELS: Record<MeasuredVariant['kind'], string> = {
  'as-written': 'as written',
  einsum: 'optimized, Einsum',
  matmul: 'optimized, MatMul',
};

export function measureReportText(r: MeasureReport, source: MeasureSource | null): string {
  const where = source ? `  (${source.file}:${source.line}:${source.column}, site ${source.site}${source.chain === null ? '' : `, chain ${source.chain}`})` : '';
  const shapes = r.inputShapes.map((s) => s.join('x') || 'scalar').join(', ');
  const rows = [r.asWritten, ...r.candidates].map((v) => {
    const mark = v === r.optimized && r.candidates.length > 1 ? ' *' : '';
    const t = v.timing;
    return `  ${`${LABELS[v.kind]}${mark}`.padEnd(20)}${ms(t.medianMs)}${ms(t.minMs)}${ms(t.p90Ms)}  ${formatCount(v.flops).padStart(9)}   ${v.description}`;
  });
  const provider = r.ep.message ? `${r.ep.used} (asked for ${r.ep.requested}: ${r.ep.message})` : r.ep.used;
  const agreement = r.agree
    ? `agree: max |diff| ${r.maxAbsDiff.toExponential(2)} <= tolerance ${r.tolerance.toExponential(2)}`
    : `DISAGREE: max |diff| ${r.maxAbsDiff.toExponential(2)} > tolerance ${r.tolerance.toExponential(2)}`;
  const measured = r.measuredSpeedup === null ? 'none claimed (outputs disagree)' : `${formatSpeedup(r.measuredSpeedup)} measured (median)`;
  return [
    `einsight measure: ${r.title}${where}`,
    `  equation        ${r.equation}`,
    `  sizes           ${Object.entries(r.sizes).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `  inputs          ${shapes}  (float32, uniform [-1, 1), seed ${r.seed})`,
    `  provider        ${provider}`,
    `  runs            ${r.warmup} warm-up + ${r.runs} timed, each model`,
    `  path            ${JSON.stringify(r.path)} (${r.optimizer})`,
    '',
    `  ${'model'.padEnd(20)}${'median'.padStart(12)}${'min'.padStart(12)}${'p90'.padStart(12)}  ${'FLOPs'.padStart(9)}`,
    ...rows,
    '',
    `  outputs         ${agreement}`,
    `  speedup         ${measured}; ${formatSpeedup(r.predictedSpeedup)} predicted from FLOPs`,
    ...(source?.baseline ? [`  library         ${source.baseline.description}: ${formatCount(source.baseline.flops)} FLOPs as written`] : []),
    `  memory          ${formatMB(r.memory.neededMB)} needed, limit ${formatMB(r.memory.limitMB)}`,
    `  => ${r.verdict}`,
  ].join('\n');
}

/** Everything in the report, plus where it came from and its text form (for an Output channel). */
export function measureReportJson(r: MeasureReport, source: MeasureSource | null): Record<string, unknown> {
  return { ...r, source, text: measureReportText(r, source) };
}

function ms(x: number): string {
  const digits = x >= 100 ? 1 : x >= 1 ? 3 : 4;
  return `${x.toFixed(digits)} ms`.padStart(12);
}
