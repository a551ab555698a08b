/** The result shape after each contraction call, e.g. `np.einsum('ij,jk->ik', a, b) → (64, 32)`. */
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { AnalysisResult } from '../workspace/scheduler';
import { shapeText } from './format';
import { overlaps } from './sites';

export function inlayHints(result: AnalysisResult, uri: string, range: Range): InlayHint[] {
  const { analysis, snapshot, settings } = result;
  if (!analysis || !settings.inlayHints.enable) return [];
  const slice = snapshot.slice(uri);
  if (!slice) return [];
  const wanted = {
    start: slice.start + slice.document.offsetAt(range.start),
    end: slice.start + slice.document.offsetAt(range.end),
  };
  const hints: InlayHint[] = [];
  for (const site of analysis.sites) {
    const c = site.contraction;
    if (!c || !overlaps(site.range, wanted)) continue;
    const position = snapshot.rangeIn(uri, { start: site.range.end, end: site.range.end })?.start;
    if (!position) continue;
    const labels = c.output.map((l) => `${c.labels[l]}=${c.sizes[l].symbol ?? c.sizes[l].value}`).join(', ');
    hints.push({
      position,
      label: `→ ${shapeText(c, c.output)}`,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: c.output.length > 0 ? `Result shape of ${site.qualifiedName}: ${labels}` : `${site.qualifiedName} returns a scalar`,
    });
  }
  return hints;
}
