/**
 * Python scopes: what each name is bound to and where it is read, following Python's rules
 * (a name assigned anywhere in a function is local to all of it; class bodies do not enclose
 * their methods; `global`/`nonlocal` redirect). One pass over the copied tree.
 */
import { ScopeBuilder, newScope } from './scope-builder';
import type { PyNode } from './syntax';

export type BindingKind =
  | 'import'
  | 'assign'
  | 'augmented'
  | 'parameter'
  | 'function'
  | 'class'
  | 'loop'
  | 'with'
  | 'except'
  | 'walrus'
  | 'delete'
  | 'other';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The identifier (or alias) bound. */
  node: PyNode;
  /** The statement that binds it (the whole `def` for a function). */
  statement: PyNode;
  /** The value when the name alone is assigned (`x = v`, `x, y = v, w`); null otherwise. */
  value: PyNode | null;
  /** `x: T = v` or a parameter annotation. */
  annotation: PyNode | null;
  /** For an import: the dotted name it refers to (`torch`, `torch.einsum`); null when relative. */
  qualified: string | null;
  scope: Scope;
}

export type ScopeKind = 'module' | 'function' | 'class' | 'lambda' | 'comprehension';

export interface Scope {
  kind: ScopeKind;
  node: PyNode;
  /** Dotted name for messages: `Model.forward`, `<module>`. */
  name: string;
  parent: Scope | null;
  bindings: Map<string, Binding[]>;
  /** Names declared `global` / `nonlocal` here; read-only, since scopes without any share one empty set. */
  globals: ReadonlySet<string>;
  nonlocals: ReadonlySet<string>;
  /** Names read in this scope (not in nested ones), in source order. */
  uses: Map<string, PyNode[]>;
  children: Scope[];
  /** Modules imported with `from m import *`, in order. */
  starImports: string[];
}

/** The analysis-wide facts collected by the same pass. */
export interface ModuleFacts {
  module: Scope;
  /** Scope of each scope-creating node. */
  scopeByNode: Map<PyNode, Scope>;
  calls: PyNode[];
  /** `@` operators, outermost first within each expression. */
  matmuls: PyNode[];
  comments: PyNode[];
  /** Names read other than as the function of a call (a function passed as a value escapes). */
  valueNames: Set<string>;
  /** Attribute names read other than as a method called at once or assigned (`map(self.f, xs)`). */
  valueAttributes: Set<string>;
  /** `self.x = value` in each class's methods: the values by attribute name (effects, dtypes, mutation). */
  selfAttributes: Map<Scope, Map<string, PyNode[]>>;
}

/** What was read from each top-level function and class, reused while its text is unchanged. */
export class ScopeCache {
  units = new Map<PyNode, ModuleFacts>();
}

const UNIT_TYPES = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** Whether `inner` is `outer` or nested in it. */
export function encloses(outer: Scope, inner: Scope): boolean {
  for (let scope: Scope | null = inner; scope; scope = scope.parent) if (scope === outer) return true;
  return false;
}

/** A top-level function or class: the unit an editor document re-reads after an edit inside it. */
export function isUnit(node: PyNode): boolean {
  return UNIT_TYPES.has(node.type);
}

/**
 * Builds the scopes of a module. With a cache, a top-level function or class whose syntax
 * node was kept by the incremental parser (same text) is not read again.
 */
export function buildScopes(root: PyNode, source: string, cache: ScopeCache | null = null): ModuleFacts {
  const module = newScope('module', root, '<module>', null);
  const facts: ModuleFacts = {
    module,
    scopeByNode: new Map([[root, module]]),
    calls: [],
    matmuls: [],
    comments: [],
    valueNames: new Set(),
    valueAttributes: new Set(),
    selfAttributes: new Map(),
  };
  const builder = new ScopeBuilder(source, facts);
  const kept = new Map<PyNode, ModuleFacts>();
  for (const child of root.children) {
    if (!isUnit(child)) {
      builder.statement(child, module);
      continue;
    }
    const unit = cache?.units.get(child) ?? builder.unit(child);
    merge(unit, facts);
    kept.set(child, unit);
  }
  if (cache) cache.units = kept;
  return facts;
}

/** Adds what a unit read against its stand-in module scope to the real module scope. */
function merge(unit: ModuleFacts, facts: ModuleFacts): void {
  const module = facts.module;
  // forEach rather than for-of over the maps: an entry array per name was garbage per unit.
  unit.module.bindings.forEach((bindings, name) => {
    for (const binding of bindings) binding.scope = module;
    const list = module.bindings.get(name);
    // One at a time: spreading a name's hundred thousand uses into push() overflows the stack.
    if (list) for (const binding of bindings) list.push(binding);
    else module.bindings.set(name, [...bindings]);
  });
  unit.module.uses.forEach((uses, name) => {
    const list = module.uses.get(name);
    if (list) for (const use of uses) list.push(use);
    else module.uses.set(name, [...uses]);
  });
  for (const child of unit.module.children) {
    child.parent = module;
    module.children.push(child);
  }
  for (const call of unit.calls) facts.calls.push(call);
  for (const matmul of unit.matmuls) facts.matmuls.push(matmul);
  for (const comment of unit.comments) facts.comments.push(comment);
  unit.scopeByNode.forEach((scope, node) => facts.scopeByNode.set(node, scope));
  for (const name of unit.valueNames) facts.valueNames.add(name);
  for (const name of unit.valueAttributes) facts.valueAttributes.add(name);
  unit.selfAttributes.forEach((attributes, scope) => facts.selfAttributes.set(scope, attributes));
}
