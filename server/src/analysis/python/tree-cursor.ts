/**
 * A cursor over a tree-sitter tree for copying it into JavaScript, with as little as possible
 * between each call and the WebAssembly function it makes.
 *
 * web-tree-sitter's `TreeCursor` keeps its four words in JavaScript and copies them into the
 * module's transfer buffer before every call, and back after every move: eight typed memory
 * accesses through `setValue`/`getValue` around each call. A walk of every node of a 1.3 MB
 * module took 200 ms that way and 50 ms with the cursor left in the transfer buffer for the
 * whole walk, calling the module's exported functions directly (what `TreeCursor` itself
 * calls). That needs the Emscripten module object, which web-tree-sitter does not export: it
 * is the options object given to `Parser.init`, so `loadPythonLanguage` passes its own and
 * checks here, once, that a direct walk reads a sample tree exactly as `TreeCursor` does.
 * Where it does not (another version of web-tree-sitter), `TreeCursor` itself is used.
 */
import type { Language, Parser, Tree, TreeCursor } from 'web-tree-sitter';

/** What the copy reads of the node under the cursor, and how it moves. */
export interface SyntaxCursor {
  typeId(): number;
  fieldId(): number;
  start(): number;
  end(): number;
  isNamed(): boolean;
  isMissing(): boolean;
  /** Whether the node under the cursor holds a syntax error. */
  hasError(): boolean;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  /** Frees the cursor; it is not used again. */
  delete(): void;
}

/** Makes the cursors for trees of one module: direct ones where they were checked to work. */
export type CursorFactory = (tree: Tree) => SyntaxCursor;

/** The functions of web-tree-sitter's Emscripten module that a direct cursor calls. */
interface Binding {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_current_node_wasm(tree: number): void;
  _ts_node_has_error_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
}

const BINDING_FUNCTIONS = [
  '_ts_init',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_node_is_named_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_current_node_wasm',
  '_ts_node_has_error_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
] as const;

/** Internal handles of web-tree-sitter's objects: a tree's address, a cursor's four words. */
type Handles = { [index: number]: number };

/** A cursor whose four words stay in the module's transfer buffer from creation to `delete`. */
class DirectCursor implements SyntaxCursor {
  private readonly address: number;

  constructor(
    private readonly binding: Binding,
    private readonly buffer: number,
    private readonly cursor: TreeCursor,
    tree: Tree,
  ) {
    this.address = (tree as unknown as Handles)[0];
    this.words(cursor as unknown as Handles, true);
  }

  typeId(): number {
    return this.binding._ts_tree_cursor_current_node_type_id_wasm(this.address);
  }

  fieldId(): number {
    return this.binding._ts_tree_cursor_current_field_id_wasm(this.address);
  }

  start(): number {
    return this.binding._ts_tree_cursor_start_index_wasm(this.address);
  }

  end(): number {
    return this.binding._ts_tree_cursor_end_index_wasm(this.address);
  }

  isNamed(): boolean {
    return this.binding._ts_tree_cursor_current_node_is_named_wasm(this.address) === 1;
  }

  isMissing(): boolean {
    return this.binding._ts_tree_cursor_current_node_is_missing_wasm(this.address) === 1;
  }

  hasError(): boolean {
    // The node is passed in the transfer buffer too, over the cursor: keep the cursor aside.
    const saved: Handles = [];
    this.words(saved, false);
    this.binding._ts_tree_cursor_current_node_wasm(this.address);
    const error = this.binding._ts_node_has_error_wasm(this.address) === 1;
    this.words(saved, true);
    return error;
  }

  gotoFirstChild(): boolean {
    return this.binding._ts_tree_cursor_goto_first_child_wasm(this.address) === 1;
  }

  gotoNextSibling(): boolean {
    return this.binding._ts_tree_cursor_goto_next_sibling_wasm(this.address) === 1;
  }

  gotoParent(): boolean {
    return this.binding._ts_tree_cursor_goto_parent_wasm(this.address) === 1;
  }

  delete(): void {
    // Back into the TreeCursor, which frees what the cursor holds in the module.
    this.words(this.cursor as unknown as Handles, false);
    this.cursor.delete();
  }

