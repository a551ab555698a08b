/**
 * A cursor that reads a tree-sitter tree straight from the WebAssembly module's memory, in
 * JavaScript, without calling into the module at all.
 *
 * Copying a 1.3 MB module's tree took 1.4 million calls into WebAssembly (type, field, start,
 * end and a move per node), 60–80 ms of the copy's 100 ms. The tree is plain data in the
 * module's memory: this cursor walks it as tree-sitter's own `TreeCursor` does (lib/src/
 * tree_cursor.c of tree-sitter 0.25: hidden nodes stepped through, aliases, fields looked up
 * in the language's field map), reading the structures of lib/src/subtree.h and parser.h as
 * laid out by a 32-bit little-endian build. Those layouts are private to tree-sitter, so
 * tree-cursor.ts uses this cursor only after a walk of a sample read exactly what
 * web-tree-sitter's `TreeCursor` reads; otherwise that `TreeCursor`.
 *
 * Nothing may run in the module while a cursor is in use (a parse could free the tree or grow
 * the memory under it): the parser makes one, copies, and drops it before parsing again.
 */
import type { Language, Tree } from 'web-tree-sitter';
import type { SyntaxCursor } from './tree-cursor';

/** The views of the module's memory that Emscripten keeps on its module object. */
export interface ModuleMemory {
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  HEAPU32: Uint32Array;
}

/** Internal handles of web-tree-sitter's objects: a tree's or a language's address at [0]. */
type Handles = { [index: number]: number };

// `Subtree` (8 bytes): either the address of a `SubtreeHeapData`, or, when bit 0 of its first
// byte is set, a leaf stored inline: flag bits, symbol (byte 1), padding and size (bytes 6, 7).
const SUBTREE_SIZE = 8;
const INLINE_VISIBLE = 1 << 1;
const INLINE_NAMED = 1 << 2;
const INLINE_EXTRA = 1 << 3;
const INLINE_MISSING = 1 << 5;
// `SubtreeHeapData` field offsets.
const HEAP_PADDING_BYTES = 4;
const HEAP_SIZE_BYTES = 16;
const HEAP_ERROR_COST = 32;
const HEAP_CHILD_COUNT = 36;
const HEAP_SYMBOL = 40;
/** Bit field: visible, named, extra, …, is_missing (bit 9). */
const HEAP_FLAGS = 44;
const HEAP_VISIBLE = 1 << 0;
const HEAP_NAMED = 1 << 1;
const HEAP_EXTRA = 1 << 2;
const HEAP_MISSING = 1 << 9;
const HEAP_VISIBLE_CHILD_COUNT = 48;
const HEAP_PRODUCTION_ID = 66;
// `TSLanguage` field offsets.
const LANGUAGE_FIELD_COUNT = 32;
const LANGUAGE_MAX_ALIAS_SEQUENCE_LENGTH = 36;
const LANGUAGE_FIELD_MAP_SLICES = 64;
const LANGUAGE_FIELD_MAP_ENTRIES = 68;
const LANGUAGE_SYMBOL_METADATA = 72;
const LANGUAGE_PUBLIC_SYMBOL_MAP = 76;
const LANGUAGE_ALIAS_SEQUENCES = 84;
/** `ts_builtin_sym_error`: kept as it is by the public symbol map. */
const ERROR_SYMBOL = 0xffff;

const NONE = 0;
const VISIBLE = 1;
const HIDDEN = 2;

export class HeapCursor implements SyntaxCursor {
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  private readonly fieldCount: number;
  private readonly maxAliasSequenceLength: number;
  private readonly fieldMapSlices: number;
  private readonly fieldMapEntries: number;
  private readonly symbolMetadata: number;
  private readonly publicSymbolMap: number;
  private readonly aliasSequences: number;
  // The stack of entries, root first, as tree_cursor.c keeps it: the address of the entry's
  // `Subtree`, its start byte, and its index among its parent's children (all, and
  // structural); and, read once when it is pushed: its `SubtreeHeapData` (0 for an inline
  // leaf), the alias its parent gives it, whether it is visible, whether it is an extra.
  private readonly subtrees: number[] = [];
  private readonly positions: number[] = [];
  private readonly childIndexes: number[] = [];
  private readonly structuralIndexes: number[] = [];
  private readonly heapData: number[] = [];
  private readonly aliases: number[] = [];
  private readonly visibles: boolean[] = [];
  private readonly extras: boolean[] = [];
  private depth = 0;

