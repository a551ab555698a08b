/**
 * Quick fixes for the analysis' findings, as text edits over the analysed text. Each finding
 * code maps to the fixes that resolve it; a fix that would be unsafe (see `RewriteRefusal`) or
 * whose result does not parse is not offered. `fixAll` combines the preferred fix of every
 * finding whose edits do not collide, checking that the file still parses.
 */
import type { ChainInfo, ContractionSite, FileAnalysis, Finding, RuleCode } from '../analysis/model';
import { bestOrderFix, optimizeArgumentFix } from './best-order';
import { siteById, type FixContext } from './context';
import { editsConflict, mergeTouching, type Fix, type FixEdit } from './edits';
import { fuseChainFix } from './fuse-chain';
import { matmulOrderFix } from './matmul-order';
import { NameAllocator } from './names';
import { parsesAfter, pythonSource } from './python-parsers';
import { attempt, chainOf, memberOfChain, sameEdits, withhold, type Builder, type WithheldFix } from './fix-list';
import { RewriteRefusal } from './refusal';
import { scalarFoldFix } from './scalar-fold';
import { guarded } from './fix-policy';
import { sizeAdaptiveFix } from './size-adaptive';

export type { Fix, FixEdit } from './edits';
export type { WithheldFix } from './fix-list';
export { prepareRewrites, rewritesReady } from './python-parsers';

export interface FixAllOptions {
  /** Only fixes for these codes (the CLI's `--only`). */
  only?: readonly RuleCode[];
}

/** The fixes offered on one site, and those withheld with the reason the user is shown. */
export interface SiteFixes {
  fixes: Fix[];
  withheld: WithheldFix[];
}

/** The fixes for the findings on one site (a chain's fix is listed under each of its members). */
export function fixesForSite(analysis: FileAnalysis, siteId: number, text: string): Fix[] {
  return siteFixes(analysis, siteId, text).fixes;
}

export function siteFixes(analysis: FileAnalysis, siteId: number, text: string): SiteFixes {
  if (analysis.language === 'typescript') return tfjs().tfjsFixesForSite(analysis, siteId, text);
  if (analysis.language !== 'python') return { fixes: [], withheld: [] };
  const relevant = analysis.findings.filter((f) => f.site === siteId || memberOfChain(analysis, f, siteId));
  const fixes: Fix[] = [];
  const withheld: WithheldFix[] = [];
  for (const finding of relevant) {
    let first = true;
    for (const builder of buildersFor(finding)) {
      const fix = attempt(() => builder.build(newContext(analysis, text)));
      if (fix instanceof RewriteRefusal) {
        withhold(withheld, finding.code, builder.title, fix);
        continue;
      }
      if (fixes.some((f) => sameEdits(f, fix)) || !parsesAfter(text, fix.edits)) continue;
      // The first fix that applies is the one to prefer for this finding.
      fixes.push({ ...fix, isPreferred: first });
      first = false;
    }
  }
  for (const chain of analysis.chains) {
    // A chain whose fusion could change the result has no finding; say why it is not fused.
    if (!chain.blocked || !chain.members.includes(siteId) || !fusingSaves(chain)) continue;
    withhold(withheld, 'EIN004', TITLES.fuse, new RewriteRefusal(chain.blocked.reason, true, chain.blocked.at));
  }
  return { fixes, withheld };
}

function fusingSaves(chain: ChainInfo): boolean {
  return chain.best !== null && chain.baselineFlops !== null && chain.best.flops < chain.baselineFlops;
}

/** Every finding's preferred fix, as one `source.fixAll` edit set; null when nothing applies. */
export function fixAll(analysis: FileAnalysis, text: string, options: FixAllOptions = {}): Fix | null {
  if (analysis.language === 'typescript') return tfjs().tfjsFixAll(analysis, text, options);
  if (analysis.language !== 'python') return null;
  const findings = analysis.findings
    .filter((f) => !options.only || options.only.includes(f.code))
    // An explicit optimize=False is the user's choice: offered as a quick fix, never applied wholesale.
    .filter((f) => f.site === null || analysis.sites[f.site]?.options.optimize?.value !== false)
    .sort((a, b) => PRIORITY.indexOf(a.code) - PRIORITY.indexOf(b.code) || a.range.start - b.range.start);
  // Fixes are built to parse, so the whole set is checked with one parse first: a check per fix
  // re-parses the file once per finding (minutes for thousands of findings). Fixes far apart do
  // not change how each other parses, so a set that parses stands for each fix parsing alone;
  // only when it does not, or a fix set aside for a collision might not parse (its finding
  // would then try its next fix), is every fix checked on its own.
  const optimistic = chooseFixes(findings, newContext(analysis, text), () => true);
  const allParse =
    parsesAfter(text, uniqueEdits(optimistic.chosen.flatMap((f) => f.edits))) && optimistic.collided.every((f) => parsesAfter(text, f.edits));
  const accepted = allParse
    ? optimistic.chosen
    : combine(text, chooseFixes(findings, newContext(analysis, text), (fix) => parsesAfter(text, fix.edits)).chosen);
  if (accepted.length === 0) return null;
  const codes = [...new Set(accepted.map((f) => f.code))];
  return {
    title: `Apply ${accepted.length} einsight fix${accepted.length === 1 ? '' : 'es'} (${codes.join(', ')})`,
    kind: 'source.fixAll',
    code: accepted[0].code,
    edits: mergeTouching(uniqueEdits(accepted.flatMap((f) => f.edits))),
  };
}