  /** Copies the cursor's four words into the transfer buffer (`toBuffer`) or out of it. */
  private words(cursor: Handles, toBuffer: boolean): void {
    // Read the view each time: it is replaced when the module's memory grows.
    const heap = this.binding.HEAP32;
    const at = this.buffer >> 2;
    for (let i = 0; i < 4; i++) {
      if (toBuffer) heap[at + i] = cursor[i];
      else cursor[i] = heap[at + i];
    }
  }
}

/** web-tree-sitter's own cursor, behind the same interface. */
export class LibraryCursor implements SyntaxCursor {
  private readonly cursor: TreeCursor;

  constructor(tree: Tree) {
    this.cursor = tree.walk();
  }

  typeId(): number {
    return this.cursor.nodeTypeId;
  }

  fieldId(): number {
    return this.cursor.currentFieldId;
  }

  start(): number {
    return this.cursor.startIndex;
  }

  end(): number {
    return this.cursor.endIndex;
  }

  isNamed(): boolean {
    return this.cursor.nodeIsNamed;
  }

  isMissing(): boolean {
    return this.cursor.nodeIsMissing;
  }

  hasError(): boolean {
    return this.cursor.currentNode.hasError;
  }

  gotoFirstChild(): boolean {
    return this.cursor.gotoFirstChild();
  }

  gotoNextSibling(): boolean {
    return this.cursor.gotoNextSibling();
  }

  gotoParent(): boolean {
    return this.cursor.gotoParent();
  }

  delete(): void {
    this.cursor.delete();
  }
}

/** Code with an error, a missing token, fields and nesting: what a check walk compares. */
const SAMPLE = 'import numpy as np\n\ndef f(a, *, b=2):\n    """doc"""\n    return np.einsum("ij,jk", a[0, 1:], b) @ (a\n\nx = [1, 2\n';

/**
 * Direct cursors for trees of `language`, when `binding` (the options object given to
 * `Parser.init`) became web-tree-sitter's module and a direct walk of a sample reads exactly
 * what `TreeCursor` reads; otherwise `TreeCursor`. The check parses the sample when the first
 * cursor is made, not before: loading the grammar parses nothing.
 */
export function cursorFactory(binding: object, newParser: () => Parser, language: Language): CursorFactory {
  let chosen: CursorFactory | null = null;
  return (tree) => {
    if (!chosen) {
      const parser = newParser();
      try {
        chosen = checkedFactory(binding, parser, language);
      } finally {
        parser.delete();
      }
    }
    return chosen(tree);
  };
}

function checkedFactory(binding: object, parser: Parser, language: Language): CursorFactory {
  const library: CursorFactory = (tree) => new LibraryCursor(tree);
  const candidate = binding as Partial<Record<(typeof BINDING_FUNCTIONS)[number], unknown>> & { HEAP32?: unknown };
  if (!(candidate.HEAP32 instanceof Int32Array) || BINDING_FUNCTIONS.some((name) => typeof candidate[name] !== 'function')) return library;
  const direct = binding as Binding;
  // Returns the address of the transfer buffer (and writes the language version into it).
  const buffer = direct._ts_init();
  const factory: CursorFactory = (tree) => new DirectCursor(direct, buffer, tree.walk(), tree);
  parser.setLanguage(language);
  const tree = parser.parse(SAMPLE);
  if (!tree) return library;
  try {
    return walkRecord(factory(tree)) === walkRecord(library(tree)) ? factory : library;
  } finally {
    tree.delete();
  }
}

/** Everything a walk reads, node by node, as one string. */
export function walkRecord(cursor: SyntaxCursor): string {
  const parts: unknown[] = [];
  try {
    for (let depth = 0; depth >= 0; ) {
      parts.push(cursor.typeId(), cursor.fieldId(), cursor.start(), cursor.end(), cursor.isNamed(), cursor.isMissing(), cursor.hasError(), depth);
      if (cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (depth >= 0 && !cursor.gotoNextSibling()) {
        depth--;
        if (depth >= 0) cursor.gotoParent();
      }
    }
  } finally {
    cursor.delete();
  }
  return parts.join(',');
}
