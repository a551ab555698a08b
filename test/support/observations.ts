/**
 * Recordings written by hand for analysis tests: what `einsight record` would have written for a
 * call in a given source text (position, call text, neighbouring lines' fingerprints).
 */
import type { ObservedShape, ObservedSite } from 'einsight-server/analysis/observed/format';
import { SourceLines } from 'einsight-server/analysis/observed/locate';
import type { FileObservations } from 'einsight-server/analysis/observed/store';

/** `[shapes, calls, timeNs?, equation?]` per recorded signature; shapes are the operands' shapes. */
export type Signature = [shapes: ((number | null)[] | null)[], calls: number, timeNs?: number, equation?: string | null];

/** The recording of the `occurrence`-th appearance of `callText` in `source`. */
export function recordOf(source: string, callText: string, signatures: Signature[], options: { callee?: string; occurrence?: number; equation?: string | null } = {}): ObservedSite {
  let start = -1;
  for (let k = 0; k <= (options.occurrence ?? 0); k++) start = source.indexOf(callText, start + 1);
  if (start < 0) throw new Error(`'${callText}' is not in the source`);
  const lines = new SourceLines(source);
  const from = lines.positionOf(start);
  const to = lines.positionOf(start + callText.length);
  const near = [from.line - 2, from.line - 1, to.line + 1, to.line + 2].map((line) => lines.fingerprint(line));
  const shapes: ObservedShape[] = signatures.map(([operands, calls, timeNs, equation]) => ({
    equation: equation === undefined ? (options.equation ?? equationIn(callText)) : equation,
    operands: operands.map((shape) => ({ shape, dtype: 'float64' })),
    calls,
    timeNs: timeNs ?? calls * 1000,
  }));
  return {
    callee: options.callee ?? 'numpy.einsum',
    line: from.line,
    column: from.column,
    endLine: to.line,
    endColumn: to.column,
    text: callText,
    near,
    calls: shapes.reduce((n, s) => n + s.calls, 0),
    timeNs: shapes.reduce((n, s) => n + s.timeNs, 0),
    shapes,
  };
}

/** The first string literal of a call: its equation, as the recorder would have seen it. */
function equationIn(callText: string): string | null {
  return /["']([^"']*)["']/.exec(callText)?.[1] ?? null;
}

export function observationsOf(sites: ObservedSite[], einsumTimeNs?: number, runs = 1): FileObservations {
  const total = einsumTimeNs ?? sites.filter((s) => !s.callee.includes('matmul')).reduce((n, s) => n + s.timeNs, 0);
  return { source: '/project/.einsight/observed.json', sites, einsumTimeNs: total, runs };
}