/**
 * Each finding's first fix that builds and `parses`, chosen when it collides with no fix chosen
 * before it, else set aside as `collided`.
 */
function chooseFixes(findings: readonly Finding[], context: FixContext, parses: (fix: Fix) => boolean): { chosen: Fix[]; collided: Fix[] } {
  const chosen: Fix[] = [];
  const collided: Fix[] = [];
  for (const finding of findings) {
    for (const builder of buildersFor(finding)) {
      const fix = attempt(() => builder.build(context));
      if (fix instanceof RewriteRefusal || !parses(fix)) continue;
      // An edit another chosen fix makes too (a shared helper) is made once, not a collision.
      const own = fix.edits.filter((e) => !chosen.some((taken) => taken.edits.some((other) => sameEdit(e, other))));
      const collides = own.some((e) => chosen.some((taken) => taken.edits.some((other) => editsConflict(e, other))));
      (collides ? collided : chosen).push(fix);
      break;
    }
  }
  return { chosen, collided };
}

/**
 * Fixes that parse alone almost always parse together: one check of the whole set; only when
 * it fails are they added one at a time, each kept only if the text still parses.
 */
function combine(text: string, fixes: Fix[]): Fix[] {
  if (parsesAfter(text, uniqueEdits(fixes.flatMap((f) => f.edits)))) return fixes;
  const accepted: Fix[] = [];
  for (const fix of fixes) {
    if (parsesAfter(text, uniqueEdits([...accepted.flatMap((f) => f.edits), ...fix.edits]))) accepted.push(fix);
  }
  return accepted;
}

/** Which findings' fixes go first when edits collide: the larger rewrite subsumes the smaller. */
const PRIORITY: readonly RuleCode[] = ['EIN004', 'EIN006', 'EIN005', 'EIN001', 'EIN007'];

/** What each fix is called when it is withheld. */
const TITLES = {
  pairwise: 'Contract pairwise in the best order',
  optimize: 'Pass the best path as optimize=',
  fuse: 'Fuse the chain into one contraction',
  scalar: 'Apply the scalar factors once',
  matmul: 'Multiply in the cheapest order',
  adaptive: 'Search the path once per shape and reuse it',
};

/** The fixes for one finding, in order of preference (fix-policy.ts decides which may fix a path). */
function buildersFor(finding: Finding): Builder<FixContext>[] {
  const code = finding.code;
  const site = (context: FixContext): ContractionSite => siteById(context, finding.site!);
  const fixed = (title: string, build: (context: FixContext) => Fix) => ({ title, build: guarded(finding, build, true) });
  const pairwise = fixed(TITLES.pairwise, (x) => bestOrderFix(x, site(x), code));
  const optimize = fixed(TITLES.optimize, (x) => optimizeArgumentFix(x, site(x), code));
  const adaptive = { title: TITLES.adaptive, build: guarded(finding, (x) => sizeAdaptiveFix(x, site(x), code, finding), false) };
  switch (code) {
    case 'EIN001':
      return [pairwise, optimize, adaptive];
    case 'EIN004':
      return [fixed(TITLES.fuse, (x) => fuseChainFix(x, chainOf(x.analysis, finding), code))];
    case 'EIN005':
      return [{ title: TITLES.scalar, build: guarded(finding, (x) => scalarFoldFix(x, site(x), code), false) }];
    case 'EIN006':
      return [fixed(TITLES.matmul, (x) => matmulOrderFix(x, site(x), code))];
    case 'EIN007':
      // A fixed path keeps the call as it is where the library takes one; pairwise calls fix the order anywhere.
      return [optimize, pairwise, adaptive];
    default:
      return [];
  }
}

function sameEdit(a: FixEdit, b: FixEdit): boolean {
  return a.range.start === b.range.start && a.range.end === b.range.end && a.newText === b.newText;
}

/** Each edit once: fixes sharing a helper insert it at the same place with the same text. */
function uniqueEdits(edits: FixEdit[]): FixEdit[] {
  return edits.filter((e, i) => edits.findIndex((other) => sameEdit(e, other)) === i);
}

/**
 * The tfjs rewrites, loaded with the first TypeScript analysis they are asked about: they bring
 * the TypeScript compiler, which a language server for a Python-only workspace never loads.
 */
function tfjs(): typeof import('./tfjs') {
  return require('./tfjs');
}

function newContext(analysis: FileAnalysis, text: string): FixContext {
  const source = pythonSource(text);
  return { analysis, source, names: new NameAllocator(source.names()) };
}
