/**
 * Cursors over a tree-sitter tree for copying it into JavaScript.
 *
 * web-tree-sitter's `TreeCursor` makes a call into WebAssembly for every property and move,
 * and copies its four words in and out of the module's transfer buffer around each: a walk of
 * every node of a 1.3 MB module took 200 ms that way. `HeapCursor` (heap-cursor.ts) reads the
 * tree from the module's memory instead, with no call at all. It needs the Emscripten module
 * object, which web-tree-sitter does not export: it is the options object given to
 * `Parser.init`, so `loadPythonLanguage` passes its own and checks here, once, that a walk of a
 * sample tree reads exactly what `TreeCursor` reads. Where it does not (another version of
 * web-tree-sitter), `TreeCursor` itself is used.
 */
import type { Language, Parser, Tree, TreeCursor } from 'web-tree-sitter';
import { HeapCursor, type ModuleMemory } from './heap-cursor';

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

/** Makes the cursors for trees of one module: heap cursors where they were checked to work. */
export type CursorFactory = (tree: Tree) => SyntaxCursor;

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

/**
 * Code with an error, a missing token, fields, nesting, comments (extras), non-ASCII text
 * (UTF-16 offsets) and aliased nodes (`is not`, `not in`, a one-line block, an f-string's
 * format expression, patterns): what a check walk compares.
 */
const SAMPLE = [
  'import numpy as np  # é',
  '@dec',
  'def f(a, *, b=2) -> "ñ":',
  '    """doc"""',
  '    if a is not b and a not in (b,): return f"{a!r:>{b}}"',
  '    with open(a) as (x, y): pass',
  '    match a:',
  '        case [1, *rest] | (2, c) as d if d: print(lambda q: q)',
  '    y = [i for i in]',
  '    return np.einsum("ij,jk", a[0, 1:], b) @ (a',
  '',
  'x = [1, 2',
  '',
].join('\n');

/**
 * Heap cursors for trees of `language`, when `binding` (the options object given to
 * `Parser.init`) became web-tree-sitter's module and a heap walk of a sample reads exactly
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
  const memory = binding as Partial<ModuleMemory>;
  if (!(memory.HEAPU8 instanceof Uint8Array && memory.HEAPU16 instanceof Uint16Array && memory.HEAPU32 instanceof Uint32Array)) return library;
  // The views are read for each tree: Emscripten replaces them when the memory grows.
  const factory: CursorFactory = (tree) => new HeapCursor(binding as ModuleMemory, tree, language);
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
