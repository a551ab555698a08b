/**
 * Jupyter notebooks (`.ipynb`, nbformat 4) for `einsight check`: the code cells, analysed
 * together in order as the kernel runs them, and findings located by cell (numbered as the
 * notebook shows them, markdown cells included) and line within the cell.
 */
import { cellPosition, type JoinedCells } from '../analysis/python/cells';
import type { Read } from './source-text';
import { LineIndex } from './line-index';

export interface NotebookCode {
  /** The code cells' sources, in order. */
  sources: string[];
  /** For each code cell, its 1-based number among all the notebook's cells. */
  numbers: number[];
}

interface RawCell {
  cell_type?: unknown;
  source?: unknown;
}

/** The code cells of a Python notebook; `{ ok: null }` for a notebook in another language. */
export function readNotebook(text: string): Read<NotebookCode | null> {
  let notebook: unknown;
  try {
    notebook = JSON.parse(text);
  } catch (error) {
    return { error: `not a valid notebook: ${(error as Error).message}` };
  }
  const cells = (notebook as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) return { error: 'not a valid notebook: no "cells" list (nbformat 4)' };
  if (!isPython(notebook as Record<string, unknown>)) return { ok: null };
  const code: NotebookCode = { sources: [], numbers: [] };
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as RawCell | null;
    if (cell?.cell_type !== 'code') continue;
    const source = cellSource(cell.source);
    if (source === null) return { error: `not a valid notebook: cell ${i + 1} has no text source` };
    code.sources.push(source);
    code.numbers.push(i + 1);
  }
  return { ok: code };
}

/** A notebook says nothing, or names Python in its kernel or language info. */
function isPython(notebook: Record<string, unknown>): boolean {
  const metadata = notebook.metadata as { kernelspec?: { language?: unknown }; language_info?: { name?: unknown } } | undefined;
  const language = metadata?.language_info?.name ?? metadata?.kernelspec?.language;
  return typeof language !== 'string' || language.toLowerCase() === 'python';
}

/** nbformat stores a cell's source as one string or as a list of lines. */
function cellSource(source: unknown): string | null {
  if (typeof source === 'string') return source;
  if (Array.isArray(source) && source.every((line) => typeof line === 'string')) return source.join('');
  return null;
}

/** Offsets of the joined cells to a cell number and a line and column inside that cell. */
export class NotebookIndex {
  private readonly lines: LineIndex[];

  constructor(
    private readonly joined: JoinedCells,
    private readonly numbers: readonly number[],
  ) {
    this.lines = joined.cells.map(({ start, end }) => new LineIndex(joined.text.slice(start, end)));
  }

  position(offset: number): { line: number; column: number; cell: number } {
    // Between two cells lies only the line break that separates them: it ends the cell before.
    const at = cellPosition(this.joined, offset) ?? this.cellBefore(offset);
    const { line, column } = this.lines[at.cell].position(at.offset);
    return { line, column, cell: this.numbers[at.cell] };
  }

  private cellBefore(offset: number): { cell: number; offset: number } {
    let cell = 0;
    while (cell + 1 < this.joined.cells.length && this.joined.cells[cell + 1].start <= offset) cell++;
    const { start, end } = this.joined.cells[cell];
    return { cell, offset: Math.min(Math.max(offset, start), end) - start };
  }
}
