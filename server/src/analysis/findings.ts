/**
 * Findings: the sites worth changing, with stable codes (docs/rules/EIN00X.md). A cost finding
 * compares what the library does now (the baseline) with the best path found.
 */
import { treeText } from './matmul';
import type { ChainInfo, ContractionSite, FileAnalysis, Finding, RuleCode, ScalarFactor, ScalarTarget, SiteDiagnostic } from './model';
import { flopRatio, formatCount, formatSpeedup } from '../core/counts';

export const RULES: Record<RuleCode, { name: string; summary: string }> = {
  EIN001: { name: 'wasted-flops', summary: 'The library runs this contraction in a costlier order than the best path.' },
  EIN002: { name: 'equation-error', summary: 'The einsum equation is invalid or does not match the call.' },
  EIN003: { name: 'shape-mismatch', summary: 'Operand shapes do not fit the equation.' },
  EIN004: { name: 'fusable-chain', summary: 'Einsums feeding each other are cheaper fused into one contraction.' },
  EIN005: { name: 'scalar-placement', summary: 'A scalar factor is applied to a larger tensor than necessary.' },
  EIN006: { name: 'matmul-chain-order', summary: 'A matrix-product chain is parenthesized in a costlier order than necessary.' },
  EIN007: { name: 'path-search-per-call', summary: 'A contraction path is searched at every call inside a loop or forward pass.' },
  EIN008: { name: 'bad-hint', summary: 'An einsight hint comment could not be read.' },
  EIN009: { name: 'tfjs-limit', summary: "tfjs's tf.einsum cannot run this call: more than two operands, a label repeated within one operand, '...', or no '->'." },
  EIN010: { name: 'observed-mismatch', summary: 'A recorded run saw other shapes than the code says; the code wins.' },
};

const OPERAND_TEXT = 24;

export function findingsOf(analysis: FileAnalysis, notes: SiteDiagnostic[], minSpeedup: number): Finding[] {
  const findings: Finding[] = notes.map((note) => finding(note.code, note.message, note.range, null, { severity: note.severity }));
  for (const site of analysis.sites) {
    const siteFindings: Finding[] = site.diagnostics.map((d) => finding(d.code, d.message, d.range, site, { severity: d.severity }));
    const cost = costFinding(site, minSpeedup);
    if (cost) siteFindings.push(cost);
    const scalar = scalarFinding(site, minSpeedup);
    if (scalar) siteFindings.push(scalar);
    const search = searchFinding(site);
    if (search) siteFindings.push(search);
    findings.push(...siteFindings.filter((f) => !silenced(site, f.code)));
  }
  // By id: a search of the sites per chain made a file of N chains cost N².
  const sitesById = new Map(analysis.sites.map((s) => [s.id, s]));
  for (const chain of analysis.chains) {
    const root = sitesById.get(chain.root)!;
    const fused = chainFinding(chain, sitesById, root, minSpeedup);
    if (fused && !silenced(root, fused.code)) findings.push(fused);
  }
  return findings.sort((a, b) => a.range.start - b.range.start || a.code.localeCompare(b.code));
}

function silenced(site: ContractionSite, code: RuleCode): boolean {
  return site.ignored !== null && (site.ignored.length === 0 || site.ignored.includes(code));
}

function finding(
  code: RuleCode,
  message: string,
  range: Finding['range'],
  site: ContractionSite | null,
  extra: Partial<Finding> = {},
): Finding {
  return {
    code,
    rule: RULES[code].name,
    severity: 'warning',
    message,
    range,
    site: site?.id ?? null,
    chain: null,
    baselineFlops: null,
    bestFlops: null,
    speedup: null,
    ...extra,
  };
}

/** Worth a finding: concrete sizes and at least `minSpeedup`, or a lower symbolic scaling. */
function improves(baseline: { flops: bigint; degree: number }, best: { flops: bigint; degree: number }, symbolic: boolean, minSpeedup: number): boolean {
  if (symbolic) return best.degree < baseline.degree;
  return best.flops < baseline.flops && flopRatio(baseline.flops, best.flops) >= minSpeedup;
}

function costText(cost: { flops: bigint; scaling: string }, symbolic: boolean): string {
  return symbolic ? cost.scaling : `${formatCount(cost.flops)} FLOPs`;
}

