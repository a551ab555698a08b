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
    const nodes = this.last ? takeOver(this.last.nodes, this.last.text, parsed.nodes, text) : parsed.nodes;
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
    // A statement of the window whose text is unchanged (an edit that replaced the whole text) keeps its node.
    const window = takeOver(nodes.slice(first, after), before, parsed.nodes, text);
    if (delta !== 0) for (let k = after; k < nodes.length; k++) shiftTree(nodes[k], delta);
    return this.module(text, [...nodes.slice(0, first), ...window, ...nodes.slice(after)]);
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

/**
 * The fresh top-level nodes of `text`, each replaced by a node of `previous` (top-level nodes of
 * `previousText`) of the same type and text where there is one, moved to the fresh one's place.
 */
function takeOver(previous: readonly PyNode[], previousText: string, fresh: readonly PyNode[], text: string): PyNode[] {
  // A list by type and text, because identical statements repeat.
  const byText = new Map<string, PyNode[]>();
  for (const node of previous) {
    const key = `${node.type}\u0000${previousText.slice(node.start, node.end)}`;
    const list = byText.get(key);
    if (list) list.push(node);
    else byText.set(key, [node]);
  }
  return fresh.map((node) => {
    const kept = byText.get(`${node.type}\u0000${text.slice(node.start, node.end)}`)?.pop();
    if (!kept) return node;
    if (kept.start !== node.start) shiftTree(kept, node.start - kept.start);
    return kept;
  });
}

function lineStart(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}
