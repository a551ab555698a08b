/**
 * Turns what a front end read (sites and data-flow facts) into the analysed model: binds
 * shapes, prices the library's baseline and the best path, places scalar factors, fuses
 * chains and derives findings. Language-neutral; never throws for anything in the source.
 */
import type { AnalysisBudget } from './budget';
import { fuseChains } from './chains';
import { findingsOf } from './findings';
import type { AnalysisOptions, ContractionSite, FileAnalysis, FlowFacts, SiteDiagnostic, SiteSyntax, SourceRange } from './model';
import { equationRangeToSource } from './model';
import { CostCache, assignCore, invalidSublistItem, optionsKey, siteKey, type ErrorAnchor } from './pricing';
import { baselineEnvironment, type BaselineEnvironment } from './baseline';
import { applyObservations } from './observed/apply';
import { observedFindings } from './observed/findings';
import { matchObservations } from './observed/match';
import { placeScalars } from './scalars';

export { CostCache } from './pricing';

export interface FrontEndOutput {
  language: FileAnalysis['language'];
  sites: SiteSyntax[];
  flow: FlowFacts;
  syntaxErrors: SourceRange[];
  /** Problems in hint comments and other notes not tied to a site. */
  notes: SiteDiagnostic[];
  /** The file imports opt_einsum, so torch finds it installed. */
  importsOptEinsum: boolean;
  /** `siteKey` of each site, when the front end kept them from an earlier reading. */
  siteKeys?: string[];
  /** Errors only the front end can tell, by site id (tfjs's limits on `tf.einsum`). */
  siteDiagnostics?: ReadonlyMap<number, SiteDiagnostic[]>;
  /** The analysed text, for finding recorded calls in it (`einsight record`). */
  text?: string;
}

/** `budget`: the file's time limit, shared with the front end; past it, sites are left unpriced. */
export function evaluate(input: FrontEndOutput, options: AnalysisOptions, cache: CostCache = new CostCache(), budget: AnalysisBudget | null = null): FileAnalysis {
  const env = baselineEnvironment(options, input.importsOptEinsum);
  const common = optionsKey(options, env);
  const sites = input.sites.map((site, i) => evaluateSite(site, options, env, cache, `${input.siteKeys?.[i] ?? siteKey(site)}|${common}`, budget));
  // One at a time: a spread of a huge equation's diagnostics would overflow the stack.
  for (const site of sites) for (const diagnostic of input.siteDiagnostics?.get(site.id) ?? []) site.diagnostics.push(diagnostic);
  const recorded = options.observed && input.text !== undefined ? matchObservations(input.sites, input.text, options.observed) : null;
  const priced = recorded ? applyObservations(sites, input.sites, recorded, options.observed!, { options, env, cache, common, budget }) : null;
  for (const site of sites) {
    const factors = input.flow.scalars.get(site.id);
    if (factors && site.contraction && !site.dynamic) site.scalars = placeScalars(site.contraction, factors);
  }
  const chains = fuseChains(sites, input.flow.links, options, cache);
  const analysis: FileAnalysis = { language: input.language, sites, chains, findings: [], syntaxErrors: input.syntaxErrors };
  if (options.environment) analysis.environment = options.environment;
  analysis.findings = findingsOf(analysis, input.notes, options);
  const incomplete = budget?.incomplete();
  if (incomplete) analysis.incomplete = incomplete;
  if (recorded && priced) {
    analysis.findings = observedFindings(analysis, priced, input.flow.scalars, options);
    analysis.observations = { source: options.observed!.source, matched: recorded.bySite.size, stale: recorded.unmatched };
  }
  return analysis;
}

function evaluateSite(
  s: SiteSyntax,
  options: AnalysisOptions,
  env: BaselineEnvironment,
  cache: CostCache,
  key: string,
  budget: AnalysisBudget | null,
): ContractionSite {
  // Every property spelled out: a spread plus additions makes slow dictionary-mode objects.
  const site: ContractionSite = {
    id: s.id,
    kind: s.kind,
    library: s.library,
    callee: s.callee,
    qualifiedName: s.qualifiedName,
    calleeRange: s.calleeRange,
    range: s.range,
    statementRange: s.statementRange,
    equation: s.equation,
    operands: s.operands,
    dynamic: s.dynamic,
    options: s.options,
    context: s.context,
    matmulTree: s.matmulTree,
    precompiled: s.precompiled,
    ignored: s.ignored,
    via: s.via ?? null,
    contraction: null,
    normalizedEquation: null,
    baseline: null,
    best: null,
    speedup: null,
    symbolic: false,
    sizeVerdict: null,
    unknownEllipsis: false,
    diagnostics: [],
    chain: null,
    scalars: null,
    observed: null,
  };
  if (s.dynamic || s.equation.text === null || (budget && !budget.price(() => s.range))) return site;
  const core = cache.site(s, options, env, key);
  assignCore(site, core);
  const error = core.error;
  if (error) site.diagnostics.push({ code: error.code, severity: 'error', message: error.message, range: anchorRange(s, error.at) });
  return site;
}

function anchorRange(s: SiteSyntax, at: ErrorAnchor): SourceRange {
  if (at.kind === 'optimize') return s.options.optimize?.range ?? s.range;
  if (at.kind === 'sublist-item') return invalidSublistItem(s) ?? s.range;
  return s.equation.charRanges ? equationRangeToSource(s.equation, at) : s.range;
}
