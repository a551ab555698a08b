/**
 * Name resolution over the scopes: which binding a read of a name sees, and the dotted name
 * an expression stands for (`T.einsum` → `torch.einsum`), so aliases and shadowing are honoured.
 */
import type { Binding, ModuleFacts, Scope } from './scopes';
import { field, textOf, type PyNode } from './syntax';

const MAX_ALIAS_DEPTH = 8;

/** Calls that return the module named by their first argument, as an import of it binds it. */
export const MODULE_LOADERS: ReadonlySet<string> = new Set(['pytest.importorskip', 'importlib.import_module']);

/** The keyword a loader takes the module name by (`pytest.importorskip(modname=...)`). */
export function moduleKeyword(loader: string): string {
  return loader === 'pytest.importorskip' ? 'modname' : 'name';
}

/** An absolute dotted module name (a relative one depends on the `package` argument). */
export function isModuleName(text: string): boolean {
  return /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(text);
}

export class NameResolver {
  constructor(
    readonly facts: ModuleFacts,
    readonly source: string,
  ) {}

  /** Built per analysis: an edit moves the offsets of bindings an editor document keeps. */
  private readonly reachIndexes = new Map<Binding[], ReachIndex>();

  /**
   * The scope whose code contains `node` (a default value belongs to the scope around the `def`).
   * Not memoized: a walk up the few ancestors, asking the scope table only about nodes of the
   * types that make scopes, costs less than a table keyed by every node asked about.
   */
  scopeAt(node: PyNode): Scope {
    let child = node;
    for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
      if (!SCOPE_NODE_TYPES.has(parent.type)) continue;
      const scope = this.facts.scopeByNode.get(parent);
      if (!scope) continue;
      if (scope.kind === 'module' || scope.kind === 'comprehension') return scope;
      if (child.field === 'body' || (child.type === 'comment' && afterHeader(parent, child))) return scope;
    }
    return this.facts.module;
  }

  /** The binding a read of identifier `node` sees, or null for builtins and unknown names. */
  resolve(node: PyNode): Binding | null {
    return this.resolveName(textOf(this.source, node), node);
  }

  resolveName(name: string, at: PyNode): Binding | null {
    let scope: Scope | null = this.scopeAt(at);
    // Code in a function body runs after the enclosing scope has finished binding its names.
    let deferred = false;
    let first = true;
    while (scope) {
      if (scope.globals.has(name) && scope !== this.facts.module) {
        scope = this.facts.module;
        deferred = true;
        continue;
      }
      if (first || scope.kind !== 'class') {
        const bindings = scope.bindings.get(name);
        if (bindings && bindings.length > 0) return this.reaching(bindings, at, deferred);
      }
      if (scope.kind === 'function' || scope.kind === 'lambda') deferred = true;
      first = false;
      scope = scope.parent;
    }
    return null;
  }

  /** The last binding before the read; with none before it (a loop), or when deferred, the last one. */
  private reaching(bindings: Binding[], at: PyNode, deferred: boolean): Binding | null {
    if (deferred || bindings.length === 1) return bindings[bindings.length - 1];
    let index = this.reachIndexes.get(bindings);
    if (!index || index.length !== bindings.length) {
      index = reachIndexOf(bindings);
      this.reachIndexes.set(bindings, index);
    }
    // The number of bindings that take effect at or before the read.
    let low = 0;
    let high = index.offsets.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (index.offsets[mid] <= at.start) low = mid + 1;
      else high = mid;
    }
    return low > 0 ? bindings[index.latest[low - 1]] : bindings[bindings.length - 1];
  }

  /**
   * A cheap test before resolving a callee: could it name a library function whose last part
   * is in `names`? Only an attribute with that name, or a name an import or alias binds can.
   */
  couldName(callee: PyNode | null, names: ReadonlySet<string>): boolean {
    if (!callee) return false;
    if (callee.type === 'attribute') {
      const attribute = field(callee, 'attribute');
      return attribute !== null && names.has(textOf(this.source, attribute));
    }
    if (callee.type !== 'identifier') return callee.type === 'parenthesized_expression';
    return this.facts.module.starImports.length > 0 || this.aliasNames().has(textOf(this.source, callee));
  }

  private aliases: Set<string> | null = null;

  /** Names bound by an import, or assigned a name or attribute (`E = torch.einsum`), anywhere. */
  private aliasNames(): Set<string> {
    if (this.aliases) return this.aliases;
    const names = new Set<string>();
    const visit = (scope: Scope) => {
      scope.bindings.forEach((bindings, name) => {
        if (bindings.some(isAlias)) names.add(name);
      });
      scope.children.forEach(visit);
    };
    visit(this.facts.module);
    this.aliases = names;
    return names;
  }

  /** The binding when the name is bound exactly once in its scope (a stable constant or alias). */
  resolveUnique(node: PyNode): Binding | null {
    const binding = this.resolve(node);
    if (!binding) return null;
    return binding.scope.bindings.get(binding.name)!.length === 1 ? binding : null;
  }

  /** The dotted name an expression refers to: a module, a module attribute, or an alias of one. */
  qualifiedName(node: PyNode | null, depth = 0): string | null {
    if (!node || depth > MAX_ALIAS_DEPTH) return null;
    if (node.type === 'identifier') {
      const binding = this.resolve(node);
      if (!binding) return this.starImported(textOf(this.source, node));
      if (binding.kind === 'import') return binding.qualified;
      // `E = torch.einsum`: an alias, when the name is bound to nothing else.
      if (binding.kind === 'assign' && binding.value && this.resolveUnique(node)) {
        return this.importedBy(binding.value, depth) ?? this.qualifiedName(binding.value, depth + 1);
      }
      return null;
    }
    if (node.type === 'attribute') {
      const object = this.qualifiedName(field(node, 'object'), depth);
      const attribute = field(node, 'attribute');
      return object && attribute ? `${object}.${textOf(this.source, attribute)}` : null;
    }
    if (node.type === 'parenthesized_expression') {
      const inner = node.children.find((c) => c.named && c.type !== 'comment');
      return inner ? this.qualifiedName(inner, depth) : null;
    }
    return null;
  }

  /** `np = pytest.importorskip("numpy")` binds the module, as `import numpy as np` does. */
  private importedBy(value: PyNode, depth: number): string | null {
    const loader = value.type === 'call' ? this.qualifiedName(field(value, 'function'), depth + 1) : null;
    if (!loader || !MODULE_LOADERS.has(loader)) return null;
    const args = field(value, 'arguments')?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
    const keyword = moduleKeyword(loader);
    const byKeyword = args.find((a) => a.type === 'keyword_argument' && textOf(this.source, field(a, 'name')!) === keyword);
    const first = byKeyword ? field(byKeyword, 'value') : args[0];
    if (first?.type !== 'string') return null;
    const match = /^(['"])(.*)\1$/.exec(textOf(this.source, first));
    return match && isModuleName(match[2]) ? match[2] : null;
  }

  /** `from numpy import *`: the last star import supplies unresolved names. */
  private starImported(name: string): string | null {
    const stars = this.facts.module.starImports;
    return stars.length > 0 ? `${stars[stars.length - 1]}.${name}` : null;
  }
}

/** The types of the nodes that `ModuleFacts.scopeByNode` may hold (scope-builder.ts adds no others). */
const SCOPE_NODE_TYPES: ReadonlySet<string> = new Set([
  'module',
  'function_definition',
  'class_definition',
  'lambda',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

/** An import, or an assignment of a name or attribute (`E = torch.einsum`). */
function isAlias(binding: Binding): boolean {
  return binding.kind === 'import' || (binding.kind === 'assign' && (binding.value?.type === 'attribute' || binding.value?.type === 'identifier'));
}

/** A comment after `def f(...):` / `class C:` belongs to the body (tree-sitter may hang it on the definition). */
function afterHeader(definition: PyNode, comment: PyNode): boolean {
  const header = field(definition, 'parameters') ?? field(definition, 'superclasses') ?? field(definition, 'name');
  return header !== null && comment.start >= header.end;
}

/** Where a binding takes effect: after its statement, or at its target for loops and `with`. */
function effectiveOffset(binding: Binding): number {
  switch (binding.kind) {
    case 'parameter':
      return -1;
    case 'loop':
    case 'with':
    case 'except':
    case 'walrus':
      return binding.node.end;
    default:
      return binding.statement.end;
  }
}

/**
 * The bindings of one name, by effective offset, with the latest (in binding order) among
 * those up to each: which binding a read sees is then a binary search. A scan per read made a
 * name assigned N times and read after each assignment cost N².
 */
interface ReachIndex {
  /** The bindings list's length when indexed: a list that grew since is indexed again. */
  length: number;
  offsets: number[];
  /** latest[i]: the greatest binding index among the first i + 1 bindings by offset. */
  latest: number[];
}

function reachIndexOf(bindings: Binding[]): ReachIndex {
  const order = bindings.map((binding, index) => ({ index, offset: effectiveOffset(binding) })).sort((a, b) => a.offset - b.offset || a.index - b.index);
  const latest: number[] = [];
  for (const { index } of order) latest.push(Math.max(index, latest.length > 0 ? latest[latest.length - 1] : -1));
  return { length: bindings.length, offsets: order.map((o) => o.offset), latest };
}
