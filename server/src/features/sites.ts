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
