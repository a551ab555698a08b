/**
 * A "Measure" lens above contractions whose shapes are known: by default only those with a
 * finding (`einsight.codeLens`: `findings`, `all` or `off`), never on a call nested in another.
 * It runs `measureCommand` with the document and the call's position: the VS Code client's own
 * command (a results panel), or the server's, which any client can run (a markdown report). The
 * measure feature analyses that document itself, so a position (unlike a site id of this
 * analysis, which counts a whole notebook's sites) means the same call there.
 */
import type { CodeLens } from 'vscode-languageserver';
import type { AnalysisResult } from '../workspace/scheduler';
import { outermostSites } from './sites';

export function codeLenses(result: AnalysisResult, uri: string, measureCommand: string): CodeLens[] {
  const { analysis, snapshot, settings } = result;
  if (!analysis || settings.codeLens === 'off') return [];
  const withFindings = new Set(analysis.findings.map((f) => f.site));
  const perLine = new Map<number, number>();
  const located = outermostSites(analysis).flatMap((site) => {
    if (settings.codeLens === 'findings' && !withFindings.has(site.id)) return [];
    const range = site.contraction ? snapshot.rangeIn(uri, site.range) : null;
    if (!range) return [];
    perLine.set(range.start.line, (perLine.get(range.start.line) ?? 0) + 1);
    return [{ site, range }];
  });
  return located.map(({ site, range }) => {
    // Several calls on one line each get a lens: name them so the reader can tell which is which.
    const crowded = (perLine.get(range.start.line) ?? 0) > 1;
    const equation = site.normalizedEquation ?? site.equation.text;
    return {
      range: { start: range.start, end: range.start },
      command: { title: crowded && equation ? `Measure ${equation}` : 'Measure', command: measureCommand, arguments: [uri, range.start] },
    };
  });
}
