/**
 * One analysed text and the editor documents it came from. A Python file is one slice; a
 * notebook is its code cells joined in order, one slice per cell, so an einsum in cell 3 sees
 * the shapes defined in cell 1 and every finding maps back to the cell (and cell version) it is
 * in. Snapshots are immutable: a feature answering for version 7 never reads version 8's text.
 */
import type { Position, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SourceRange } from '../analysis/model';

export interface SourceSlice {
  uri: string;
  /** The editor's version of this document (a notebook cell's own version). */
  version: number;
  /** Where the document's text sits in the analysed text: [start, end). */
  start: number;
  end: number;
  document: TextDocument;
}

export interface SourceLocation {
  uri: string;
  range: Range;
}

export class UnitSnapshot {
  constructor(
    /** The document's uri, or the notebook's. */
    readonly key: string,
    readonly languageId: string,
    /** Bumped by every change to any slice: what the analysis and its results are keyed by. */
    readonly version: number,
    readonly text: string,
    readonly slices: readonly SourceSlice[],
  ) {}

  slice(uri: string): SourceSlice | undefined {
    return this.slices.find((s) => s.uri === uri);
  }

  /** The offset in the analysed text of a position in one of the documents; null for another document. */
  offsetAt(uri: string, position: Position): number | null {
    const slice = this.slice(uri);
    return slice ? slice.start + slice.document.offsetAt(position) : null;
  }

  /** The document and range holding an analysed range; null where it spans two cells. */
  locate(range: SourceRange): SourceLocation | null {
    const slice = this.sliceAt(range.start);
    if (!slice || range.end > slice.end || range.end < range.start) return null;
    const start = Math.max(range.start, slice.start) - slice.start;
    return {
      uri: slice.uri,
      range: { start: slice.document.positionAt(start), end: slice.document.positionAt(range.end - slice.start) },
    };
  }

  /** The range in `uri`, or null when the analysed range lies in another document. */
  rangeIn(uri: string, range: SourceRange): Range | null {
    const location = this.locate(range);
    return location && location.uri === uri ? location.range : null;
  }

  /** The slice holding `offset`; an offset on a separator belongs to the cell before it. */
  private sliceAt(offset: number): SourceSlice | undefined {
    let low = 0;
    let high = this.slices.length - 1;
    let found: SourceSlice | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.slices[mid].start <= offset) {
        found = this.slices[mid];
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
