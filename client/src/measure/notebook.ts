/**
 * A notebook cell is measured in the context of the cells above it (where its arrays are
 * usually defined): the code cells of the same language up to and including it, joined as the
 * language server joins them — each cell on fresh lines, IPython magics turned into comments.
 */
import * as vscode from 'vscode';

const MAGIC_LINE = /^([ \t]*)[%!]/gm;

export interface CellContext {
  /** The joined text of the cells up to and including this one. */
  text: string;
  /** Lines before the cell's first line in `text`. */
  lineOffset: number;
}

/** The joined context of a notebook cell document; null for a document that is not a cell. */
export function cellContext(document: vscode.TextDocument): CellContext | null {
  if (document.uri.scheme !== 'vscode-notebook-cell') return null;
  for (const notebook of vscode.workspace.notebookDocuments) {
    const cells = notebook.getCells();
    const index = cells.findIndex((cell) => cell.document === document);
    if (index < 0) continue;
    let text = '';
    let lineOffset = 0;
    for (const cell of cells.slice(0, index + 1)) {
      if (cell.kind !== vscode.NotebookCellKind.Code || cell.document.languageId !== document.languageId) continue;
      if (text.length > 0 && !text.endsWith('\n')) text += '\n';
      lineOffset = text.split('\n').length - 1;
      text += cell.document.getText().replace(MAGIC_LINE, '$1#');
    }
    return { text, lineOffset };
  }
  return null;
}
