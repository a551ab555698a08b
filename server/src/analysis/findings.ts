/**
 * Findings: the sites worth changing, with stable codes (docs/rules/EIN00X.md). A cost finding
 * compares what the library does now (the baseline) with the best path found.
 */
import { treeText } from './matmul';
import type { AnalysisOptions, ChainInfo, ContractionSite, FileAnalysis, Finding, RuleCode, ScalarFactor, ScalarTarget, SiteDiagnostic } from './model';
import { searchShare } from './search-cost';
import { claimOf, rangesOf, type SizeClaim } from './size-verdict';
import { batchClaim, twoDimensional } from './batch-claim';
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

/** Findings about cost, not correctness: in test code they take the test severity. */
const COST_CODES: ReadonlySet<RuleCode> = new Set(['EIN001', 'EIN004', 'EIN005', 'EIN006', 'EIN007']);

export function findingsOf(analysis: FileAnalysis, notes: SiteDiagnostic[], options: AnalysisOptions): Finding[] {
  const minSpeedup = options.minSpeedup ?? 2;
  const findings: Finding[] = notes.map((note) => finding(note.code, note.message, note.range, null, { severity: note.severity }));
  for (const site of analysis.sites) {
    // Inside `pytest.raises(...)` the call is meant to fail: its errors are deliberate, its cost beside the point.
    if (site.context.expectsError) continue;
    const siteFindings: Finding[] = site.diagnostics.map((d) => finding(d.code, d.message, d.range, site, { severity: d.severity }));
    const cost = costFinding(site, minSpeedup, options);
    if (cost) siteFindings.push(cost);
    const scalar = site.unknownEllipsis ? null : scalarFinding(site, minSpeedup);
    if (scalar) siteFindings.push(scalar);
    const search = searchFinding(site);
    if (search) siteFindings.push(search);
    findings.push(...siteFindings.filter((f) => !silenced(site, f.code)));
  }
  // By id: a search of the sites per chain made a file of N chains cost N².
  const sitesById = new Map(analysis.sites.map((s) => [s.id, s]));
  for (const chain of analysis.chains) {
    // Fusing a blocked chain could change what it computes: no claim; the fix is shown withheld.
    if (chain.blocked) continue;
    const root = sitesById.get(chain.root)!;
    if (root.context.expectsError) continue;
    const fused = chainFinding(chain, sitesById, root, minSpeedup, options.dimRanges !== undefined);
    if (fused && !silenced(root, fused.code)) findings.push(fused);
  }
  return inContext(findings, options).sort((a, b) => a.range.start - b.range.start || a.code.localeCompare(b.code));
}

/** Test code reports cost findings at the test severity (default hint), or not at all when `off`. */
function inContext(findings: Finding[], options: AnalysisOptions): Finding[] {
  if (!options.testFile) return findings;
  const severity = options.testSeverity ?? 'hint';
  if (severity === 'off') return findings.filter((f) => !COST_CODES.has(f.code));
  return findings.map((f) => (COST_CODES.has(f.code) ? { ...f, severity } : f));
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
    condition: null,
    site: site?.id ?? null,
    chain: null,
    baselineFlops: null,
    bestFlops: null,
    speedup: null,
    ...extra,
  };
}

/** Known sizes: at least `minSpeedup` fewer FLOPs. */
function improves(baseline: bigint, best: bigint, minSpeedup: number): boolean {
  return best < baseline && flopRatio(baseline, best) >= minSpeedup;
}

function costText(cost: { flops: bigint; scaling: string }, symbolic: boolean): string {
  return symbolic ? cost.scaling : `${formatCount(cost.flops)} FLOPs`;
}

/** What a claim over symbolic sizes holds for: every size (at least minSpeedup× under a condition), or the condition. */
function holdsText(claim: SizeClaim, minSpeedup: number, ranged: boolean): string {
  // Not at every size: fix-policy.ts offers no fixed order, and the message says why.
  if (claim.condition !== null) return `, fewer when ${claim.condition} (not at every size: no fixed order is offered)`;
  const every = ranged ? ', fewer at every size in the ranges given' : ', fewer at every size';
  return claim.speedupWhen !== null ? `${every} (${formatSpeedup(minSpeedup)} fewer or better when ${claim.speedupWhen})` : every;
}

/**
 * The claim a cost finding makes, or null when none holds: with known sizes, the counts; with
 * symbolic sizes, only what the exact comparison proves (see size-verdict.ts).
 */
function costClaim(site: ContractionSite, minSpeedup: number): SizeClaim | null {
  const { baseline, best } = site;
  if (!baseline || !best) return null;
  if (!site.symbolic) return improves(baseline.flops, best.flops, minSpeedup) ? { condition: null, speedupWhen: null } : null;
  // The same count (a size 0 makes both 0) is no gain, whatever the ratio test says of 0 ≥ 2·0.
  if (baseline.flopsExpression === best.flopsExpression) return null;
  return claimOf(site.sizeVerdict, baseline.degree, best.degree);
}

