/**
 * From the analysis of a source file to what a measurement runs: the site at a line and
 * column, and its problem — the site alone, or the whole chain it belongs to (as written: its
 * calls feeding one another; optimized: the fused contraction).
 */
import { pathOfTree } from '../analysis/matmul';
import type { ChainInfo, ContractionSite, FileAnalysis, SourceRange } from '../analysis/model';
import { MeasureError, type MeasureProblem, type OperandSource, type ScalarFactor, type WrittenCall } from './problem';

/** UTF-16 offset of a 1-based line and column (columns count UTF-16 units, as editors do). */
function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) throw new MeasureError('invalid', `line ${line} is past the end of the file (${l} lines)`);
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const length = (end < 0 ? text.length : end) - start;
  if (column - 1 > length) throw new MeasureError('invalid', `column ${column} is past the end of line ${line} (${length} characters)`);
  return start + column - 1;
}

/**
 * The site at `line` (1-based): with a column, the innermost call containing that character;
 * without, the first call starting on the line, else the innermost one spanning it.
 */
export function siteAt(analysis: FileAnalysis, text: string, line: number, column?: number): ContractionSite {
  const contains = (r: SourceRange, offset: number) => r.start <= offset && offset <= r.end;
  const innermost = (sites: ContractionSite[]) =>
    sites.sort((a, b) => a.range.end - a.range.start - (b.range.end - b.range.start))[0] as ContractionSite | undefined;
  let found: ContractionSite | undefined;
  if (column !== undefined) {
    const offset = offsetOf(text, line, column);
    found = innermost(analysis.sites.filter((s) => contains(s.range, offset)));
  } else {
    const lineStart = offsetOf(text, line, 1);
    const nextLine = text.indexOf('\n', lineStart);
    const lineEnd = nextLine < 0 ? text.length : nextLine;
    const starting = analysis.sites.filter((s) => s.range.start >= lineStart && s.range.start <= lineEnd);
    found = starting.sort((a, b) => a.range.start - b.range.start)[0] ?? innermost(analysis.sites.filter((s) => contains(s.range, lineStart)));
  }
  if (!found) {
    const count = analysis.sites.length;
    throw new MeasureError('invalid', `no einsum call or matmul chain there (the file has ${count} site${count === 1 ? '' : 's'})`);
  }
  return found;
}

export function siteById(analysis: FileAnalysis, id: number): ContractionSite {
  const site = analysis.sites.find((s) => s.id === id);
  if (!site) throw new MeasureError('invalid', `no site ${id} in this file (sites: ${analysis.sites.map((s) => s.id).join(', ') || 'none'})`);
  return site;
}

/** The site's measurement: its whole chain when it is part of one that fuses, else the site. */
export function problemFromSite(analysis: FileAnalysis, site: ContractionSite): MeasureProblem {
  const chain = site.chain === null ? undefined : analysis.chains.find((c) => c.id === site.chain);
  if (chain?.fused) return chainProblem(analysis, chain);
  const c = contractionOf(site);
  const scalars = scalarsOf(site, (i) => ({ kind: 'input', index: i }), { kind: 'call', index: 0 });
  const operands: OperandSource[] = c.inputs.map((_, index) => ({ kind: 'input', index }));
  return {
    title: `${site.callee} ${site.normalizedEquation ?? ''}`.trim(),
    fused: c,
    calls: [{ contraction: c, operands }],
    scalars,
    writtenPath: site.kind === 'matmul-chain' && site.matmulTree !== null ? pathOfTree(site.matmulTree, c.inputs.length) : undefined,
    path: site.best?.path,
    optimizer: site.best?.optimizer,
  };
}

function chainProblem(analysis: FileAnalysis, chain: ChainInfo): MeasureProblem {
  const fused = chain.fused!;
  const members = chain.members.map((id) => siteById(analysis, id));
  const calls: WrittenCall[] = [];
  const scalars: ScalarFactor[] = [];
  members.forEach((site, k) => {
    const contraction = contractionOf(site);
    const operands = site.operands.map((operand, i): OperandSource => {
      const link = chain.links.find((l) => l.consumer === site.id && l.operand === i);
      if (link) return { kind: 'call', index: chain.members.indexOf(link.producer) };
      const leaf = fused.operands.findIndex((o) => o.range.start === operand.range.start && o.range.end === operand.range.end);
      if (leaf < 0) throw new MeasureError('invalid', `operand '${operand.text}' of a chained call is not among the chain's inputs`);
      return { kind: 'input', index: leaf };
    });
    calls.push({ contraction, operands });
    scalars.push(...scalarsOf(site, (i) => operands[i], { kind: 'call', index: k }));
  });
  return {
    title: `chain of ${members.length} calls, fused ${fused.equation}`,
    fused: fused.contraction,
    calls,
    scalars,
    path: chain.best?.path,
    optimizer: chain.best?.optimizer,
  };
}

function contractionOf(site: ContractionSite) {
  if (site.contraction) return site.contraction;
  const error = site.diagnostics.find((d) => d.severity === 'error');
  const why = error ? error.message : site.equation.dynamic ? 'its equation is only known at run time' : 'its shapes are not known';
  throw new MeasureError('invalid', `cannot measure ${site.callee}: ${why}`);
}

function scalarsOf(site: ContractionSite, operandSource: (index: number) => OperandSource, output: OperandSource): ScalarFactor[] {
  return (site.scalars?.factors ?? []).map((f) => ({
    value: f.value,
    operation: f.operation,
    on: f.appliedTo.kind === 'operand' ? operandSource(f.appliedTo.index) : output,
  }));
}
