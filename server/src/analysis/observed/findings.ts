/**
 * Findings with a recording: a finding that depends on the sizes is kept only if it holds at
 * every shape the run saw (checked with the path the fix would write), says that its sizes
 * come from the recording, and every finding that asks for a change carries the site's
 * recorded weight. Where the recording contradicts the code, a hint (EIN010) says so.
 */
import { costOfPath } from '../../core/cost';
import { flopRatio } from '../../core/counts';
import { summarize } from '../baseline';
import { findingsOf, RULES } from '../findings';
import type { AnalysisOptions, BestCost, ContractionSite, FileAnalysis, Finding, ScalarFactor } from '../model';
import { placeScalars } from '../scalars';
import type { PricedVariants } from './apply';
import { observedWeightText, speedupRange } from './wording';

/** Codes whose finding depends on the sizes: they must hold at every recorded shape. */
const SIZE_DEPENDENT = new Set(['EIN001', 'EIN005', 'EIN006']);
/** Findings that ask for a change: they carry the site's recorded weight. */
const WEIGHTED = new Set(['EIN001', 'EIN004', 'EIN005', 'EIN006', 'EIN007']);

export function observedFindings(
  analysis: FileAnalysis,
  priced: PricedVariants,
  scalars: ReadonlyMap<number, ScalarFactor[]>,
  options: AnalysisOptions,
): Finding[] {
  const byId = new Map(analysis.sites.map((s) => [s.id, s]));
  const varying = new Set<number>();
  for (const site of analysis.sites) if (site.observed?.used && (priced.get(site.id)?.length ?? 0) > 1) varying.add(site.id);
  const varyingChains = new Set(analysis.chains.filter((c) => c.members.some((m) => varying.has(m))).map((c) => c.id));
  const findings: Finding[] = [];
  for (const finding of analysis.findings) {
    // A fused chain of members whose shapes varied cannot be shown to pay off at every combination.
    if (finding.chain !== null && varyingChains.has(finding.chain)) continue;
    if (finding.site !== null && varying.has(finding.site) && SIZE_DEPENDENT.has(finding.code)) continue;
    findings.push(finding);
  }
  for (const id of varying) findings.push(...heldAtEveryShape(byId.get(id)!, priced, scalars.get(id) ?? [], options));
  for (const finding of findings) {
    const site = finding.site !== null ? byId.get(finding.site) : undefined;
    const observation = site?.observed;
    if (!observation || !WEIGHTED.has(finding.code)) continue;
    const sizes = observation.used && SIZE_DEPENDENT.has(finding.code) && !varying.has(site.id) ? ' at the recorded sizes' : '';
    finding.message = `${finding.message}${sizes}; ${observedWeightText(observation)}`;
    finding.observed = { calls: observation.calls, timeNs: observation.timeNs, share: observation.share };
  }
  for (const site of analysis.sites) {
    const conflict = site.observed?.conflicts[0];
    if (conflict === undefined || silenced(site, 'EIN010')) continue;
    const more = site.observed!.conflicts.length - 1;
    findings.push({
      code: 'EIN010',
      rule: RULES.EIN010.name,
      severity: 'hint',
      message: `${conflict}${more > 0 ? ` (and ${more} more)` : ''}`,
      range: site.range,
      site: site.id,
      chain: null,
      baselineFlops: null,
      bestFlops: null,
      speedup: null,
    });
  }
  return findings.sort((a, b) => a.range.start - b.range.start || a.code.localeCompare(b.code));
}

/**
 * The size-dependent findings of a site whose recorded shapes varied: the finding of its most
 * called shape, kept when every other shape has it too. The best order is the one the fix
 * writes (the site's own best path), priced at each shape.
 */
function heldAtEveryShape(site: ContractionSite, priced: PricedVariants, factors: ScalarFactor[], options: AnalysisOptions): Finding[] {
  const perShape = priced.get(site.id)!.map(({ core }) => {
    const contraction = core.contraction!;
    const fixPath = site.best && site.best.path.length === contraction.inputs.length - 1 ? site.best.path : null;
    const best: BestCost | null = fixPath && core.best ? { ...summarize(costOfPath(contraction, fixPath), null, fixPath, false), optimizer: core.best.optimizer } : core.best;
    const speedup = core.baseline && best ? flopRatio(core.baseline.flops, best.flops) : null;
    const shapeSite: ContractionSite = {
      ...site,
      contraction,
      baseline: core.baseline,
      best,
      speedup,
      symbolic: false,
      sizeVerdict: core.sizeVerdict,
      unknownEllipsis: core.unknownEllipsis,
      diagnostics: [],
      chain: null,
      scalars: factors.length > 0 ? placeScalars(contraction, factors) : null,
    };
    const single: FileAnalysis = { language: 'python', sites: [shapeSite], chains: [], findings: [], syntaxErrors: [] };
    return findingsOf(single, [], options).filter((f) => SIZE_DEPENDENT.has(f.code));
  });
  const [first, ...rest] = perShape;
  return first
    .filter((finding) => rest.every((shape) => shape.some((f) => f.code === finding.code)))
    .map((finding) => {
      const speedups = perShape.map((shape) => shape.find((f) => f.code === finding.code)!.speedup).filter((s): s is number => s !== null);
      const range = speedups.length === perShape.length ? ` (${speedupRange(speedups)} fewer)` : '';
      return { ...finding, message: `${finding.message} at the most called recorded shape; holds at all ${perShape.length} recorded shapes${range}` };
    });
}

function silenced(site: ContractionSite, code: string): boolean {
  return site.ignored !== null && (site.ignored.length === 0 || site.ignored.includes(code));
}
