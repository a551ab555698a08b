/**
 * The modules the descent parser builds for `PythonParser`: in full for a new text, taking over
 * the top-level statements of the previous fast parse whose text did not change; and after one
 * edit, re-parsing only the top-level statements around it. The analysis keeps what it read of
 * a statement by its node, so unchanged statements keep theirs (shifted where they moved), as
 * `PythonParser` does with tree-sitter's copies.
 */
import { shiftTree, type PyNode } from '../syntax';
import { parseFast } from './statements';

interface LastModule {
  text: string;
  nodes: PyNode[];
}

const EXTRAS = new Set(['comment', 'line_continuation', ';']);

export class FastModules {
  /** The last fast parse's text and top-level nodes. */
  private last: LastModule | null = null;

  /** The module of `text`, or null where the descent parser declines it. */
  parse(text: string): PyNode | null {
    const parsed = parseFast(text);
    if (!('nodes' in parsed)) {
      this.clear();
      return null;
    }
    // The last parse's top-level nodes by type and text; a list because identical ones repeat.
    const previous = new Map<string, PyNode[]>();
    if (this.last) {
      for (const node of this.last.nodes) {
        const key = `${node.type}\u0000${this.last.text.slice(node.start, node.end)}`;
        const list = previous.get(key);
        if (list) list.push(node);
        else previous.set(key, [node]);
      }
    }
    const nodes = parsed.nodes.map((fresh) => {
      const node = previous.get(`${fresh.type}\u0000${text.slice(fresh.start, fresh.end)}`)?.pop();
      if (!node) return fresh;
      if (node.start !== fresh.start) shiftTree(node, fresh.start - node.start);
      return node;
    });
    return this.module(text, nodes);
  }

  /**
   * The module of `text`, which is `before` with `edit` applied: the top-level statements from
   * the one before the edit to the last one it touches are parsed again, as a text of their own.
   * That window starts at a line start after a complete statement and ends before a statement
   * at the margin whose text is unchanged: the tokenizer is at the top level with no open
   * bracket, string or block at both ends, as in a parse of the whole text.
   */
  edit(before: string, edit: { start: number; end: number; text: string }, text: string): PyNode | null {
    const last = this.last;
    if (!last || last.text !== before) return this.parse(text);
    const nodes = last.nodes;
    // The last statement that starts before the edit (its end may move), and the extras after it.
    let first = 0;
    while (first + 1 < nodes.length && nodes[first + 1].start < edit.start) first++;
    while (first > 0 && EXTRAS.has(nodes[first].type)) first--;
    let start = lineStart(before, nodes.length > 0 ? Math.min(nodes[first].start, edit.start) : 0);
    while (first > 0 && nodes[first - 1].end > start) start = lineStart(before, nodes[--first].start);
    if (first === 0) start = 0;
    // The first statement at the margin after the edit: the window ends where it starts.
    let after = first;
    while (after < nodes.length && (nodes[after].start <= edit.end || EXTRAS.has(nodes[after].type) || before[nodes[after].start - 1] !== '\n')) after++;
    const end = after < nodes.length ? nodes[after].start : before.length;
    const delta = edit.text.length - (edit.end - edit.start);
    const parsed = parseFast(text.slice(start, end + delta));
    if (!('nodes' in parsed)) return this.parse(text);
    if (start > 0) for (const node of parsed.nodes) shiftTree(node, start);
    for (let k = after; k < nodes.length; k++) if (delta !== 0) shiftTree(nodes[k], delta);
    return this.module(text, [...nodes.slice(0, first), ...parsed.nodes, ...nodes.slice(after)]);
  }

  /** Forgets the last parse (tree-sitter parses the text now). */
  clear(): void {
    this.last = null;
  }

  /** The module node over `nodes`, made as `PythonParser.copyModule` makes it. */
  private module(text: string, nodes: PyNode[]): PyNode {
    const module: PyNode = { type: 'module', named: true, field: null, start: 0, end: text.length, children: [], parent: null, missing: false, recordIndex: -1 };
    for (const node of nodes) {
      node.parent = module;
      module.children.push(node);
    }
    this.last = { text, nodes: module.children };
    return module;
  }
}

function lineStart(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}
