/**
 * The open documents and notebooks, kept exactly as the editor has them. Every notification is
 * checked before use: a malformed one, or one about a document that is not open, is logged and
 * dropped, never thrown.
 */
import type {
  DidChangeNotebookDocumentParams,
  DidChangeTextDocumentParams,
  DidCloseNotebookDocumentParams,
  DidCloseTextDocumentParams,
  DidOpenNotebookDocumentParams,
  DidOpenTextDocumentParams,
  NotebookCell,
  TextDocumentItem,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isContentChange, isNotebookCell, isRecord, isTextDocumentItem, isUri, isVersion } from './guards';
import { applyContentChanges } from './content-changes';
import { NotebookUnit, TextUnit, type NotebookCellState, type Unit } from './units';

export interface StoreListener {
  opened(unit: Unit): void;
  changed(unit: Unit): void;
  /** `uris`: the documents whose published results must be cleared. */
  closed(unit: Unit, uris: string[]): void;
  /** Cells that left a notebook still open: clear what was published for them. */
  cellsRemoved(unit: Unit, uris: string[]): void;
  warn(message: string): void;
}

const CODE_CELL = 2;

/**
 * Where analysed documents live: files, unsaved buffers, and notebook cells. Anything else is a
 * view of a document shown elsewhere too (a git diff's `git:` side, a search preview), whose
 * findings would appear twice in the Problems panel.
 */
const ANALYSED_SCHEMES = new Set(['file', 'untitled', 'vscode-notebook-cell']);

export function isAnalysedUri(uri: string): boolean {
  const colon = uri.indexOf(':');
  return colon > 0 && ANALYSED_SCHEMES.has(uri.slice(0, colon).toLowerCase());
}

export class DocumentStore {
  private readonly units = new Map<string, Unit>();
  /** Document uri (a file, or a notebook cell) → the unit analysing it. */
  private readonly owners = new Map<string, Unit>();

  constructor(
    private readonly listener: StoreListener,
    /** Languages that have a front end; other documents are tracked for nothing. */
    private readonly analysable: (languageId: string) => boolean,
  ) {}

  /** The unit holding a document or notebook. */
  unitOf(uri: unknown): Unit | undefined {
    return typeof uri === 'string' ? this.owners.get(uri) ?? this.units.get(uri) : undefined;
  }

  all(): Unit[] {
    return [...this.units.values()];
  }

  openText(params: DidOpenTextDocumentParams): void {
    const item: unknown = params?.textDocument;
    if (!isTextDocumentItem(item)) return this.listener.warn('einsight: ignored a malformed textDocument/didOpen');
    if (!this.analysable(item.languageId) || !isAnalysedUri(item.uri)) return;
    const owner = this.owners.get(item.uri);
    if (owner instanceof NotebookUnit) return this.listener.warn(`einsight: ignored the opening of ${item.uri} as a text document: it is a cell of ${owner.key}`);
    const previous = this.units.get(item.uri);
    if (previous) this.drop(previous);
    const unit = new TextUnit(item);
    this.add(unit, [item.uri]);
    this.listener.opened(unit);
  }

  changeText(params: DidChangeTextDocumentParams): void {
    const id: unknown = params?.textDocument;
    const changes: unknown = params?.contentChanges;
    const unit = isRecord(id) ? this.unitOf(id.uri) : undefined;
    if (!isRecord(id) || !isUri(id.uri) || !Array.isArray(changes) || !changes.every(isContentChange)) {
      if (unit instanceof TextUnit) return this.lostSync(unit, 'textDocument/didChange');
      return this.listener.warn('einsight: ignored a malformed textDocument/didChange');
    }
    if (!(unit instanceof TextUnit)) return;
    const version = isVersion(id.version) ? id.version : unit.editorVersion + 1;
    unit.applyChanges(changes, version);
    this.listener.changed(unit);
  }

  closeText(params: DidCloseTextDocumentParams): void {
    const uri: unknown = params?.textDocument?.uri;
    const unit = typeof uri === 'string' ? this.units.get(uri) : undefined;
    if (unit instanceof TextUnit) this.drop(unit);
  }

  openNotebook(params: DidOpenNotebookDocumentParams): void {
    const notebook: unknown = params?.notebookDocument;
    const items: unknown = params?.cellTextDocuments ?? [];
    if (!isRecord(notebook) || !isUri(notebook.uri) || !Array.isArray(notebook.cells) || !Array.isArray(items)) {
      return this.listener.warn('einsight: ignored a malformed notebookDocument/didOpen');
    }
    const documents = new Map(items.filter(isTextDocumentItem).map((item) => [item.uri, item]));
    const previous = this.units.get(notebook.uri);
    if (previous && !(previous instanceof NotebookUnit)) {
      return this.listener.warn(`einsight: ignored the opening of notebook ${notebook.uri}: a text document of that uri is open`);
    }
    const cells = this.ownCells(notebook.uri, notebook.cells.filter(isNotebookCell), new Set(), previous).map((cell) => cellState(cell, documents.get(cell.document)));
    const languageId = cells.find((c) => c.code && c.document && this.analysable(c.document.languageId))?.document?.languageId;
    if (!languageId || !isAnalysedUri(notebook.uri)) return;
    if (previous) this.drop(previous);
    const unit = new NotebookUnit(notebook.uri, languageId, cells);
    this.add(unit, cells.map((c) => c.uri));
    this.listener.opened(unit);
  }

