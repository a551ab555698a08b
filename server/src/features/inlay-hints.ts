/**
 * The result shape after each contraction call, e.g. `np.einsum('ij,jk->ik', a, b) → (64, 32)`;
 * for nested calls only after the outer one, whose result is what the line produces.
 */
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { AnalysisResult } from '../workspace/scheduler';
import { shapeText } from './format';
import { outermostSites } from './sites';

/** Every hint of the document (a request takes those in its range: `hintsIn`). */
export function inlayHints(result: AnalysisResult, uri: string): InlayHint[] {
  const { analysis, snapshot, settings } = result;
  if (!analysis || !settings.inlayHints.enable) return [];
  const hints: InlayHint[] = [];
  for (const site of outermostSites(analysis)) {
    const c = site.contraction;
    if (!c) continue;
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

/** The hints inside `range` (both ends included, as a hint at the end of the last line shows). */
export function hintsIn(hints: readonly InlayHint[], range: Range): InlayHint[] {
  const after = (a: Range['start'], b: Range['start']) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return hints.filter((hint) => after(hint.position, range.start) && after(range.end, hint.position));
}