function costFinding(site: ContractionSite, minSpeedup: number, options: AnalysisOptions): Finding | null {
  const { baseline, best } = site;
  // A call that fails at run time (a tfjs limit) has no cost to improve: its error says what to do.
  if (site.diagnostics.some((d) => d.severity === 'error')) return null;
  // Two operands leave no order to choose: a difference is only opt_einsum's naive-count convention.
  if (!baseline || !best || site.unknownEllipsis || site.operands.length < 3) return null;
  // A test that asks for numpy's plain loop means it (it checks the optimized paths against it).
  if (options.testFile && site.options.optimize?.value === false) return null;
  const sized = costClaim(site, minSpeedup);
  if (!sized) return null;
  const ratio = site.speedup !== null ? ` (${formatSpeedup(site.speedup)} fewer)` : '';
  if (site.kind === 'matmul-chain') {
    // Operands of unknown rank were priced as matrices: the claim must survive their batching too.
    const batch = batchClaim(site, minSpeedup, rangesOf(options));
    if (batch.kind === 'changes-values') return null;
    const unbatched = batch.kind === 'if-2d' ? twoDimensional(batch.unproven.map(shorten)) : null;
    const condition = unbatched === null ? sized.condition : sized.condition === null ? unbatched : `${sized.condition} and ${unbatched}`;
    let holds = site.symbolic ? holdsText(sized, minSpeedup, options.dimRanges !== undefined) : '';
    if (unbatched !== null) {
      const when = sized.condition === null ? `${site.symbolic ? ', fewer' : ''} if` : `, fewer when ${sized.condition} and`;
      holds = `${when} ${unbatched} (batched, another order may cost more or compute something else: no fixed order is offered)`;
    }
    if (batch.kind === 'any-batching') holds += `; still fewer if ${batch.unknown.map((n) => `\`${shorten(n)}\``).join(' or ')} carries batch dimensions`;
    const names = site.operands.map((o) => shorten(o.text));
    const message =
      `matrix chain ${treeText(baseline.path, names)} costs ${costText(baseline, site.symbolic)}; ` +
      `${treeText(best.path, names)} costs ${costText(best, site.symbolic)}${ratio}${holds}`;
    return finding('EIN006', message, site.range, site, { baselineFlops: baseline.flops, bestFlops: best.flops, speedup: site.speedup, condition });
  }
  const holds = site.symbolic ? holdsText(sized, minSpeedup, options.dimRanges !== undefined) : '';
  const numbers = { baselineFlops: baseline.flops, bestFlops: best.flops, speedup: site.speedup, condition: sized.condition };
  const message =
    `${baseline.description}: ${costText(baseline, site.symbolic)}; ` +
    `the best path (${best.optimizer}) needs ${costText(best, site.symbolic)}${ratio}${holds}`;
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

/**
 * A search paid at every call, where it is a real share of the call: known sizes only (the
 * share of an unknown contraction is unknown), and never where the call runs once while a
 * graph is built or traced.
 */
function searchFinding(site: ContractionSite): Finding | null {
  const baseline = site.baseline;
  if (!baseline?.perCallSearch || !baseline.steps || site.precompiled || site.operands.length < 3 || site.symbolic || site.unknownEllipsis) return null;
  if ((!site.context.inLoop && !site.context.inForward) || site.context.traced) return null;
  const share = searchShare(site.operands.length, baseline.steps);
  if (!share) return null;
  const where = site.context.inLoop ? 'inside a loop' : `in ${site.context.scope}`;
  const fix =
    site.library === 'numpy'
      ? 'compute it once with np.einsum_path and pass optimize=path'
      : 'build it once with opt_einsum.contract_expression and call the expression';
  const cost = `about ${Math.round(share.searchMicros)} µs against about ${Math.max(1, Math.round(share.contractionMicros))} µs for the contraction`;
  const message = `${site.qualifiedName} searches a contraction path at every call ${where} (${cost}); ${fix}`;
  return finding('EIN007', message, site.calleeRange, site, { severity: 'information' });
}

/**
 * Only what fusing adds: every member's own best path is already another finding, so the fused
 * path must beat the members each on its best path (by `minSpeedup`, or provably with symbolic sizes).
 */
function chainFinding(chain: ChainInfo, sites: ReadonlyMap<number, ContractionSite>, root: ContractionSite, minSpeedup: number, ranged: boolean): Finding | null {
  if (!chain.fused || !chain.best || chain.baselineFlops === null) return null;
  const members = chain.members.map((id) => sites.get(id)!);
  if (members.some((m) => !m.best || m.unknownEllipsis)) return null;
  const symbolic = members.some((m) => m.symbolic) || chain.sizeVerdict !== null;
  const memberBest = members.reduce((sum, m) => sum + m.best!.flops, 0n);
  const names = chain.links.map((l) => l.name ?? 'a nested einsum').join(', ');
  const head = `${members.length} einsums chained through ${names} fuse into '${chain.fused.equation}'`;
  const numbers = { chain: chain.id, baselineFlops: chain.baselineFlops, bestFlops: chain.best.flops, speedup: chain.speedup };
  if (!symbolic) {
    if (!improves(memberBest, chain.best.flops, minSpeedup)) return null;
    const ratios = chain.speedup !== null ? [`${formatSpeedup(chain.speedup)} fewer`] : [];
    // When a member has a better order of its own, what fusing adds beyond it.
    if (memberBest !== chain.baselineFlops) ratios.push(`${formatSpeedup(flopRatio(memberBest, chain.best.flops))} fewer than each on its best path`);
    const message = `${head}: ${formatCount(chain.baselineFlops)} FLOPs → ${formatCount(chain.best.flops)} FLOPs (${ratios.join('; ')})`;
    return finding('EIN004', message, root.range, root, numbers);
  }
  const degree = Math.max(...members.map((m) => m.best!.degree));
  const claim = claimOf(chain.sizeVerdict, degree, chain.best.degree);
  if (!claim) return null;
  const before = chain.ownBestScaling ?? members.map((m) => m.best!.scaling).join(' + ');
  const message = `${head}: ${before} with each on its best path → ${chain.best.scaling}${holdsText(claim, minSpeedup, ranged)}`;
  return finding('EIN004', message, root.range, root, { ...numbers, condition: claim.condition });
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > OPERAND_TEXT ? `${flat.slice(0, OPERAND_TEXT - 1)}…` : flat;
}

function formatScalar(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
