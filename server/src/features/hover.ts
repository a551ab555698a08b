/**
 * Hover on an einsum call or its equation: the equation with its sizes and where each size came
 * from, naive / library baseline / best FLOPs, the largest intermediate, and the best plan step
 * by step. Everything is read from the analysis already made for this exact version.
 */
import type { Hover, Position } from 'vscode-languageserver';
import type { ContractionSite, CostSummary, FileAnalysis, ShapeSource } from '../analysis/model';
import type { Contraction } from '../core/contraction';
import { formatCount, formatSpeedup } from '../core/counts';
import { naiveCost } from '../core/cost';
import { formatEquation } from '../core/equation';
import { sizeProductPolynomial } from '../core/symbolic';
import type { AnalysisResult } from '../workspace/scheduler';
import type { UnitSnapshot } from '../workspace/snapshot';
import { inlineCode, markdownCell, shapeText, sizeText } from './format';
import { observedMarkdown } from './observed-hover';
import { siteAt } from './sites';

export function hover(result: AnalysisResult, uri: string, position: Position): Hover | null {
  const { analysis, snapshot } = result;
  const offset = snapshot.offsetAt(uri, position);
  if (!analysis || offset === null) return null;
  const site = siteAt(analysis, offset);
  if (!site) return null;
  const range = snapshot.rangeIn(uri, site.range);
  return {
    contents: { kind: 'markdown', value: siteMarkdown(site, analysis, snapshot, uri) },
    ...(range ? { range } : {}),
  };
}

export function siteMarkdown(site: ContractionSite, analysis: FileAnalysis, snapshot: UnitSnapshot, uri: string): string {
  const c = site.contraction;
  const equation = site.normalizedEquation ?? (c ? formatEquation(c) : site.equation.text);
  const title = `**${site.qualifiedName}**${equation ? ` ${inlineCode(equation)}` : ''}`;
  const recorded = observedMarkdown(site);
  if (!c) return [title, unboundReason(site), ...(recorded ? [recorded] : [])].join('\n\n');
  const parts = [title, `Result shape ${inlineCode(shapeText(c, c.output))}`, sizesTable(site, c, snapshot, uri), costTable(site, c)];
  const largest = largestIntermediate(site.best, c);
  if (largest) parts.push(largest);
  const standIns = symbolicStandIns(c);
  if (standIns) parts.push(standIns);
  if (site.best?.steps && site.best.steps.length > 0) parts.push(planTable(site.best, c));
  const chain = site.chain !== null ? analysis.chains.find((ch) => ch.id === site.chain) : undefined;
  if (chain?.fused) {
    const fused = chain.best ? ` — fused, the best order needs ${flopsText(chain.best, site.symbolic)} FLOPs` : '';
    parts.push(`Part of a chain of ${chain.members.length} calls: ${inlineCode(chain.fused.equation)}${fused}`);
  }
  if (recorded) parts.push(recorded);
  return parts.join('\n\n');
}

function unboundReason(site: ContractionSite): string {
  if (site.equation.dynamic) return 'The equation is computed at run time, so its cost is unknown.';
  const error = site.diagnostics.find((d) => d.severity === 'error');
  if (error) return error.message;
  return 'Operand shapes are unknown: add a shape hint (`# einsight: x[B, N, D]`) or set `einsight.dimensions`.';
}

function sizesTable(site: ContractionSite, c: Contraction, snapshot: UnitSnapshot, uri: string): string {
  const rows = ['| label | size | from |', '| --- | --- | --- |'];
  c.labels.forEach((label, id) => {
    const source = labelSource(site, c, id);
    rows.push(`| ${markdownCell(inlineCode(label))} | ${markdownCell(sizeText(c.sizes[id]))} | ${markdownCell(sourceText(source, snapshot, uri))} |`);
  });
  return rows.join('\n');
}

