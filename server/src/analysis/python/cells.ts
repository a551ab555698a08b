/**
 * Notebook cells analysed as one module, in order: each cell starts on a line of its own, and
 * IPython magics (`%timeit`, `%%time`, `!pip`) become comments of the same length so every
 * offset still points into its cell.
 */

export interface JoinedCells {
  text: string;
  /** [start, end) of each cell's text inside `text`. */
  cells: { start: number; end: number }[];
}

const MAGIC_LINE = /^([ \t]*)[%!]/gm;

export function joinCells(cells: readonly string[]): JoinedCells {
  let text = '';
  const spans: JoinedCells['cells'] = [];
  for (const cell of cells) {
    if (text.length > 0 && !text.endsWith('\n')) text += '\n';
    const start = text.length;
    text += cell.replace(MAGIC_LINE, '$1#');
    spans.push({ start, end: text.length });
  }
  return { text, cells: spans };
}

/** Which cell an offset of the joined text falls in, and the offset inside that cell; null between cells. */
export function cellPosition(joined: JoinedCells, offset: number): { cell: number; offset: number } | null {
  for (let i = 0; i < joined.cells.length; i++) {
    const { start, end } = joined.cells[i];
    if (offset >= start && offset <= end) return { cell: i, offset: offset - start };
  }
  return null;
}
