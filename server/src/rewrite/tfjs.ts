/**
 * Quick fixes for the TypeScript/JavaScript front end's findings (tfjs and a user's einsum
 * module), as text edits over the analysed text: the same contract as the Python fixes in
 * index.ts. A fix that would be unsafe (`RewriteRefusal`) or whose result parses worse than
 * the original is not offered.
 */
import type { FileAnalysis, Finding, RuleCode } from '../analysis/model';
import { applyEdits, editsConflict, mergeTouching, type Fix, type FixEdit } from './edits';
import { attempt, chainOf, memberOfChain, sameEdits, withhold, type Builder, type WithheldFix } from './fix-list';
import { notApplicable, RewriteRefusal } from './refusal';
import { explicitEquationFix, fuseChainFix, matmulOrderFix, newTfjsContext, siteById, splitFix, type TfjsFixContext } from './tfjs-fixes';
import { tfjsScalarFoldFix } from './tfjs-scalars';

/** Which findings' fixes go first when edits collide: the larger rewrite subsumes the smaller. */
const PRIORITY: readonly RuleCode[] = ['EIN009', 'EIN004', 'EIN005', 'EIN001', 'EIN006'];

/** The fixes for the findings on one site (a chain's fix is listed under each of its members). */
export function tfjsFixesForSite(analysis: FileAnalysis, siteId: number, text: string): { fixes: Fix[]; withheld: WithheldFix[] } {
  const relevant = analysis.findings.filter((f) => f.site === siteId || memberOfChain(analysis, f, siteId));
  const context = newTfjsContext(analysis, text);
  const fixes: Fix[] = [];
  const withheld: WithheldFix[] = [];
  for (const finding of relevant) {
    let first = true;
    for (const builder of buildersFor(finding)) {
      const fix = attempt(() => builder.build(context));
      if (fix instanceof RewriteRefusal) {
        withhold(withheld, finding.code, builder.title, fix);
        continue;
      }
      if (fixes.some((f) => sameEdits(f, fix)) || !context.source.parsesAfter(applyEdits(text, fix.edits).text)) continue;
      fixes.push({ ...fix, isPreferred: first });
      first = false;
    }
  }
  return { fixes, withheld };
}

/** Every finding's preferred fix, as one `source.fixAll` edit set; null when nothing applies. */
export function tfjsFixAll(analysis: FileAnalysis, text: string, options: { only?: readonly RuleCode[] } = {}): Fix | null {
  const findings = analysis.findings
    .filter((f) => !options.only || options.only.includes(f.code))
    .sort((a, b) => rank(a.code) - rank(b.code) || a.range.start - b.range.start);
  // One parse of the whole set first: checking after each fix re-parses the file once per finding
  // (hours for thousands of findings). Only when the set parses worse is it rebuilt fix by fix.
  const context = newTfjsContext(analysis, text);
  let { accepted, edits } = chooseFixes(findings, context, () => true);
  const parses = (tentative: readonly FixEdit[]) => context.source.parsesAfter(applyEdits(text, tentative).text);
  if (!parses(edits)) ({ accepted, edits } = chooseFixes(findings, newTfjsContext(analysis, text), parses));
  if (accepted.length === 0) return null;
  const codes = [...new Set(accepted.map((f) => f.code))];
  return {
    title: `Apply ${accepted.length} einsight fix${accepted.length === 1 ? '' : 'es'} (${codes.join(', ')})`,
    kind: 'source.fixAll',
    code: accepted[0].code,
    edits: mergeTouching(edits),
  };
}

/** Each finding's first fix that collides with no fix accepted before it and `parses` with them. */
function chooseFixes(
  findings: readonly Finding[],
  context: TfjsFixContext,
  parses: (tentative: readonly FixEdit[]) => boolean,
): { accepted: Fix[]; edits: FixEdit[] } {
  const accepted: Fix[] = [];
  let edits: FixEdit[] = [];
  for (const finding of findings) {
    for (const builder of buildersFor(finding)) {
      const fix = attempt(() => builder.build(context));
      if (fix instanceof RewriteRefusal || fix.edits.some((e) => edits.some((other) => editsConflict(e, other)))) continue;
      const tentative = [...edits, ...fix.edits];
      if (!parses(tentative)) continue;
      edits = tentative;
      accepted.push(fix);
      break;
    }
  }
  return { accepted, edits };
}

function rank(code: RuleCode): number {
  const at = PRIORITY.indexOf(code);
  return at < 0 ? PRIORITY.length : at;
}

/** The fixes for one finding, in order of preference. */
function buildersFor(finding: Finding): Builder<TfjsFixContext>[] {
  const code = finding.code;
  const site = (context: TfjsFixContext) => {
    if (finding.site === null) throw notApplicable('the finding names no site');
    return siteById(context, finding.site);
  };
  const split = { title: 'Split into pairwise calls in the best order', build: (x: TfjsFixContext) => splitFix(x, site(x), code) };
  switch (code) {
    case 'EIN009':
      // More than two operands: split; otherwise an equation tfjs rejects: rewrite it.
      return [split, { title: 'Write the equation as tfjs reads it', build: (x) => explicitEquationFix(x, site(x), code) }];
    case 'EIN001':
      return [split];
    case 'EIN004':
      return [{ title: 'Fuse the chain into one contraction', build: (x) => fuseChainFix(x, chainOf(x.analysis, finding), code) }];
    case 'EIN005':
      return [{ title: 'Apply the scalar factors once', build: (x) => tfjsScalarFoldFix(x, site(x), code) }];
    case 'EIN006':
      return [{ title: 'Multiply in the cheapest order', build: (x) => matmulOrderFix(x, site(x), code) }];
    default:
      return [];
  }
}
