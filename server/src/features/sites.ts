/** Finding the contraction site under the cursor. */
import type { ContractionSite, FileAnalysis, SourceRange } from '../analysis/model';

/** The innermost site whose call covers `offset` (a nested einsum wins over the one around it). */
export function siteAt(analysis: FileAnalysis, offset: number): ContractionSite | null {
  let best: ContractionSite | null = null;
  for (const site of analysis.sites) {
    if (!covers(site.range, offset)) continue;
    if (!best || site.range.end - site.range.start < best.range.end - best.range.start) best = site;
  }
  return best;
}

/** Inclusive of the end, so the cursor just after `)` still counts. */
export function covers(range: SourceRange, offset: number): boolean {
  return range.start <= offset && offset <= range.end;
}

export function overlaps(a: SourceRange, b: SourceRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/**
 * The sites not inside another site's call: in `np.einsum('ij,jk->ik', np.einsum(...), w)` the
 * outer call. Lenses and inlay hints go on these only, so nested calls do not crowd a line.
 */
export function outermostSites(analysis: FileAnalysis): ContractionSite[] {
  const sorted = [...analysis.sites].sort((a, b) => a.range.start - b.range.start || b.range.end - a.range.end);
  const outer: ContractionSite[] = [];
  let reach = -1;
  for (const site of sorted) {
    if (site.range.end <= reach) continue;
    outer.push(site);
    reach = site.range.end;
  }
  return outer;
}
