/**
 * Recorded shapes in the analysis. After the code's own reading is priced, each site with a
 * recording is priced again at every shape the run saw (sizes the code fixes always win), and
 * the site takes the shapes that hold for all of them: a site whose sizes varied keeps those
 * sizes unknown rather than pretending to one of them. Findings are then kept only where they
 * hold at every recorded shape, carry the site's recorded weight (calls, share of einsum
 * time), and a hint says where the recording contradicts the code.
 */
import type { Contraction } from '../../core/contraction';
import type { BaselineEnvironment } from '../baseline';
import type { AnalysisBudget } from '../budget';
import type { AnalysisOptions, ContractionSite, EquationInfo, ObservedVariant, OperandInfo, SiteSyntax } from '../model';
import type { CostCache, SiteCore } from '../pricing';
import { assignCore, siteKey } from '../pricing';
import type { Matched, SiteRecording } from './match';
import type { FileObservations } from './store';
import { consensusOperands, fillVariant, recordedVariants, shapeText, type FilledVariant } from './variants';

export interface PricingContext {
  options: AnalysisOptions;
  env: BaselineEnvironment;
  cache: CostCache;
  /** `optionsKey` of the analysis: with `siteKey`, the cost cache's key. */
  common: string;
  /** The file's time limit: past it, recorded shapes are not priced (the weight is still shown). */
  budget: AnalysisBudget | null;
}

export interface PricedVariant {
  filled: FilledVariant;
  core: SiteCore;
}

/** The priced variants of each observed site, for checking findings at every recorded shape. */
export type PricedVariants = Map<number, PricedVariant[]>;

/** Prices each matched site at its recorded shapes; fills `site.observed` and, where the code left sizes unknown, the site's shapes and costs. */
export function applyObservations(
  sites: ContractionSite[],
  syntax: readonly SiteSyntax[],
  matched: Matched,
  observed: FileObservations,
  context: PricingContext,
): PricedVariants {
  const variants: PricedVariants = new Map();
  for (const site of sites) {
    const recording = matched.bySite.get(site.id);
    if (recording) variants.set(site.id, observeSite(site, syntax[site.id], recording, observed, context));
  }
  return variants;
}

function observeSite(site: ContractionSite, syntax: SiteSyntax, recording: SiteRecording, observed: FileObservations, context: PricingContext): PricedVariant[] {
  const record = recording.kind === 'call' ? recording.record : null;
  const products = recording.kind === 'chain' ? recording.products : [];
  const calls = record ? record.calls : Math.max(...products.map((p) => p.record.calls));
  const timeNs = record ? record.timeNs : products.reduce((sum, p) => sum + p.record.timeNs, 0);
  const share = record && !record.nested && observed.einsumTimeNs > 0 ? record.timeNs / observed.einsumTimeNs : null;
  const conflicts: string[] = [];
  const priced: PricedVariant[] = [];
  // A call the code itself shows to be wrong stays as the code says: recordings never hide an error.
  const broken = site.diagnostics.some((d) => d.severity === 'error') || (context.budget !== null && !context.budget.price(() => syntax.range));
  for (const variant of broken ? [] : recordedVariants(syntax, recording)) {
    const filled = fillVariant(syntax, variant);
    conflicts.push(...filled.conflicts);
    if (!filled.fits) continue;
    const core = context.cache.site(variantSyntax(syntax, filled.operandInfo, filled.equation), context.options, context.env, keyOf(syntax, filled, context));
    if (core.error || !core.contraction || !fits(core.contraction, filled.operandInfo)) {
      const shapes = filled.operands.map((o) => (o?.shape ? shapeText(o.shape) : '?')).join(' · ');
      conflicts.push(`the recorded run called it with shapes ${shapes}, which do not fit the equation`);
    } else priced.push({ filled, core });
  }
  site.observed = {
    calls,
    timeNs,
    share,
    runs: observed.runs,
    variants: priced.map(variantOf),
    otherCalls: record?.otherShapes?.calls ?? 0,
    conflicts: [...new Set(conflicts)],
    used: false,
  };
  if (priced.length === 0) return priced;
  const consensus = consensusOperands(syntax, priced.map((p) => p.filled));
  const equations = new Set(priced.map((p) => p.filled.equation));
  const equation = syntax.equation.text === null && equations.size === 1 ? [...equations][0] : null;
  const changed = consensus.some((operand, k) => operand !== syntax.operands[k]) || equation !== null;
  if (!changed || (syntax.equation.text === null && equation === null)) return priced;
  const consensusSyntax = variantSyntax(syntax, consensus, equation);
  const core = context.cache.site(consensusSyntax, context.options, context.env, `${siteKey(consensusSyntax)}|${context.common}`);
  if (core.error || !core.contraction) return priced;
  site.operands = consensusSyntax.operands;
  assignCore(site, core);
  site.observed.used = true;
  return priced;
}

function variantSyntax(syntax: SiteSyntax, operands: OperandInfo[], equation: string | null): SiteSyntax {
  if (syntax.equation.text !== null && !syntax.dynamic) return { ...syntax, operands };
  const recordedEquation: EquationInfo =
    equation === null
      ? syntax.equation
      : { form: syntax.equation.form === 'einops' ? 'einops' : 'string', text: equation, dynamic: false, range: syntax.equation.range, charRanges: null };
  return { ...syntax, operands, equation: recordedEquation, dynamic: false };
}

function keyOf(syntax: SiteSyntax, filled: FilledVariant, context: PricingContext): string {
  return `${siteKey(variantSyntax(syntax, filled.operandInfo, filled.equation))}|${context.common}`;
}

function variantOf({ filled, core }: PricedVariant): ObservedVariant {
  return {
    equation: filled.equation,
    shapes: filled.operandInfo.map((o) => o.shape?.dims ?? null),
    dtypes: filled.operands.map((o) => o?.dtype ?? null),
    calls: filled.calls,
    timeNs: filled.timeNs,
    baselineFlops: core.baseline?.flops ?? null,
    bestFlops: core.best?.flops ?? null,
    speedup: core.speedup,
  };
}

/**
 * Whether every recorded size made it into the contraction. Pricing sets aside sizes that
 * conflict with the equation (only the code's own sizes may make an error), so a recorded size
 * missing from the contraction means the recording is of another call, or is stale.
 */
function fits(contraction: Contraction, operands: readonly OperandInfo[]): boolean {
  return operands.every((operand, k) => {
    const dims = operand.shape?.dims;
    const labels = contraction.inputs[k];
    if (!dims || !labels) return true;
    if (dims.length !== labels.length) return false;
    return dims.every((dim, axis) => typeof dim !== 'number' || (contraction.sizes[labels[axis]].symbol === null && contraction.sizes[labels[axis]].value === dim));
  });
}