function costFinding(site: ContractionSite, minSpeedup: number): Finding | null {
  const { baseline, best } = site;
  // A call that fails at run time (a tfjs limit) has no cost to improve: its error says what to do.
  if (site.diagnostics.some((d) => d.severity === 'error')) return null;
  if (!baseline || !best || !improves(baseline, best, site.symbolic, minSpeedup)) return null;
  const ratio = site.speedup !== null ? ` (${formatSpeedup(site.speedup)} fewer)` : '';
  const numbers = { baselineFlops: baseline.flops, bestFlops: best.flops, speedup: site.speedup };
  if (site.kind === 'matmul-chain') {
    const names = site.operands.map((o) => shorten(o.text));
    const message =
      `matrix chain ${treeText(baseline.path, names)} costs ${costText(baseline, site.symbolic)}; ` +
      `${treeText(best.path, names)} costs ${costText(best, site.symbolic)}${ratio}`;
    return finding('EIN006', message, site.range, site, numbers);
  }
  const message =
    `${baseline.description}: ${costText(baseline, site.symbolic)}; ` +
    `the best path (${best.optimizer}) needs ${costText(best, site.symbolic)}${ratio}`;
  return finding('EIN001', message, site.range, site, numbers);
}

function describeTarget(site: ContractionSite, target: ScalarTarget): string {
  return target.kind === 'output' ? 'the result' : `operand ${target.index + 1} (${shorten(site.operands[target.index].text)})`;
}

function scalarFinding(site: ContractionSite, minSpeedup: number): Finding | null {
  const placement = site.scalars;
  if (!placement || placement.currentCost === null || placement.bestCost === null) return null;
  const { currentCost, bestCost } = placement;
  if (currentCost <= bestCost || flopRatio(currentCost, bestCost) < minSpeedup) return null;
  const factors = placement.factors.map((f) => `${f.operation === 'divide' ? '/ ' : '* '}${shorten(f.text)}`).join(', ');
  const applied = (f: ScalarFactor) =>
    f.nestedIn ? `${shorten(f.nestedIn.text)} (in ${describeTarget(site, f.appliedTo)})` : describeTarget(site, f.appliedTo);
  const where = [...new Set(placement.factors.map(applied))].join(' and ');
  const message =
    `scalar ${factors} scales ${where}: ${formatCount(currentCost)} multiplications; ` +
    `multiplying ${describeTarget(site, placement.best)} by ${formatScalar(placement.combined)} needs ${formatCount(bestCost)}`;
  const range = placement.factors[0].applicationRange;
  return finding('EIN005', message, range, site, { speedup: flopRatio(currentCost, bestCost) });
}

function searchFinding(site: ContractionSite): Finding | null {
  const baseline = site.baseline;
  if (!baseline?.perCallSearch || site.precompiled || site.operands.length < 3) return null;
  if (!site.context.inLoop && !site.context.inForward) return null;
  const where = site.context.inLoop ? 'inside a loop' : `in ${site.context.scope}`;
  const fix =
    site.library === 'numpy'
      ? 'compute it once with np.einsum_path and pass optimize=path'
      : 'build it once with opt_einsum.contract_expression and call the expression';
  const message = `${site.qualifiedName} searches a contraction path at every call ${where}; ${fix}`;
  return finding('EIN007', message, site.calleeRange, site, { severity: 'information' });
}

function chainFinding(chain: ChainInfo, sites: ReadonlyMap<number, ContractionSite>, root: ContractionSite, minSpeedup: number): Finding | null {
  if (!chain.fused || !chain.best || chain.baselineFlops === null) return null;
  const members = chain.members.map((id) => sites.get(id)!);
  const symbolic = members.some((m) => m.symbolic);
  const memberBest = members.reduce((sum, m) => sum + (m.best?.flops ?? 0n), 0n);
  const baselineDegree = Math.max(...members.map((m) => m.baseline?.degree ?? 0));
  const baseline = { flops: chain.baselineFlops, degree: baselineDegree };
  // Only what fusing adds: every member's own best path is already another finding.
  if (!improves(baseline, chain.best, symbolic, minSpeedup) || (!symbolic && chain.best.flops >= memberBest)) return null;
  const names = chain.links.map((l) => l.name ?? 'a nested einsum').join(', ');
  const ratio = chain.speedup !== null ? ` (${formatSpeedup(chain.speedup)} fewer)` : '';
  const before = symbolic ? baselineDegreeText(members) : `${formatCount(chain.baselineFlops)} FLOPs`;
  const after = symbolic ? chain.best.scaling : `${formatCount(chain.best.flops)} FLOPs`;
  const message = `${members.length} einsums chained through ${names} fuse into '${chain.fused.equation}': ${before} → ${after}${ratio}`;
  return finding('EIN004', message, root.range, root, {
    chain: chain.id,
    baselineFlops: chain.baselineFlops,
    bestFlops: chain.best.flops,
    speedup: chain.speedup,
  });
}

function baselineDegreeText(members: ContractionSite[]): string {
  return members.map((m) => m.baseline?.scaling ?? '?').join(' + ');
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > OPERAND_TEXT ? `${flat.slice(0, OPERAND_TEXT - 1)}…` : flat;
}

function formatScalar(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
