/** Fixes as plain text edits over the analysed text, and applying them. */
import type { RuleCode, SourceRange } from '../analysis/model';

export interface FixEdit {
  /** Offsets in the analysed text. */
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  kind: 'quickfix' | 'source.fixAll';
  /** The diagnostic code the fix resolves. */
  code: RuleCode;
  edits: FixEdit[];
  isPreferred?: boolean;
}

export function replace(range: SourceRange, newText: string): FixEdit {
  return { range: { start: range.start, end: range.end }, newText };
}

export function insert(offset: number, newText: string): FixEdit {
  return { range: { start: offset, end: offset }, newText };
}

/** Edits in LSP order: by position; insertions at one offset keep the order given. */
export function sortEdits(edits: readonly FixEdit[]): FixEdit[] {
  return edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.range.start - b.edit.range.start || a.edit.range.end - b.edit.range.end || a.index - b.index)
    .map(({ edit }) => edit);
}

/** Two edits touch the same text (or insert at the same place, whose order would be ambiguous). */
export function editsConflict(a: FixEdit, b: FixEdit): boolean {
  const ra = a.range;
  const rb = b.range;
  if (ra.start === rb.start) return true;
  return ra.start < rb.end && rb.start < ra.end;
}

export interface AppliedEdits {
  text: string;
  /** Where each edit's new text lies in the result. */
  regions: SourceRange[];
}

/** Applies non-overlapping edits; throws on overlap, which would make the result ambiguous. */
export function applyEdits(text: string, edits: readonly FixEdit[]): AppliedEdits {
  const sorted = sortEdits(edits);
  let out = '';
  let cursor = 0;
  const regions: SourceRange[] = [];
  for (const edit of sorted) {
    if (edit.range.start < cursor || edit.range.end < edit.range.start || edit.range.end > text.length) {
      throw new RangeError(`overlapping or invalid edit at ${edit.range.start}..${edit.range.end}`);
    }
    out += text.slice(cursor, edit.range.start);
    regions.push({ start: out.length, end: out.length + edit.newText.length });
    out += edit.newText;
    cursor = edit.range.end;
  }
  return { text: out + text.slice(cursor), regions };
}

/** One edit where an insertion meets the start of another edit: clients need not order them. */
export function mergeTouching(edits: readonly FixEdit[]): FixEdit[] {
  const merged: FixEdit[] = [];
  for (const edit of sortEdits(edits)) {
    const previous = merged.at(-1);
    if (previous && previous.range.start === previous.range.end && previous.range.end === edit.range.start) {
      merged[merged.length - 1] = replace(edit.range, previous.newText + edit.newText);
    } else if (previous && previous.range.end === edit.range.start && edit.range.start === edit.range.end) {
      merged[merged.length - 1] = replace(previous.range, previous.newText + edit.newText);
    } else {
      merged.push(edit);
    }
  }
  return merged;
}
