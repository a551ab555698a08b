/**
 * The node stack the descent parser builds its `PyNode` tree on, node for node as parser.ts's
 * `copySubtree` copies tree-sitter's tree: the children of a node wait on one stack and are
 * copied into an array of their exact length when it closes, leaves share `NO_CHILDREN`, and
 * comments and line continuations go where tree-sitter's parser leaves its extras: in the
 * smallest node that holds tokens on both sides of them.
 */
import { NO_CHILDREN, type PyNode } from '../syntax';
import { Decline, Kind, OPERATOR_TEXT, type Tokens } from './tokens';

/**
 * The tallest subtree accepted. The copy of tree-sitter's tree refuses statements deeper than
 * its MAX_TREE_DEPTH (2,500) with a TooDeepError; taller ones are left to it, so that refusal
 * stays exactly as it is.
 */
const MAX_HEIGHT = 1000;
/** Nested brackets, operators and blocks followed by recursion: far below a stack overflow. */
const MAX_NESTING = 100;

export class Builder {
  /** The current token. */
  protected i = 0;
  private readonly pending: PyNode[] = [];
  /** Each pending node's first token and height. */
  private readonly firsts: number[] = [];
  private readonly heights: number[] = [];
  protected top = 0;
  private nesting = 0;
  private readonly taken: Uint8Array;

  constructor(
    protected readonly text: string,
    protected readonly t: Tokens,
  ) {
    this.taken = new Uint8Array(t.extras.length);
  }

  protected kind(): Kind {
    return this.t.kinds[this.i];
  }

  protected isOp(code: number): boolean {
    return this.t.kinds[this.i] === Kind.Operator && this.t.codes[this.i] === code;
  }

  protected isOpAt(at: number, code: number): boolean {
    return this.t.kinds[at] === Kind.Operator && this.t.codes[at] === code;
  }

  protected isKw(code: number): boolean {
    return this.t.kinds[this.i] === Kind.Name && this.t.codes[this.i] === code;
  }

  protected expectOp(code: number): void {
    if (!this.isOp(code)) this.decline(`expected ${OPERATOR_TEXT[code]}`);
    this.i++;
  }

  protected expectKw(code: number): void {
    if (!this.isKw(code)) this.decline('expected a keyword');
    this.i++;
  }

  protected decline(reason: string): never {
    throw new Decline(reason, this.t.starts[Math.min(this.i, this.t.count - 1)]);
  }

  protected enter(): void {
    if (++this.nesting > MAX_NESTING) this.decline('nesting deeper than the descent parser follows');
  }

  protected leave(): void {
    this.nesting--;
  }

  /** Pushes the current token as a leaf and moves past it. */
  protected leaf(type: string, named: boolean, field: string | null): PyNode {
    const i = this.i++;
    return this.push(leafNode(type, named, field, this.t.starts[i], this.t.ends[i]), i, 1);
  }

  /** Pushes a leaf spanning tokens [first, last] (`not in`, `import_prefix`…), already passed. */
  protected span(type: string, named: boolean, field: string | null, first: number, last: number): PyNode {
    return this.push(leafNode(type, named, field, this.t.starts[first], this.t.ends[last]), first, 1);
  }

  protected push(node: PyNode, first: number, height: number): PyNode {
    const at = this.top++;
    this.pending[at] = node;
    this.firsts[at] = first;
    this.heights[at] = height;
    return node;
  }

  /** The node at `at` on the stack (`this.top - 1` is the last one pushed). */
  protected at(at: number): PyNode {
    return this.pending[at];
  }

  protected firstOf(at: number): number {
    return this.firsts[at];
  }

  /**
   * Closes a node over the stack's entries from `base` (its children, with the extras between
   * them that no child took), from token `first` to the last token passed.
   */
  protected close(type: string, base: number, first: number, field: string | null = null): PyNode {
    const last = this.i - 1;
    const node: PyNode = {
      type,
      named: true,
      field,
      start: this.t.starts[first],
      end: this.t.ends[last],
      children: NO_CHILDREN,
      parent: null,
      missing: false,
      recordIndex: -1,
    };
    let height = 0;
    for (let k = base; k < this.top; k++) if (this.heights[k] > height) height = this.heights[k];
    if (++height > MAX_HEIGHT) this.decline('a tree taller than the descent parser builds');
    const extras = this.extrasWithin(first, last);
    if (extras > 0 || this.top > base) node.children = this.children(node, base, first, last, extras);
    this.top = base;
    return this.push(node, first, height);
  }

  /** The top-level nodes, with the extras around them (the module's own children). */
  protected topLevel(): PyNode[] {
    const extras = this.extrasWithin(-1, this.t.count);
    const list: PyNode[] = [];
    this.merge(list, 0, -1, this.t.count, extras, null);
    this.top = 0;
    return list;
  }

  /** How many extras lie between tokens `first` and `last` (all up to `last` when `first` is -1). */
  private extrasWithin(first: number, last: number): number {
    const before = this.t.extrasBefore;
    return before[last] - (first < 0 ? 0 : before[first]);
  }

  private children(parent: PyNode, base: number, first: number, last: number, extras: number): PyNode[] {
    if (extras === 0) {
      const list = this.pending.slice(base, this.top);
      for (const child of list) child.parent = parent;
      return list;
    }
    const list: PyNode[] = [];
    this.merge(list, base, first, last, extras, parent);
    // Of the exact length, as the copy makes them (see NO_CHILDREN in syntax.ts).
    return list.length === 0 ? NO_CHILDREN : list.slice();
  }

  /** Children from `base` on and the untaken extras after token `first` up to `last`, in order. */
  private merge(list: PyNode[], base: number, first: number, last: number, count: number, parent: PyNode | null): void {
    const extras = this.t.extras;
    let e = first < 0 ? 0 : this.t.extrasBefore[first];
    const stop = e + count;
    let k = base;
    for (;;) {
      while (e < stop && this.taken[e]) e++;
      const child = k < this.top ? this.pending[k] : null;
      if (e < stop && (!child || extras[e].start < child.start)) {
        const extra = extras[e];
        this.taken[e++] = 1;
        const node = leafNode(extra.type, true, null, extra.start, extra.end);
        node.parent = parent;
        list.push(node);
      } else if (child) {
        child.parent = parent;
        list.push(child);
        k++;
      } else {
        return;
      }
    }
  }
}

export function leafNode(type: string, named: boolean, field: string | null, start: number, end: number): PyNode {
  return { type, named, field, start, end, children: NO_CHILDREN, parent: null, missing: false, recordIndex: -1 };
}
