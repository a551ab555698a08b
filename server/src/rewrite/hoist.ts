/** Turning emitted code (temporaries + an expression) into edits, and deleting statements. */
import type { SourceRange } from '../analysis/model';
import { insert, replace, type FixEdit } from './edits';
import { hoistedText, type HoistPoint, type PythonSource } from './python-source';
import { RewriteRefusal } from './refusal';

/** Inserts `lines` before the statement and replaces `range` with `expression`. */
export function hoistAndReplace(point: HoistPoint | null, lines: readonly string[], range: SourceRange, expression: string): FixEdit[] {
  if (lines.length === 0) return [replace(range, expression)];
  if (!point) throw new RewriteRefusal('temporaries cannot go here');
  const hoisted = hoistedText(point, lines);
  // One edit when the call starts the statement: an insertion and a replacement at one offset.
  if (point.offset === range.start) return [replace(range, hoisted + expression)];
  return [insert(point.offset, hoisted), replace(range, expression)];
}

/**
 * Removes a statement. Alone on its line, the whole line goes (a trailing comment stays, on a
 * line of its own); after or before `;`, the statement and its separator go.
 */
export function deleteStatement(source: PythonSource, statement: SourceRange): FixEdit {
  const text = source.text;
  const lineStart = source.lineStart(statement.start);
  const lineEnd = source.lineEnd(statement.end);
  const prefix = text.slice(lineStart, statement.start);
  const suffix = text.slice(statement.end, lineEnd);
  const comment = /^[ \t]*(#[^\r]*)\r?$/.exec(suffix);
  if (/^[ \t]*$/.test(prefix)) {
    if (/^[ \t]*\r?$/.test(suffix)) {
      return replace({ start: lineStart, end: Math.min(lineEnd + 1, text.length) }, '');
    }
    if (comment) return replace({ start: statement.start, end: statement.end + comment[0].replace(/\r$/, '').length }, comment[1]);
    const next = /^[ \t]*;[ \t]*/.exec(suffix);
    if (next) return replace({ start: statement.start, end: statement.end + next[0].length }, '');
  }
  const before = /;[ \t]*$/.exec(prefix);
  if (before) return replace({ start: lineStart + before.index, end: statement.end }, '');
  throw new RewriteRefusal('a statement to remove shares its line in a way the fix cannot edit safely');
}
