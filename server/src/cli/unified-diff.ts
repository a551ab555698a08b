/**
 * Unified diffs of a text and its edited version, built from the edits themselves (no line
 * matching needed): each group of edited lines becomes a change, unchanged lines at its edges
 * are trimmed, and changes within six lines of each other share a hunk, as `diff -u` prints.
 */
import { lastAtOrBelow } from '../core/sorted';
import { applyEdits, sortEdits, type FixEdit } from '../rewrite/edits';

const CONTEXT = 3;

interface Change {
  /** 0-based first line of the original that changes, and how many. */
  start: number;
  removed: string[];
  added: string[];
}

/** Lines with their line breaks kept, so a missing final newline shows. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function unifiedDiff(path: string, text: string, edits: readonly FixEdit[]): string {
  if (edits.length === 0) return '';
  const lines = splitLines(text);
  const lineStarts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    lineStarts.push(offset);
    offset += line.length;
  }
  const lineOf = (at: number): number => lastAtOrBelow(lineStarts, at);
  const changes = changesOf(text, lines, lineStarts, lineOf, sortEdits(edits));
  return [`--- a/${path}`, `+++ b/${path}`, ...hunks(lines, changes)].join('\n') + '\n';
}

function changesOf(text: string, lines: string[], lineStarts: number[], lineOf: (at: number) => number, edits: FixEdit[]): Change[] {
  const groups: { first: number; last: number; edits: FixEdit[] }[] = [];
  for (const edit of edits) {
    const first = lineOf(edit.range.start);
    const last = edit.range.end > edit.range.start ? lineOf(edit.range.end - 1) : first;
    const group = groups.at(-1);
    if (group && first <= group.last) {
      group.last = Math.max(group.last, last);
      group.edits.push(edit);
    } else {
      groups.push({ first, last, edits: [edit] });
    }
  }
  return groups.map(({ first, last, edits: group }) => {
    const from = lineStarts[first] ?? text.length;
    const to = last + 1 < lineStarts.length ? lineStarts[last + 1] : text.length;
    const shifted = group.map((e) => ({ ...e, range: { start: e.range.start - from, end: e.range.end - from } }));
    const removed = lines.slice(first, last + 1);
    const added = splitLines(applyEdits(text.slice(from, to), shifted).text);
    // Lines the edits left as they were are context, not change.
    let head = 0;
    while (head < removed.length && head < added.length && removed[head] === added[head]) head++;
    let tail = 0;
    while (tail < removed.length - head && tail < added.length - head && removed[removed.length - 1 - tail] === added[added.length - 1 - tail]) tail++;
    return { start: first + head, removed: removed.slice(head, removed.length - tail), added: added.slice(head, added.length - tail) };
  }).filter((c) => c.removed.length > 0 || c.added.length > 0);
}

function hunks(lines: string[], changes: Change[]): string[] {
  const out: string[] = [];
  let delta = 0;
  let i = 0;
  while (i < changes.length) {
    let j = i;
    while (j + 1 < changes.length && changes[j + 1].start - (changes[j].start + changes[j].removed.length) <= 2 * CONTEXT) j++;
    const first = changes[i];
    const last = changes[j];
    const start = Math.max(0, first.start - CONTEXT);
    const end = Math.min(lines.length, last.start + last.removed.length + CONTEXT);
    const body: string[] = [];
    let cursor = start;
    let added = 0;
    let removed = 0;
    for (const change of changes.slice(i, j + 1)) {
      for (; cursor < change.start; cursor++) body.push(...prefixed(' ', lines[cursor]));
      for (const line of change.removed) body.push(...prefixed('-', line));
      for (const line of change.added) body.push(...prefixed('+', line));
      cursor = change.start + change.removed.length;
      added += change.added.length;
      removed += change.removed.length;
    }
    for (; cursor < end; cursor++) body.push(...prefixed(' ', lines[cursor]));
    const oldCount = end - start;
    const newCount = oldCount - removed + added;
    const newStart = start + delta;
    out.push(`@@ -${range(start, oldCount)} +${range(newStart, newCount)} @@`, ...body);
    delta += added - removed;
    i = j + 1;
  }
  return out;
}

/** `start,count` with diff's conventions: 1-based, and the line before an empty range. */
function range(start: number, count: number): string {
  return `${count === 0 ? start : start + 1},${count}`;
}

function prefixed(marker: string, line: string): string[] {
  if (line.endsWith('\n')) return [`${marker}${line.slice(0, -1)}`];
  return [`${marker}${line}`, '\\ No newline at end of file'];
}
