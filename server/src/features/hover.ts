/**
 * Hover on a contraction or its equation, in the order a reader needs it: one line that says
 * what the call costs as written and with the best order (and the largest intermediate), then
 * the best plan step by step, then what the library does as written and where each size came
 * from. Short enough for a normal hover without scrolling at four operands. Everything is read
 * from the analysis already made for this exact version.
 */
import type { Hover, Position } from 'vscode-languageserver';
import type { ContractionSite, CostSummary, FileAnalysis, ShapeSource } from '../analysis/model';
import type { Contraction } from '../core/contraction';
import { formatCount, formatSpeedup } from '../core/counts';
import { formatEquation } from '../core/equation';
import { sizeProductPolynomial } from '../core/symbolic';
import { pathOfTree, treeText } from '../analysis/matmul';
import { batchClaim, twoDimensional } from '../analysis/batch-claim';
import { ANY_SIZE } from '../core/dominance';
import { ELLIPSIS_SIZE } from '../analysis/pricing';
import type { AnalysisResult } from '../workspace/scheduler';
import type { UnitSnapshot } from '../workspace/snapshot';
import { inlineCode, markdownCell, shapeText } from './format';
import { observedMarkdown } from './observed-hover';
import { siteAt } from './sites';
import { rewritesReady, siteFixes } from '../rewrite/index';
import { withheldReason } from './withheld';

/** A speedup below this reads as "already the best order". */
const NO_SAVING = 1.005;

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
  const title = `${titleOf(site, c)}${c ? ` → ${inlineCode(shapeText(c, c.output))}` : ''}`;
  const recorded = observedMarkdown(site);
  if (!c) return [title, unboundReason(site), ...(recorded ? [recorded] : [])].join('\n\n');
  const parts = [title, summary(site, c)];
  if (site.best?.steps && site.best.steps.length > 0) parts.push(planTable(site, site.best, c));
  const chain = site.chain !== null ? analysis.chains.find((ch) => ch.id === site.chain) : undefined;
  if (chain?.fused && !chain.blocked) {
    const fused = chain.best ? `; fused, the best order needs ${flopsText(chain.best, site.symbolic)} FLOPs` : '';
    parts.push(`Part of a chain of ${chain.members.length} calls: ${inlineCode(chain.fused.equation)}${fused}.`);
  }
  if (site.baseline) parts.push(`As written: ${site.baseline.description}.${runTimeNote(site)}`);
  const unknownRank = unknownRankNote(site);
  if (unknownRank) parts.push(unknownRank);
  const environment = environmentLine(site, analysis);
  if (environment) parts.push(environment);
  parts.push(sizesLine(site, c, snapshot, uri));
  if (site.unknownEllipsis) parts.push(ELLIPSIS_NOTE);
  const standIns = symbolicStandIns(c);
  if (standIns) parts.push(standIns);
  if (recorded) parts.push(recorded);
  // Fixes the user might expect but is not offered, each with why (the lightbulb greys them out).
  const withheld = rewritesReady() || analysis.language !== 'python' ? siteFixes(analysis, site.id, snapshot.text).withheld : [];
  if (withheld.length > 0) parts.push(withheld.map((w) => `${w.title}: not offered: ${markdownCell(withheldReason(w, snapshot, uri))}`).join('  \n'));
  return parts.join('\n\n');
}

/** The callee and its equation; a matrix chain as written (`(x @ w) @ y`), its einsum form being made up. */
function titleOf(site: ContractionSite, c: Contraction | null): string {
  if (site.kind === 'matmul-chain' && site.matmulTree !== null) {
    const written = treeText(pathOfTree(site.matmulTree, site.operands.length), site.operands.map((o) => o.text));
    return `**${site.callee === '@' ? 'matrix product' : site.qualifiedName}** ${inlineCode(written)}`;
  }
  const equation = site.normalizedEquation ?? (c ? formatEquation(c) : site.equation.text);
  return `**${site.qualifiedName}**${equation ? ` ${inlineCode(equation)}` : ''}`;
}

/**
 * A step's result labels in the order to show them. A matrix chain's labels are numbered along
 * the chain (batch, rows, columns), so in that order `w @ y` reads `(2048, 1)`, whatever order
 * the pairwise contraction would produce.
 */
function resultLabels(site: ContractionSite, labels: readonly number[]): number[] {
  return site.kind === 'matmul-chain' ? [...labels].sort((a, b) => a - b) : [...labels];
}

function unboundReason(site: ContractionSite): string {
  if (site.equation.notRead) return site.equation.notRead;
  if (site.equation.dynamic) return 'The equation is computed at run time, so its cost is unknown.';
  const error = site.diagnostics.find((d) => d.severity === 'error');
  if (error) return error.message;
  return 'Operand shapes are unknown: add a shape hint (`# einsight: x[B, N, D]`) or set `einsight.dimensions`.';
}