  changeNotebook(params: DidChangeNotebookDocumentParams): void {
    const uri: unknown = params?.notebookDocument?.uri;
    const unit = typeof uri === 'string' ? this.units.get(uri) : undefined;
    if (!(unit instanceof NotebookUnit)) return;
    const cells: unknown = params.change?.cells;
    if (cells === undefined) return;
    if (!isRecord(cells)) return this.lostSync(unit, 'notebookDocument/didChange');
    const removed = this.applyStructure(unit, cells.structure);
    this.applyCellData(unit, cells.data);
    this.applyCellText(unit, cells.textContent);
    unit.cellsChanged();
    for (const cellUri of removed) this.owners.delete(cellUri);
    for (const cell of unit.cells) this.owners.set(cell.uri, unit);
    if (removed.length > 0) this.listener.cellsRemoved(unit, removed);
    this.listener.changed(unit);
  }

  closeNotebook(params: DidCloseNotebookDocumentParams): void {
    const uri: unknown = params?.notebookDocument?.uri;
    const unit = typeof uri === 'string' ? this.units.get(uri) : undefined;
    if (unit instanceof NotebookUnit) this.drop(unit);
  }

  /** A change to an open document was malformed: the editor has text this unit does not. */
  private lostSync(unit: Unit, what: string): void {
    const until = unit instanceof TextUnit ? 'the editor sends its whole text' : 'it is reopened';
    this.listener.warn(`einsight: ignored a malformed ${what}; ${unit.key} is out of step with the editor until ${until}`);
    unit.loseSync();
    this.listener.changed(unit);
  }

  /**
   * The cells a notebook may hold: each document once (a cell listed twice would double its
   * findings), and none that another unit has (a cell uri equal to an open text document's
   * must not take it over). `taken`: documents already in the notebook.
   */
  private ownCells(notebookUri: string, cells: NotebookCell[], taken: Set<string>, self: Unit | undefined): NotebookCell[] {
    const own: NotebookCell[] = [];
    for (const cell of cells) {
      const owner = this.owners.get(cell.document) ?? this.units.get(cell.document);
      if (taken.has(cell.document)) {
        this.listener.warn(`einsight: notebook ${notebookUri} lists cell ${cell.document} more than once; it is analysed once`);
      } else if (owner && owner !== self) {
        this.listener.warn(`einsight: notebook ${notebookUri} has a cell of uri ${cell.document}, which is ${owner.key === cell.document ? 'an open document' : `a cell of ${owner.key}`}; that cell is left out`);
      } else {
        taken.add(cell.document);
        own.push(cell);
      }
    }
    return own;
  }

  private add(unit: Unit, uris: string[]): void {
    this.units.set(unit.key, unit);
    for (const uri of uris) this.owners.set(uri, unit);
  }

  private drop(unit: Unit): void {
    const uris = unit.documentUris();
    this.units.delete(unit.key);
    for (const [uri, owner] of this.owners) if (owner === unit) this.owners.delete(uri);
    this.listener.closed(unit, uris);
  }

  /** Returns the uris of cells that left the notebook. */
  private applyStructure(unit: NotebookUnit, structure: unknown): string[] {
    if (!isRecord(structure) || !isRecord(structure.array)) return [];
    const { start, deleteCount, cells } = structure.array;
    if (!isVersion(start) || !isVersion(deleteCount)) {
      this.lostSync(unit, 'notebook cell structure change');
      return [];
    }
    const opened = new Map(
      (Array.isArray(structure.didOpen) ? structure.didOpen : []).filter(isTextDocumentItem).map((item) => [item.uri, item]),
    );
    const at = Math.min(start, unit.cells.length);
    // Cells that stay: an added cell must not repeat one of them.
    const staying = new Set<string>();
    unit.cells.forEach((cell, i) => {
      if (i < at || i >= at + deleteCount) staying.add(cell.uri);
    });
    const added = this.ownCells(unit.key, (Array.isArray(cells) ? cells : []).filter(isNotebookCell), staying, unit).map((cell) => {
      const item = opened.get(cell.document);
      const known = unit.cell(cell.document);
      // A moved cell arrives as added without a didOpen: it keeps the document it had.
      return item || !known ? cellState(cell, item) : { ...known, code: cell.kind === CODE_CELL };
    });
    const deleted = unit.replaceCells(at, deleteCount, added);
    return deleted.map((c) => c.uri).filter((uri) => !unit.cell(uri));
  }

  private applyCellData(unit: NotebookUnit, data: unknown): void {
    if (!Array.isArray(data)) return;
    for (const cell of data.filter(isNotebookCell)) {
      const state = unit.cell(cell.document);
      if (state) state.code = cell.kind === CODE_CELL;
    }
  }

  private applyCellText(unit: NotebookUnit, textContent: unknown): void {
    if (!Array.isArray(textContent)) return;
    for (const entry of textContent) {
      const state = isRecord(entry) && isRecord(entry.document) ? unit.cell(entry.document.uri as string) : undefined;
      const changes: unknown = isRecord(entry) ? entry.changes : undefined;
      if (!state?.document || !Array.isArray(changes) || !changes.every(isContentChange)) {
        this.lostSync(unit, 'notebook cell text change');
        continue;
      }
      const version = isVersion(entry.document.version) ? entry.document.version : state.document.version + 1;
      state.document = applyContentChanges(state.document, changes, version).document;
    }
  }
}

function cellState(cell: NotebookCell, item: TextDocumentItem | undefined): NotebookCellState {
  return {
    uri: cell.document,
    code: cell.kind === CODE_CELL,
    document: item ? TextDocument.create(item.uri, item.languageId, item.version, item.text) : null,
  };
}