  constructor(memory: ModuleMemory, tree: Tree, language: Language) {
    this.u8 = memory.HEAPU8;
    this.u16 = memory.HEAPU16;
    this.u32 = memory.HEAPU32;
    const at = (language as unknown as Handles)[0];
    this.fieldCount = this.u32[(at + LANGUAGE_FIELD_COUNT) >> 2];
    this.maxAliasSequenceLength = this.u16[(at + LANGUAGE_MAX_ALIAS_SEQUENCE_LENGTH) >> 1];
    this.fieldMapSlices = this.u32[(at + LANGUAGE_FIELD_MAP_SLICES) >> 2];
    this.fieldMapEntries = this.u32[(at + LANGUAGE_FIELD_MAP_ENTRIES) >> 2];
    this.symbolMetadata = this.u32[(at + LANGUAGE_SYMBOL_METADATA) >> 2];
    this.publicSymbolMap = this.u32[(at + LANGUAGE_PUBLIC_SYMBOL_MAP) >> 2];
    this.aliasSequences = this.u32[(at + LANGUAGE_ALIAS_SEQUENCES) >> 2];
    // The root is the tree's first member; it starts after its own padding, and is visible.
    const root = (tree as unknown as Handles)[0];
    const data = this.u8[root] & 1 ? 0 : this.u32[root >> 2];
    this.push(root, data, data ? this.u32[(data + HEAP_PADDING_BYTES) >> 2] : this.u8[root + 6], 0, 0, 0, true, false);
  }

  typeId(): number {
    const top = this.depth - 1;
    const symbol = this.aliases[top] || this.symbol(top);
    return symbol === ERROR_SYMBOL ? symbol : this.u16[(this.publicSymbolMap >> 1) + symbol];
  }

  fieldId(): number {
    const last = this.depth - 1;
    // The node's own field, or the field of a hidden ancestor up to the next visible one.
    for (let i = last; i > 0; i--) {
      if ((i !== last && this.visibles[i]) || this.extras[i]) break;
      if (this.fieldCount === 0) continue;
      const slice = (this.fieldMapSlices >> 1) + 2 * this.productionId(i - 1);
      const first = this.u16[slice];
      const structural = this.structuralIndexes[i];
      for (let entry = this.fieldMapEntries + 4 * first, stop = entry + 4 * this.u16[slice + 1]; entry < stop; entry += 4) {
        // { field_id: u16, child_index: u8, inherited: bool }
        if (this.u8[entry + 3] === 0 && this.u8[entry + 2] === structural) return this.u16[entry >> 1];
      }
    }
    return 0;
  }

  start(): number {
    // Offsets count bytes of UTF-16: two per JavaScript string index.
    return this.positions[this.depth - 1] >>> 1;
  }

  end(): number {
    const top = this.depth - 1;
    const data = this.heapData[top];
    return (this.positions[top] + (data ? this.u32[(data + HEAP_SIZE_BYTES) >> 2] : this.u8[this.subtrees[top] + 7])) >>> 1;
  }

  isNamed(): boolean {
    const top = this.depth - 1;
    const alias = this.aliases[top];
    // `TSSymbolMetadata` is { visible, named, supertype }: three bytes.
    if (alias) return this.u8[this.symbolMetadata + 3 * alias + 1] !== 0;
    const data = this.heapData[top];
    return data ? (this.u16[(data + HEAP_FLAGS) >> 1] & HEAP_NAMED) !== 0 : (this.u8[this.subtrees[top]] & INLINE_NAMED) !== 0;
  }

  isMissing(): boolean {
    const top = this.depth - 1;
    const data = this.heapData[top];
    return data ? (this.u16[(data + HEAP_FLAGS) >> 1] & HEAP_MISSING) !== 0 : (this.u8[this.subtrees[top]] & INLINE_MISSING) !== 0;
  }

  hasError(): boolean {
    const data = this.heapData[this.depth - 1];
    return this.isMissing() || (data !== 0 && this.u32[(data + HEAP_ERROR_COST) >> 2] > 0);
  }

  gotoFirstChild(): boolean {
    for (;;) {
      const top = this.depth - 1;
      const data = this.heapData[top];
      const count = data ? this.u32[(data + HEAP_CHILD_COUNT) >> 2] : 0;
      if (count === 0) return false;
      const step = this.scanChildren(top, count, 0, 0, this.positions[top]);
      if (step === VISIBLE) return true;
      if (step === NONE) return false;
    }
  }

  gotoNextSibling(): boolean {
    const step = this.nextSibling();
    if (step === HIDDEN) this.gotoFirstChild();
    return step !== NONE;
  }

