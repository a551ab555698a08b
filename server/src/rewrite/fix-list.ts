/** What the Python and tfjs fix lists share: finding lookups, turning builders into fixes, withheld fixes. */
import type { ChainInfo, FileAnalysis, Finding, RuleCode, SourceRange } from '../analysis/model';
import { mergeTouching, type Fix } from './edits';
import { notApplicable, RewriteRefusal } from './refusal';

/** A fix that would resolve a finding but is not offered, and why (shown to the user). */
export interface WithheldFix {
  code: RuleCode;
  /** What the fix would do, as a title without figures: `Contract pairwise in the best order`. */
  title: string;
  reason: string;
  /** The code the reason points at, when it is elsewhere than the call (`sgd_step(...)` on line 12). */
  at: SourceRange | null;
}

/** One way to resolve a finding: what it is called when withheld, and how to build it. */
export interface Builder<C> {
  title: string;
  build: (context: C) => Fix;
}

export function chainOf(analysis: FileAnalysis, finding: Finding): ChainInfo {
  const chain = analysis.chains.find((c) => c.id === finding.chain);
  if (!chain) throw notApplicable('the finding names no chain');
  return chain;
}

export function memberOfChain(analysis: FileAnalysis, finding: Finding, siteId: number): boolean {
  return finding.chain !== null && analysis.chains.some((c) => c.id === finding.chain && c.members.includes(siteId));
}

/** The fix, with its edits merged where they touch; the refusal when the builder refuses. */
export function attempt(build: () => Fix): Fix | RewriteRefusal {
  try {
    const fix = build();
    return { ...fix, edits: mergeTouching(fix.edits) };
  } catch (error) {
    if (error instanceof RewriteRefusal) return error;
    throw error;
  }
}

export function sameEdits(a: Fix, b: Fix): boolean {
  return JSON.stringify(a.edits) === JSON.stringify(b.edits);
}

/** Adds a shown refusal to the withheld list, once per title and reason. */
export function withhold(list: WithheldFix[], code: RuleCode, title: string, refusal: RewriteRefusal): void {
  if (!refusal.shown || list.some((w) => w.title === title && w.reason === refusal.message)) return;
  list.push({ code, title, reason: refusal.message, at: refusal.at });
}
