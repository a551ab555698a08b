/**
 * What gets analysed as a whole: a text document, or the code cells of one notebook in order.
 * Each unit keeps the editor's text exactly (incremental sync), the edits since its analyzer
 * last saw it (so parsing stays incremental), and produces immutable snapshots.
 */
import type { TextDocumentContentChangeEvent, TextDocumentItem } from 'vscode-languageserver';
import { applyContentChanges, diffEdit } from './content-changes';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { SourceEdit } from './frontends';
import { UnitSnapshot, type SourceSlice } from './snapshot';

export abstract class Unit {
  /** Bumped on every change; analyses and published results carry it. */
  version = 1;
  /**
   * False once a change could not be applied (it was malformed): this text is no longer the
   * editor's, so nothing is analysed or proposed for it until the editor sends the whole text.
   */
  inSync = true;
  /** Edits since the analyzer last saw the text; null asks it for a parse from scratch. */
  private pendingEdits: SourceEdit[] | null = null;
  private cached: UnitSnapshot | null = null;

  constructor(
    readonly key: string,
    readonly languageId: string,
  ) {}

  abstract readonly kind: 'text' | 'notebook';

  /** The editor documents in this unit (one, or a notebook's cells). */
  abstract documentUris(): string[];

  protected abstract buildSnapshot(): UnitSnapshot;

  snapshot(): UnitSnapshot {
    this.cached ??= this.buildSnapshot();
    return this.cached;
  }

  /** Hands the edits to the analyzer that will see the current text, and starts a new list. */
  takeEdits(): SourceEdit[] | null {
    const edits = this.pendingEdits;
    this.pendingEdits = [];
    return edits;
  }

  /** The analyzer lost its state (it crashed or was replaced): the next analysis parses from scratch. */
  forgetEdits(): void {
    this.pendingEdits = null;
  }

  /** The editor applied a change this unit could not: its text is the editor's no more. */
  loseSync(): void {
    this.inSync = false;
    this.version++;
    this.cached = null;
    // Edits are not kept meanwhile: the analysis after the whole text arrives parses afresh.
    this.pendingEdits = null;
  }

  /** Records a change: `edits` turn the previous text into the new one (null: unknown). */
  protected changed(edits: readonly SourceEdit[] | null): void {
    this.version++;
    this.cached = null;
    if (edits === null) this.pendingEdits = null;
    else this.pendingEdits?.push(...edits);
  }
}

export class TextUnit extends Unit {
  readonly kind = 'text';
  private document: TextDocument;

  constructor(item: TextDocumentItem) {
    super(item.uri, item.languageId);
    this.document = TextDocument.create(item.uri, item.languageId, item.version, item.text);
  }

  get editorVersion(): number {
    return this.document.version;
  }

  documentUris(): string[] {
    return [this.key];
  }

  /** Applies LSP content changes in order; each change's range refers to the text left by the one before. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], editorVersion: number): void {
    const result = applyContentChanges(this.document, changes, editorVersion);
    this.document = result.document;
    // A change of the whole text makes this the editor's text again, whatever was lost before.
    if (changes.some((change) => !('range' in change) || !change.range)) this.inSync = true;
    this.changed(result.edits);
  }

  protected buildSnapshot(): UnitSnapshot {
    const text = this.document.getText();
    const slice: SourceSlice = { uri: this.key, version: this.document.version, start: 0, end: text.length, document: this.document };
    return new UnitSnapshot(this.key, this.languageId, this.version, text, [slice]);
  }
}

export interface NotebookCellState {
  uri: string;
  /** Code cells are analysed; markup cells only keep their place. */
  code: boolean;
  document: TextDocument | null;
}

/**
 * A notebook's code cells joined with newlines. IPython magics (`%timeit`, `!pip`) are masked to
 * comments of the same length, so the Python parser sees valid code and offsets stay exact.
 */
export class NotebookUnit extends Unit {
  readonly kind = 'notebook';
  private cellList: NotebookCellState[];
  /** Cells by document uri: a notebook may hold a hundred thousand cells. */
  private byUri: Map<string, NotebookCellState>;
  private joinedText = '';

  /** `cells` must not list a document twice (the store drops repeats). */
  constructor(key: string, languageId: string, cells: NotebookCellState[]) {
    super(key, languageId);
    this.cellList = cells;
    this.byUri = new Map(cells.map((c) => [c.uri, c]));
    this.joinedText = this.buildSnapshot().text;
  }

  get cells(): readonly NotebookCellState[] {
    return this.cellList;
  }

  documentUris(): string[] {
    return this.cellList.filter((c) => c.document).map((c) => c.uri);
  }

  cell(uri: string): NotebookCellState | undefined {
    return this.byUri.get(uri);
  }

  /**
   * Replaces `deleteCount` cells from `start` with `added` (a structure change), without
   * spreading them into a call; returns the cells taken out. `added` must not list a document
   * that stays in the notebook.
   */
  replaceCells(start: number, deleteCount: number, added: readonly NotebookCellState[]): NotebookCellState[] {
    const at = Math.min(start, this.cellList.length);
    const deleted = this.cellList.slice(at, at + deleteCount);
    this.cellList = this.cellList.slice(0, at).concat(added, this.cellList.slice(at + deleteCount));
    for (const cell of deleted) this.byUri.delete(cell.uri);
    for (const cell of added) this.byUri.set(cell.uri, cell);
    return deleted;
  }

  /** Call after changing `cells` or a cell's document: records the change as one minimal edit. */
  cellsChanged(): void {
    const before = this.joinedText;
    const after = this.buildSnapshot().text;
    this.joinedText = after;
    this.changed([diffEdit(before, after)]);
  }

  protected buildSnapshot(): UnitSnapshot {
    const slices: SourceSlice[] = [];
    const parts: string[] = [];
    let offset = 0;
    for (const cell of this.cells) {
      if (!cell.code || !cell.document || cell.document.languageId !== this.languageId) continue;
      const text = maskMagics(cell.document.getText());
      if (parts.length > 0) offset += 1;
      slices.push({ uri: cell.uri, version: cell.document.version, start: offset, end: offset + text.length, document: cell.document });
      parts.push(text);
      offset += text.length;
    }
    return new UnitSnapshot(this.key, this.languageId, this.version, parts.join('\n'), slices);
  }
}

const CELL_MAGICS_HOLDING_PYTHON = /^%%(time|timeit|capture|prun|debug)\b/;

/** Turns IPython magics into comments of the same length; a non-Python cell magic blanks its cell. */
export function maskMagics(text: string): string {
  if (text.startsWith('%%') && !CELL_MAGICS_HOLDING_PYTHON.test(text)) return text.replace(/[^\r\n]/g, ' ');
  return text.replace(/^([ \t]*)[%!]/gm, '$1#');
}
