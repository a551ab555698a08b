/**
 * Parsing Python with web-tree-sitter and the `tree-sitter-python` wasm grammar (no native
 * build), incrementally: an edit re-parses only what changed, and only the top-level
 * statements whose text changed are copied into the JavaScript tree again.
 */
import * as bundledTreeSitter from 'web-tree-sitter';
import type { Language, Parser, Tree } from 'web-tree-sitter';
import type { SourceRange } from '../model';
import { tooLarge } from '../source-size';
import { TooDeepError } from '../too-deep';
import { FastModules } from './descent/fast-module';
import { tooDeepIndentation } from './indentation';
import { isLongNumbersIndex, isLongNumbersLiteral, NUMBERS_LITERAL } from './numbers-literal';
import { NO_CHILDREN, shiftTree, walk, type PyNode } from './syntax';
import { cursorFactory, type CursorFactory, type SyntaxCursor } from './tree-cursor';

export interface GrammarLocation {
  /** Path of `tree-sitter-python.wasm`; defaults to the one in the `tree-sitter-python` package. */
  pythonWasm?: string;
  /** Path of web-tree-sitter's own `tree-sitter.wasm`; defaults to the one beside its script. */
  runtimeWasm?: string;
}

type TreeSitter = typeof bundledTreeSitter;

/** The grammar, and the Parser class of the WebAssembly module it was loaded into. */
export interface PythonGrammar {
  language: Language;
  Parser: TreeSitter['Parser'];
  /** Cursors over this module's trees, for copying them (see tree-cursor.ts). */
  cursors: CursorFactory;
}

/**
 * The WebAssembly module in use, and how many times it was replaced. web-tree-sitter keeps one
 * module per copy of its script; once it aborts (out of memory on a huge file), every later
 * call fails. It is then replaced by a fresh copy of the script where the process can load
 * one (not from a bundle, which holds a single copy: there the analysis thread ends, and the
 * server starts a new one).
 */
let treeSitter: TreeSitter | null = bundledTreeSitter;
let grammar: Promise<PythonGrammar> | null = null;
let generation = 0;

