/**
 * A "Measure" lens on each contraction whose shapes are known. It runs the client's
 * `einsight.measure` command with the document and the call's position: the measure feature
 * analyses that document itself, so a position (unlike a site id of this analysis, which
 * counts a whole notebook's sites) means the same call there.
 */
import type { CodeLens } from 'vscode-languageserver';
import type { AnalysisResult } from '../workspace/scheduler';

export const MEASURE_COMMAND = 'einsight.measure';

export function codeLenses(result: AnalysisResult, uri: string): CodeLens[] {
  const { analysis, snapshot } = result;
  if (!analysis) return [];
  const lenses: CodeLens[] = [];
  const perLine = new Map<number, number>();
  const located = analysis.sites.flatMap((site) => {
    const range = site.contraction ? snapshot.rangeIn(uri, site.range) : null;
    if (!range) return [];
    perLine.set(range.start.line, (perLine.get(range.start.line) ?? 0) + 1);
    return [{ site, range }];
  });
  for (const { site, range } of located) {
    // Several calls on one line each get a lens: name them so the reader can tell which is which.
    const crowded = (perLine.get(range.start.line) ?? 0) > 1;
    const equation = site.normalizedEquation ?? site.equation.text;
    lenses.push({
      range: { start: range.start, end: range.start },
      command: {
        title: crowded && equation ? `Measure ${equation}` : 'Measure',
        command: MEASURE_COMMAND,
        arguments: [uri, range.start],
      },
    });
  }
  return lenses;
}