  gotoParent(): boolean {
    for (let i = this.depth - 2; i >= 0; i--) {
      if (this.visibles[i]) {
        this.depth = i + 1;
        return true;
      }
    }
    return false;
  }

  delete(): void {
    this.depth = 0;
  }

  /** The next sibling, climbing out of hidden parents (ts_tree_cursor_goto_sibling_internal). */
  private nextSibling(): number {
    const initial = this.depth;
    while (this.depth > 1) {
      const entry = --this.depth;
      const parent = entry - 1;
      const count = this.u32[(this.heapData[parent] + HEAP_CHILD_COUNT) >> 2];
      // Step over the entry itself, as the iterator resumed at it does.
      const index = this.childIndexes[entry] + 1;
      const structural = this.structuralIndexes[entry] + (this.extras[entry] ? 0 : 1);
      if (this.visibles[entry] && this.depth + 1 < initial) break;
      if (index < count) {
        const next = this.heapData[parent] - (count - index) * SUBTREE_SIZE;
        const step = this.scanChildren(parent, count, index, structural, this.positions[entry] + this.sizeAt(entry) + this.padding(next));
        if (step !== NONE) return step;
      }
    }
    this.depth = initial;
    return NONE;
  }

  /**
   * From child `index` of the entry `parent` on, pushes the first child that is visible
   * (VISIBLE) or hidden with visible children (HIDDEN): ts_tree_cursor_child_iterator_next in
   * a loop. `position` is where child `index` starts.
   */
  private scanChildren(parent: number, count: number, index: number, structural: number, position: number): number {
    const u8 = this.u8;
    const u16 = this.u16;
    const u32 = this.u32;
    const parentData = this.heapData[parent];
    const production = u16[(parentData + HEAP_PRODUCTION_ID) >> 1];
    const aliases = production ? (this.aliasSequences >> 1) + production * this.maxAliasSequenceLength : 0;
    const children = parentData - count * SUBTREE_SIZE;
    for (; index < count; index++) {
      const child = children + index * SUBTREE_SIZE;
      const data = u8[child] & 1 ? 0 : u32[child >> 2];
      let visible: boolean;
      let extra: boolean;
      let size: number;
      if (data) {
        const flags = u16[(data + HEAP_FLAGS) >> 1];
        visible = (flags & HEAP_VISIBLE) !== 0;
        extra = (flags & HEAP_EXTRA) !== 0;
        size = u32[(data + HEAP_SIZE_BYTES) >> 2];
      } else {
        const flags = u8[child];
        visible = (flags & INLINE_VISIBLE) !== 0;
        extra = (flags & INLINE_EXTRA) !== 0;
        size = u8[child + 7];
      }
      const alias = !extra && aliases ? u16[aliases + structural] : 0;
      if (visible || alias !== 0 || (data !== 0 && u32[(data + HEAP_CHILD_COUNT) >> 2] > 0 && u32[(data + HEAP_VISIBLE_CHILD_COUNT) >> 2] > 0)) {
        this.push(child, data, position, index, structural, alias, visible || alias !== 0, extra);
        return visible || alias !== 0 ? VISIBLE : HIDDEN;
      }
      if (!extra) structural++;
      position += size;
      if (index + 1 < count) position += this.padding(child + SUBTREE_SIZE);
    }
    return NONE;
  }

  private push(subtree: number, data: number, position: number, index: number, structural: number, alias: number, visible: boolean, extra: boolean): void {
    const at = this.depth++;
    this.subtrees[at] = subtree;
    this.heapData[at] = data;
    this.positions[at] = position;
    this.childIndexes[at] = index;
    this.structuralIndexes[at] = structural;
    this.aliases[at] = alias;
    this.visibles[at] = visible;
    this.extras[at] = extra;
  }

  private symbol(entry: number): number {
    const data = this.heapData[entry];
    return data ? this.u16[(data + HEAP_SYMBOL) >> 1] : this.u8[this.subtrees[entry] + 1];
  }

  private sizeAt(entry: number): number {
    const data = this.heapData[entry];
    return data ? this.u32[(data + HEAP_SIZE_BYTES) >> 2] : this.u8[this.subtrees[entry] + 7];
  }

  /** The padding before the `Subtree` at `subtree` (white space and comments' gaps). */
  private padding(subtree: number): number {
    return this.u8[subtree] & 1 ? this.u8[subtree + 6] : this.u32[(this.u32[subtree >> 2] + HEAP_PADDING_BYTES) >> 2];
  }

  /** Only of entries with children (parents in the stack). */
  private productionId(entry: number): number {
    return this.u16[(this.heapData[entry] + HEAP_PRODUCTION_ID) >> 1];
  }
}
