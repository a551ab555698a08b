/** What the Python and tfjs fix lists share: finding lookups and turning builders into fixes. */
import type { ChainInfo, FileAnalysis, Finding } from '../analysis/model';
import { mergeTouching, type Fix } from './edits';
import { RewriteRefusal } from './refusal';

export function chainOf(analysis: FileAnalysis, finding: Finding): ChainInfo {
  const chain = analysis.chains.find((c) => c.id === finding.chain);
  if (!chain) throw new RewriteRefusal('the finding names no chain');
  return chain;
}

export function memberOfChain(analysis: FileAnalysis, finding: Finding, siteId: number): boolean {
  return finding.chain !== null && analysis.chains.some((c) => c.id === finding.chain && c.members.includes(siteId));
}

/** The fix, with its edits merged where they touch; null when the builder refuses. */
export function attempt(build: () => Fix): Fix | null {
  try {
    const fix = build();
    return { ...fix, edits: mergeTouching(fix.edits) };
  } catch (error) {
    if (error instanceof RewriteRefusal) return null;
    throw error;
  }
}

export function sameEdits(a: Fix, b: Fix): boolean {
  return JSON.stringify(a.edits) === JSON.stringify(b.edits);
}
