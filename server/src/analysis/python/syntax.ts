/**
 * A plain-JavaScript copy of the tree-sitter syntax tree. Reading tree-sitter nodes crosses
 * into WebAssembly on every property, so the tree is copied once (per top-level statement,
 * and only the statements an edit touched) and every analysis pass walks the copy.
 */

export interface PyNode {
  type: string;
  /** Named node; the only anonymous nodes kept are those with a field (operators). */
  named: boolean;
  /** Field name in the parent (`function`, `arguments`, `operator`…), or null. */
  field: string | null;
  start: number;
  end: number;
  children: PyNode[];
  parent: PyNode | null;
  /** A token the parser inserted to recover from an error. */
  missing: boolean;
  /**
   * Where the shape analysis that first recorded this expression keeps what it held (see
   * recorded-values.ts); -1 until an analysis records it.
   */
  recordIndex: number;
}

/**
 * Leaves share one empty child list (most nodes are leaves; an array each is garbage to collect).
 * It is made empty from a list that held an object: V8 takes an empty literal for a list of
 * small integers, and every loop over children then met two kinds of list (half the nodes are
 * leaves), which made reading a field twice as slow.
 */
export const NO_CHILDREN: PyNode[] = emptyNodeList();

function emptyNodeList(): PyNode[] {
  const list = [{} as PyNode];
  list.pop();
  return list;
}

export function field(node: PyNode, name: string): PyNode | null {
  const children = node.children;
  for (let i = 0; i < children.length; i++) if (children[i].field === name) return children[i];
  return null;
}

export function fields(node: PyNode, name: string): PyNode[] {
  return node.children.filter((child) => child.field === name);
}

/**
 * Named children, without comments and backslash continuations (which the grammar keeps as nodes
 * anywhere). Most nodes have no others (the tree keeps only the anonymous nodes that have a
 * field): their own `children` array is returned then, read-only, rather than a copy per call,
 * which was a large share of what reading the sites allocated.
 */
export function namedChildren(node: PyNode): readonly PyNode[] {
  const children = node.children;
  for (let i = 0; i < children.length; i++) {
    if (!isNamedChild(children[i])) return children.filter(isNamedChild);
  }
  return children;
}

function isNamedChild(child: PyNode): boolean {
  return child.named && child.type !== 'comment' && child.type !== 'line_continuation';
}

/** Targets that unpack into their items (`a, b = ...`, `[a, *b] = ...`, `for (i, j) in ...`). */
export const SEQUENCE_TARGETS: ReadonlySet<string> = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'expression_list', 'tuple', 'list']);

export function textOf(source: string, node: PyNode): string {
  return source.slice(node.start, node.end);
}

/** `a = b: T = v`: every target, the annotation (if any) and the innermost value (null if missing). */
export function assignmentParts(node: PyNode): { targets: PyNode[]; annotation: PyNode | null; value: PyNode | null } {
  // `a = v`, by far the most common, without growing an array from empty (which reserves 17 slots).
  const right = field(node, 'right');
  if (node.type === 'assignment' && right?.type !== 'assignment') {
    const left = field(node, 'left');
    return { targets: left ? [left] : [], annotation: field(node, 'type'), value: right };
  }
  const targets: PyNode[] = [];
  let annotation: PyNode | null = null;
  let current: PyNode | null = node;
  while (current?.type === 'assignment') {
    const left = field(current, 'left');
    if (left) targets.push(left);
    annotation ??= field(current, 'type');
    current = field(current, 'right');
  }
  return { targets, annotation, value: current };
}

/** Strips parentheses: `((x))` is `x` for every analysis here. */
export function unwrap(node: PyNode): PyNode {
  let current = node;
  while (current.type === 'parenthesized_expression') {
    const inner = onlyNamedChild(current);
    if (!inner) break;
    current = inner;
  }
  return current;
}

/** The one named child of `node` (as `namedChildren` counts them), or null when it has none or several. */
function onlyNamedChild(node: PyNode): PyNode | null {
  let only: PyNode | null = null;
  for (const child of node.children) {
    if (!isNamedChild(child)) continue;
    if (only) return null;
    only = child;
  }
  return only;
}

/** The nearest enclosing node that is not a parenthesized expression. */
export function parentSkippingParens(node: PyNode): { parent: PyNode | null; child: PyNode } {
  let child = node;
  let parent = node.parent;
  while (parent && parent.type === 'parenthesized_expression') {
    child = parent;
    parent = parent.parent;
  }
  return { parent, child };
}

export function binaryOperator(node: PyNode): string | null {
  return node.type === 'binary_operator' ? (field(node, 'operator')?.type ?? null) : null;
}

/** Adds `delta` to every offset of a subtree (a cached statement that moved). */
export function shiftTree(node: PyNode, delta: number): void {
  const stack = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    current.start += delta;
    current.end += delta;
    for (const child of current.children) stack.push(child);
  }
}

/** Pre-order walk; return false from `visit` to skip a node's children. */
export function walk(node: PyNode, visit: (node: PyNode) => boolean | void): void {
  const stack = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (visit(current) === false) continue;
    for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]);
  }
}

/** Whether `node` or a node below it matches (the walk stops at the first). */
export function someDescendant(node: PyNode, matches: (node: PyNode) => boolean): boolean {
  let found = false;
  walk(node, (n) => {
    found ||= matches(n);
    return !found;
  });
  return found;
}

export function contains(outer: { start: number; end: number }, offset: number): boolean {
  return outer.start <= offset && offset < outer.end;
}