/** As written → best, how many times fewer, and the largest intermediate, in one line. */
function summary(site: ContractionSite, c: Contraction): string {
  const { baseline, best } = site;
  const largest = best ? largestIntermediate(site, best, c) : null;
  const tail = largest ? ` · largest intermediate ${largest}` : '';
  if (!best) return baseline ? `**${flopsText(baseline, site.symbolic)} FLOPs** as written${tail}` : 'Cost unknown.';
  const optimizer = `the best order (${best.optimizer})`;
  if (site.symbolic) {
    // A path the library searches at run time is only known at the real sizes.
    const known = site.sizeVerdict?.kind !== 'run-time-search';
    const before = known && baseline && baseline.scaling !== best.scaling ? `${baseline.scaling} as written → ` : '';
    return `**${before}${best.scaling}** with ${optimizer}: ${inlineCode(best.flopsExpression)} FLOPs${tail}`;
  }
  if (!baseline) return `**${formatCount(best.flops)} FLOPs** with ${optimizer}${tail}`;
  if (site.speedup === null || site.speedup < NO_SAVING) return `**${formatCount(best.flops)} FLOPs**, already in the best order${tail}`;
  return `**${formatCount(baseline.flops)} → ${formatCount(best.flops)} FLOPs** with ${optimizer}: ${formatSpeedup(site.speedup)} fewer${tail}`;
}

/** With symbolic sizes, what the comparison with the code as written proved. */
function runTimeNote(site: ContractionSite): string {
  const verdict = site.sizeVerdict;
  if (!verdict) return '';
  switch (verdict.kind) {
    case 'run-time-search':
      return ' The path it picks depends on the sizes, which are not known here.';
    case 'always':
      return ' The best order needs no more FLOPs at any size.';
    case 'when':
      return ` The best order needs fewer FLOPs when ${verdict.condition}.`;
    case 'never':
      return ' No other order needs fewer FLOPs at every size.';
    default:
      return ' Whether another order is cheaper depends on the sizes.';
  }
}

/**
 * A matrix chain counts operands of unknown rank as matrices; batched, the products holding them
 * cost more, which can favour another order. Whether the best order's gain survives that.
 */
function unknownRankNote(site: ContractionSite): string | null {
  const unknown = site.kind === 'matmul-chain' ? site.operands.filter((o) => o.shape === null).map((o) => inlineCode(o.text)) : [];
  if (unknown.length === 0) return null;
  const counted = unknown.length === 1 ? `${unknown[0]} (rank unknown) is counted as a matrix` : `${unknown.join(', ')} (ranks unknown) are counted as matrices`;
  if (!site.baseline || !site.best || site.best.flops >= site.baseline.flops) return `${counted}.`;
  const batch = batchClaim(site, 1, ANY_SIZE);
  if (batch.kind === 'any-batching') return `${counted}; the best order stays cheaper if ${unknown.length === 1 ? 'it carries' : 'they carry'} batch dimensions.`;
  if (batch.kind === 'if-2d') return `${counted}; the best order is cheaper only if ${twoDimensional(batch.unproven)}: batched, another order may cost more or compute something else.`;
  return `${counted}.`;
}

/** Where torch's behaviour came from: the interpreter asked, or the project's dependency files. */
function environmentLine(site: ContractionSite, analysis: FileAnalysis): string | null {
  const environment = analysis.environment;
  if (!environment || site.library !== 'torch') return null;
  const { torch, opt_einsum: optEinsum } = environment.versions;
  const found = environment.optEinsum ? `opt_einsum${optEinsum && optEinsum !== 'unknown' ? ` ${optEinsum}` : ''} installed` : 'no opt_einsum';
  const versions = torch ? `, torch ${torch}` : '';
  const how = environment.source === 'interpreter' ? `asked ${environment.detail}` : `declared in ${environment.detail}`;
  return `Environment: ${found}${versions} (${how}).`;
}

function flopsText(cost: CostSummary, symbolic: boolean): string {
  return symbolic ? `${inlineCode(cost.flopsExpression)} (${cost.scaling})` : formatCount(cost.flops);
}

/** The largest result of any step of the best order, with its shape. */
function largestIntermediate(site: ContractionSite, best: CostSummary, c: Contraction): string | null {
  if (!best.steps || best.steps.length === 0) return null;
  const step = best.steps.reduce((max, s) => (s.resultSize > max.resultSize ? s : max));
  const symbolic = step.result.some((l) => c.sizes[l].symbol !== null);
  const count = symbolic ? inlineCode(sizeProductPolynomial(c.sizes, step.result).toString()) : formatCount(step.resultSize);
  return `${count} elements ${inlineCode(shapeText(c, resultLabels(site, step.result)))}`;
}

