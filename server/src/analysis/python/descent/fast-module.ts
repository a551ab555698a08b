/**
 * The module from the descent parser, with the top-level statements of the previous fast parse
 * whose text did not change taken over (shifted where they moved), as `PythonParser` does for
 * tree-sitter's copies: the analysis keeps what it read of a statement by its node.
 */
import { shiftTree, type PyNode } from '../syntax';
import { parseFast } from './statements';

export class FastModules {
  /** Top-level nodes of the last fast parse, by type and text; a list because identical ones repeat. */
  private statements = new Map<string, PyNode[]>();

  /** The module of `text`, or null where the descent parser declines it. */
  parse(text: string): PyNode | null {
    const parsed = parseFast(text);
    if (!('nodes' in parsed)) {
      this.statements.clear();
      return null;
    }
    const module: PyNode = { type: 'module', named: true, field: null, start: 0, end: text.length, children: [], parent: null, missing: false, recordIndex: -1 };
    const previous = this.statements;
    const next = new Map<string, PyNode[]>();
    for (const fresh of parsed.nodes) {
      const key = `${fresh.type}\u0000${text.slice(fresh.start, fresh.end)}`;
      let node = previous.get(key)?.pop();
      if (node) {
        if (node.start !== fresh.start) shiftTree(node, fresh.start - node.start);
      } else {
        node = fresh;
      }
      node.parent = module;
      module.children.push(node);
      const list = next.get(key);
      if (list) list.push(node);
      else next.set(key, [node]);
    }
    this.statements = next;
    return module;
  }

  /** Forgets the statements kept (tree-sitter parses the text now). */
  clear(): void {
    this.statements.clear();
  }
}