/** Loads the grammar once per module (bundled clients pass the wasm locations). */
export function loadPythonLanguage(location: GrammarLocation = {}): Promise<PythonGrammar> {
  grammar ??= (async () => {
    const module = treeSitter;
    if (!module) throw new ParserCrashedError('the Python parser crashed earlier and cannot be restarted in this process', false);
    const runtime = location.runtimeWasm;
    // The options object becomes the Emscripten module: heap cursors read its memory.
    const binding = runtime ? { locateFile: () => runtime } : {};
    await module.Parser.init(binding);
    const language = await module.Language.load(location.pythonWasm ?? require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    return { language, Parser: module.Parser, cursors: cursorFactory(binding, () => new module.Parser(), language) };
  })();
  return grammar;
}

/** Bumped each time the module is replaced: parsers made before must be made again. */
export function pythonParserGeneration(): number {
  return generation;
}

/** tree-sitter's WebAssembly failed (an abort, a trap): its memory can no longer be trusted. */
export class ParserCrashedError extends Error {
  constructor(
    message: string,
    /** Whether a fresh module was loaded: later parses work again. */
    readonly restarted: boolean,
  ) {
    super(message);
    this.name = 'ParserCrashedError';
  }
}

function isWasmFault(error: unknown): boolean {
  // WebAssembly.RuntimeError: a trap (out-of-bounds access, unreachable); 'Aborted(...)': an abort.
  return error instanceof Error && (error.name === 'RuntimeError' || /^Aborted\(/.test(error.message));
}

function restartAfterCrash(error: unknown): ParserCrashedError {
  const what = error instanceof Error ? error.message : String(error);
  grammar = null;
  generation++;
  treeSitter = freshTreeSitter();
  return new ParserCrashedError(`the Python parser (tree-sitter) crashed: ${what}`, treeSitter !== null);
}

/** A new copy of web-tree-sitter's script, with a module of its own; null inside a bundle. */
function freshTreeSitter(): TreeSitter | null {
  try {
    const path = require.resolve('web-tree-sitter');
    delete require.cache[path];
    return require(path) as TreeSitter;
  } catch {
    return null;
  }
}

/** A change to the text: [start, end) in the text before the change is replaced by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface ParsedPython {
  text: string;
  module: PyNode;
  syntaxErrors: SourceRange[];
}

export class PythonParser {
  private tree: Tree | null = null;
  private text = '';
  /**
   * Copied top-level statements without syntax errors, by node type id and text; a list because
   * identical statements repeat.
   */
  private statements = new Map<string, PyNode[]>();
  /** The descent parser, tried first whenever no tree-sitter tree is held (see descent/). */
  private readonly fast = new FastModules();

  private constructor(
    private readonly parser: Parser,
    private readonly symbols: SymbolTable,
    private readonly cursors: CursorFactory,
    /** Whether the descent parser is tried first (tests compare both parsers' trees). */
    private readonly descent: boolean,
  ) {}

  static async create(location?: GrammarLocation, options: { descent?: boolean } = {}): Promise<PythonParser> {
    const { language, Parser, cursors } = await loadPythonLanguage(location);
    const parser = new Parser();
    parser.setLanguage(language);
    return new PythonParser(parser, symbolTable(language), cursors, options.descent ?? true);
  }

  /** Parses `text` from scratch. */
  parse(text: string): ParsedPython {
    this.tree?.delete();
    this.tree = null;
    return this.reparse(text);
  }

  /**
   * Applies edits in order (each against the text left by the previous one) and re-parses:
   * incrementally where tree-sitter's tree is held, else with the descent parser first.
   */
  edit(edits: readonly TextEdit[]): ParsedPython {
    let text = this.text;
    let single: TextEdit | null = null;
    for (const edit of edits) {
      const start = clamp(edit.start, text.length);
      const end = clamp(Math.max(edit.end, start), text.length);
      single = edits.length === 1 ? { start, end, text: edit.text } : null;
      const next = text.slice(0, start) + edit.text + text.slice(end);
      this.tree?.edit({
        startIndex: start,
        oldEndIndex: end,
        newEndIndex: start + edit.text.length,
        startPosition: pointAt(text, start),
        oldEndPosition: pointAt(text, end),
        newEndPosition: pointAt(next, start + edit.text.length),
      });
      text = next;
    }
    return this.reparse(text, single);
  }

  get currentText(): string {
    return this.text;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.parser.delete();
  }

  /** `edit`: the one edit from the text held to `text`, which the descent parser re-parses around. */
  private reparse(text: string, edit: TextEdit | null = null): ParsedPython {
    const tooDeep = tooDeepIndentation(text);
    const refusal = tooLarge(text) ?? (tooDeep && new TooDeepError('the indentation nests more levels deep than the Python parser can follow', tooDeep));
    if (refusal) {
      // Nothing of the old tree is reused after a refusal: the next parse starts afresh.
      this.tree?.delete();
      this.tree = null;
      this.text = text;
      throw refusal;
    }
    if (!this.tree && this.descent) {
      // The descent parser builds the same tree for text tree-sitter parses without an error,
      // in a fraction of the time; anything else it declines, and tree-sitter parses it.
      const module = edit ? this.fast.edit(this.text, edit, text) : this.fast.parse(text);
      this.text = text;
      if (module) {
        this.statements.clear();
        return { text, module, syntaxErrors: [] };
      }
    } else {
      this.fast.clear();
    }
    let tree: Tree | null;
    try {
      tree = this.parser.parse(text, this.tree);
    } catch (error) {
      if (!isWasmFault(error)) throw error;
      // The module's memory is gone: nothing made with it may be used again.
      this.tree = null;
      throw restartAfterCrash(error);
    }
    if (!tree) throw new Error('tree-sitter returned no tree');
    this.tree?.delete();
    this.tree = tree;
    this.text = text;
    const { module, withErrors } = this.copyModule(tree, text);
    const syntaxErrors: SourceRange[] = [];
    // Only the statements tree-sitter found an error in are searched, not the whole module again.
    for (const statement of withErrors) {
      walk(statement, (node) => {
        if (node.type === 'ERROR' || node.missing) {
          syntaxErrors.push({ start: node.start, end: node.end });
          return false;
        }
      });
    }
    return { text, module, syntaxErrors };
  }

  /** The module's copy, and its top-level nodes that hold a syntax error, in order. */
  private copyModule(tree: Tree, text: string): { module: PyNode; withErrors: PyNode[] } {
    const root = tree.rootNode;
    const module: PyNode = {
      type: root.type,
      named: true,
      field: null,
      start: 0,
      end: text.length,
      children: [],
      parent: null,
      missing: false,
      recordIndex: -1,
    };
    const previous = this.statements;
    const next = new Map<string, PyNode[]>();
    const rootHasError = root.hasError;
    const withErrors: PyNode[] = [];
    const cursor = this.cursors(tree);
    try {
      if (cursor.gotoFirstChild()) {
        do {
          const start = cursor.start();
          const key = `${cursor.typeId()}\u0000${text.slice(start, cursor.end())}`;
          // tree-sitter recovers from an error by the code around it too: the same text with an
          // error can stand as other nodes after an edit elsewhere, so it is always copied afresh.
          const hasError = rootHasError && cursor.hasError();
          let node = hasError ? undefined : previous.get(key)?.pop();
          if (node) {
            if (node.start !== start) shiftTree(node, start - node.start);
          } else {
            node = copySubtree(cursor, text, this.symbols, rootHasError);
          }
          node.parent = module;
          module.children.push(node);
          if (hasError) {
            withErrors.push(node);
          } else {
            const list = next.get(key);
            if (list) list.push(node);
            else next.set(key, [node]);
          }
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    this.statements = next;
    return { module, withErrors };
  }
}

function clamp(offset: number, length: number): number {
  return Math.min(Math.max(0, offset), length);
}

/** Row and UTF-16 column, which is what web-tree-sitter counts for JavaScript strings. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** Node types and field names by id, read once per language instead of once per node. */
interface SymbolTable {
  types: string[];
  named: boolean[];
  /** Types whose children nothing reads: tokens, comments, and strings (decoded from the text). */
  opaque: boolean[];
  /** Tokens that never carry a field (punctuation, statement keywords): their field is not read. */
  fieldless: boolean[];
  fields: (string | null)[];
}

const OPAQUE = new Set(['identifier', 'integer', 'float', 'comment', 'true', 'false', 'none', 'ellipsis', 'string_content', 'escape_sequence']);
// Operators carry a field (`operator`, `operators`); these tokens never do.
const FIELDLESS = new Set(
  '( ) , : . [ ] { } ; = -> def class return import from as if else elif for while with try except finally pass lambda del raise assert global nonlocal yield await async match case break continue print exec'.split(' '),
);

const symbolTables = new WeakMap<Language, SymbolTable>();

function symbolTable(language: Language): SymbolTable {
  let table = symbolTables.get(language);
  if (!table) {
    const types = language.types.map((t) => t ?? '');
    table = {
      types,
      named: types.map((_, id) => language.nodeTypeIsNamed(id)),
      opaque: types.map((t) => OPAQUE.has(t)),
      fieldless: types.map((t, id) => !language.nodeTypeIsNamed(id) && FIELDLESS.has(t)),
      fields: language.fields.map((f) => f ?? null),
    };
    symbolTables.set(language, table);
  }
  return table;
}

/** Only f-strings hold expressions worth copying; other strings are decoded from the text. */
function isFormattedString(start: number, end: number, text: string): boolean {
  for (let i = start; i < end; i++) {
    const ch = text[i];
    if (ch === 'f' || ch === 'F') return true;
    if (ch === '"' || ch === "'") return false;
  }
  return false;
}

/**
 * The deepest statement the analysis reads: its walkers recurse, and about twice this depth
 * overflows the stack. Deeper code (a megabyte of `a.b.b…`, thousands of nested calls) is
 * refused here, before copying hundreds of thousands of nodes only to overflow.
 */
const MAX_TREE_DEPTH = 2500;

/**
 * Copies the node under the cursor and its subtree; leaves the cursor where it started. Every
 * cursor property is a call into WebAssembly, so a node costs its type id and field id, its
 * offsets only when it is kept, and a descent only when its children matter.
 */
function copySubtree(cursor: SyntaxCursor, text: string, symbols: SymbolTable, withErrors: boolean): PyNode {
  // ERROR (and other built-in symbols) lie outside the grammar's own ids.
  const known = (typeId: number) => typeId < symbols.types.length;
  const copy = (parent: PyNode | null, typeId: number, field: string | null, missing: boolean): PyNode => ({
    type: known(typeId) ? symbols.types[typeId] : 'ERROR',
    named: known(typeId) ? symbols.named[typeId] : cursor.isNamed(),
    field,
    start: cursor.start(),
    end: cursor.end(),
    children: NO_CHILDREN,
    parent,
    missing,
    recordIndex: -1,
  });
  const descend = (node: PyNode, typeId: number) => {
    if (symbols.opaque[typeId] || (node.type === 'string' && !isFormattedString(node.start, node.end, text))) return false;
    if (isLongNumbersLiteral(cursor, node, text)) {
      node.type = NUMBERS_LITERAL;
      return false;
    }
    return cursor.gotoFirstChild();
  };
  const copyErrorsInside = (node: PyNode) => {
    if (!cursor.gotoFirstChild()) return;
    do {
      const typeId = cursor.typeId();
      const missing = cursor.isMissing();
      if (missing || !known(typeId)) {
        const error = copy(node, typeId, null, missing);
        if (node.children === NO_CHILDREN) node.children = [error];
        else node.children.push(error);
      }
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };
  // The children of the open nodes wait on one stack and are copied into an array of their
  // exact length when their parent is done: a pushed-into array reserves 17 slots, most nodes
  // have one or two children, and the tree lives as long as the document.
  const pending: PyNode[] = [];
  let top = 0;
  const bases: number[] = [];
  const close = (node: PyNode) => {
    const base = bases.pop()!;
    if (top > base) node.children = pending.slice(base, top);
    top = base;
  };
  const rootType = cursor.typeId();
  const root = copy(null, rootType, symbols.fields[cursor.fieldId()] ?? null, withErrors && cursor.isMissing());
  if (!descend(root, rootType)) return root;
  bases.push(top);
  let parent = root;
  let depth = 1;
  for (;;) {
    const typeId = cursor.typeId();
    const field = symbols.fieldless[typeId] ? null : (symbols.fields[cursor.fieldId()] ?? null);
    const missing = withErrors && cursor.isMissing();
    if (field === 'subscript' && !missing && isLongNumbersIndex(parent, cursor.start(), text)) {
      pending[top++] = { type: NUMBERS_LITERAL, named: true, field, start: cursor.start(), end: parent.end - 1, children: NO_CHILDREN, parent, missing: false, recordIndex: -1 };
      // The rest of the index is inside it: on to the subscript's next sibling.
      cursor.gotoParent();
      close(parent);
      if (parent === root) return root;
      parent = parent.parent!;
      depth--;
    } else if ((known(typeId) ? symbols.named[typeId] : cursor.isNamed()) || field !== null || missing) {
      const copied = copy(parent, typeId, field, missing);
      pending[top++] = copied;
      if (descend(copied, typeId)) {
        if (++depth > MAX_TREE_DEPTH) {
          const at = { start: copied.start, end: Math.min(copied.start + 1, text.length) };
          throw new TooDeepError(`the code nests more than ${MAX_TREE_DEPTH.toLocaleString('en-US')} levels deep (here)`, at);
        }
        bases.push(top);
        parent = copied;
        continue;
      }
      // A plain string is read from the text, but an unterminated one holds a missing end: keep it.
      if (withErrors && copied.type === 'string') copyErrorsInside(copied);
    }
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      close(parent);
      if (parent === root) return root;
      parent = parent.parent!;
      depth--;
    }
  }
}