/** The source of a label's size: the first operand axis carrying it. */
function labelSource(site: ContractionSite, c: Contraction, label: number): ShapeSource | null {
  for (let k = 0; k < c.inputs.length; k++) {
    const axis = c.inputs[k].indexOf(label);
    const shape = site.operands[k]?.shape;
    if (axis < 0 || !shape) continue;
    return shape.dimSources.length === c.inputs[k].length ? shape.dimSources[axis] : shape.source;
  }
  return null;
}

function sourceText(source: ShapeSource | null, snapshot: UnitSnapshot, uri: string): string {
  if (!source || source.kind === 'unknown') return 'unknown (a stand-in size is used)';
  if (source.kind === 'dims') return `${inlineCode(source.detail)} in \`einsight.dimensions\``;
  if (source.kind === 'observed') return source.detail;
  const location = source.range ? snapshot.locate(source.range) : null;
  if (!location) return inlineCode(source.detail);
  const line = location.range.start.line + 1;
  return `${inlineCode(source.detail)} (line ${line}${location.uri === uri ? '' : ' of another cell'})`;
}

function costTable(site: ContractionSite, c: Contraction): string {
  const symbolic = site.symbolic;
  const naive = naiveCost(c);
  const rows = ['| | FLOPs |', '| --- | --- |'];
  rows.push(`| naive (one loop over every index) | ${symbolic ? inlineCode(naive.flopsPolynomial.toString()) : formatCount(naive.flops)} |`);
  if (site.baseline) {
    rows.push(`| ${markdownCell(`as written: ${site.baseline.description}`)} | ${flopsText(site.baseline, symbolic)} |`);
  }
  if (site.best) {
    const speedup = site.speedup !== null && site.speedup > 1 ? ` (${formatSpeedup(site.speedup)} fewer)` : '';
    rows.push(`| best order (${site.best.optimizer}) | ${flopsText(site.best, symbolic)}${speedup} |`);
  }
  return rows.join('\n');
}

function flopsText(cost: CostSummary, symbolic: boolean): string {
  return symbolic ? `${inlineCode(cost.flopsExpression)} — ${markdownCell(cost.scaling)}` : formatCount(cost.flops);
}

/** The largest result of any step of the best order, with its shape. */
function largestIntermediate(best: CostSummary | null, c: Contraction): string | null {
  if (!best?.steps || best.steps.length === 0) return null;
  const step = best.steps.reduce((max, s) => (s.resultSize > max.resultSize ? s : max));
  const shape = inlineCode(shapeText(c, step.result));
  const symbolic = step.result.some((l) => c.sizes[l].symbol !== null);
  const count = symbolic ? inlineCode(sizeProductPolynomial(c.sizes, step.result).toString()) : formatCount(step.resultSize);
  return `Largest intermediate: ${count} elements ${shape}`;
}

/** Symbolic sizes still need numbers to compare orders: say which stand-ins were used. */
function symbolicStandIns(c: Contraction): string | null {
  const symbols = new Map<string, number>();
  for (const size of c.sizes) if (size.symbol !== null) symbols.set(size.symbol, size.value);
  if (symbols.size === 0) return null;
  const list = [...symbols].map(([name, value]) => `${inlineCode(name)} as ${value}`).join(', ');
  return `Orders are compared with ${list}; set real sizes in \`einsight.dimensions\` or a \`# einsight: ${[...symbols.keys()][0]}=…\` hint.`;
}

function planTable(best: CostSummary, c: Contraction): string {
  const rows = ['| step | equation | result shape | FLOPs | BLAS |', '| --- | --- | --- | --- | --- |'];
  const symbolic = c.sizes.some((s) => s.symbol !== null);
  best.steps!.forEach((step, i) => {
    const flops = symbolic ? inlineCode(step.flopsPolynomial.toString()) : formatCount(step.flops);
    rows.push(`| ${i + 1} | ${markdownCell(inlineCode(step.equation))} | ${markdownCell(inlineCode(shapeText(c, step.result)))} | ${markdownCell(flops)} | ${step.blas} |`);
  });
  return rows.join('\n');
}
