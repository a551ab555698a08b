/**
 * Which fixes a finding may offer. A fix that fixes the contraction path is offered only where
 * it is no worse at every size the code allows: known sizes, or a claim proven for every
 * symbolic size. Where the gain depends on the sizes, or the library searches its path at run
 * time from sizes einsight does not know, the size-adaptive form is offered instead (the search
 * done once per shape). Calls through a wrapper are left alone: the rewrite would bypass it.
 */
import type { ContractionSite, FileAnalysis, Finding } from '../analysis/model';
import type { FixContext } from './context';
import type { Fix } from './edits';
import { RewriteRefusal } from './refusal';

type Builder = (context: FixContext) => Fix;

/** Why no path may be fixed for this finding; null when one may. */
export function fixedPathRefusal(finding: Finding, site: ContractionSite | null): string | null {
  if (finding.condition) return `the best order depends on the sizes (cheaper when ${finding.condition})`;
  if (site?.symbolic && finding.code === 'EIN007') return 'the sizes are not known';
  return null;
}

/** The builder, refusing calls made through a wrapper and, for `fixesPath`, findings whose gain depends on sizes. */
export function guarded(finding: Finding, build: Builder, fixesPath: boolean): Builder {
  return (context) => {
    const sites = involvedSites(context.analysis, finding);
    const wrapped = sites.find((s) => s.via);
    if (wrapped) throw new RewriteRefusal(`the call goes through ${wrapped.via}`);
    const refusal = fixesPath ? fixedPathRefusal(finding, sites[0] ?? null) : null;
    if (refusal) throw new RewriteRefusal(refusal);
    return build(context);
  };
}

function involvedSites(analysis: FileAnalysis, finding: Finding): ContractionSite[] {
  const chain = finding.chain === null ? null : analysis.chains.find((c) => c.id === finding.chain);
  const ids = chain ? chain.members : finding.site === null ? [] : [finding.site];
  return analysis.sites.filter((s) => ids.includes(s.id));
}