/**
 * The best order step by step. A matrix chain reads as products of its operands (`w @ y`), the
 * way its code is written; an einsum as pairwise equations.
 */
function planTable(site: ContractionSite, best: CostSummary, c: Contraction): string {
  const symbolic = c.sizes.some((s) => s.symbol !== null);
  const products = site.kind === 'matmul-chain' ? matmulSteps(best, site.operands.map((o) => o.text)) : null;
  const rows = ['| | best order | result | FLOPs |', '| --- | --- | --- | --- |'];
  best.steps!.forEach((step, i) => {
    const flops = symbolic ? inlineCode(step.flopsPolynomial.toString()) : formatCount(step.flops);
    const what = products ? products[i] : step.equation;
    const blas = step.blas === 'EINSUM' ? '' : ` (${step.blas})`;
    const shape = shapeText(c, resultLabels(site, step.result));
    rows.push(`| ${i + 1} | ${markdownCell(inlineCode(what))} | ${markdownCell(inlineCode(shape))} | ${markdownCell(flops)}${blas} |`);
  });
  return rows.join('\n');
}

/** Each step of a matrix chain's path as the product it computes: `w @ y`, then `x @ (w @ y)`. */
function matmulSteps(best: CostSummary, names: string[]): string[] {
  const live = names.map((text, first) => ({ text, first, compound: false }));
  return best.path.map((step) => {
    const taken = step.map((p) => live[p]).sort((a, b) => a.first - b.first);
    for (const p of [...step].sort((a, b) => b - a)) live.splice(p, 1);
    const text = taken.map((t) => (t.compound ? `(${t.text})` : t.text)).join(' @ ');
    live.push({ text, first: taken[0].first, compound: true });
    return text;
  });
}

/**
 * Where each size came from, labels sharing a source together: `i` = 32 from `B = 32` (line 3).
 * A matrix chain's labels are made up, so there each operand's shape is given instead.
 */
function sizesLine(site: ContractionSite, c: Contraction, snapshot: UnitSnapshot, uri: string): string {
  if (site.kind === 'matmul-chain') {
    const shapes = site.operands.map((o, k) => `${inlineCode(o.text)} ${inlineCode(shapeText(c, c.inputs[k] ?? []))} from ${sourceText(o.shape?.source ?? null, snapshot, uri)}`);
    return `Shapes: ${shapes.join(' · ')}`;
  }
  const bySource = new Map<string, string[]>();
  c.labels.forEach((label, id) => {
    const from = sourceText(labelSource(site, c, id), snapshot, uri);
    const size = c.sizes[id].symbol ?? String(c.sizes[id].value);
    const entry = `${inlineCode(label)} = ${size}`;
    bySource.set(from, [...(bySource.get(from) ?? []), entry]);
  });
  const groups = [...bySource].map(([from, labels]) => `${labels.join(', ')} from ${from}`);
  return `Sizes: ${groups.join(' · ')}`;
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
  if (!source || source.kind === 'unknown') return 'nowhere (a stand-in size)';
  if (source.kind === 'dims') return `${inlineCode(source.detail)} in \`einsight.dimensions\``;
  if (source.kind === 'observed') return source.detail;
  // A size that reached a function's parameter says through which call, across files too.
  const via = source.via ? ` via ${sourceText(source.via, snapshot, uri)}` : '';
  if (source.location) return `${inlineCode(source.detail)} (${source.location})${via}`;
  const location = source.range ? snapshot.locate(source.range) : null;
  if (!location) return `${inlineCode(source.detail)}${via}`;
  const line = location.range.start.line + 1;
  return `${inlineCode(source.detail)} (line ${line}${location.uri === uri ? '' : ' of another cell'})${via}`;
}

const ELLIPSIS_NOTE =
  "`…` stands for the dimensions under `...`, how many not being known here, as one size; the counts take it as the same in every operand, and no finding is made. A shape hint on the operand gives its dimensions.";

/** Symbolic sizes still need numbers to compare orders: say which stand-ins were used. */
function symbolicStandIns(c: Contraction): string | null {
  const symbols = new Map<string, number>();
  for (const size of c.sizes) if (size.symbol !== null) symbols.set(size.symbol, size.value);
  if (symbols.size === 0) return null;
  const list = [...symbols].map(([name, value]) => `${inlineCode(name)} as ${value}`).join(', ');
  // `…` is no name a dimension hint can give a size to.
  const named = [...symbols.keys()].find((name) => name !== ELLIPSIS_SIZE);
  const hint = named ? ` or a \`# einsight: ${named}=…\` hint` : '';
  return `Orders are compared with ${list}; set real sizes in \`einsight.dimensions\`${hint}.`;
}
