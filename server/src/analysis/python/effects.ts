/**
 * What evaluating an expression may do to other code, for rewrites that move or reorder
 * operands: nothing a call could change (`stable`), a read whose value a call could change
 * (`read`: a global another function declares `global`, an attribute of plain data, a
 * subscript), or something that may run code (`effect`: calls, properties, walrus, `await`).
 * Attribute reads run code unless the attribute is plain data: assigned in `__init__`, with
 * no `@property`, `__getattr__` or parametrization in the class hierarchy the file shows.
 */
import type { NameResolver } from './resolve';
import type { Scope } from './scopes';
import { field, namedChildren, someDescendant, textOf, unwrap, type PyNode } from './syntax';

export type OperandEffect = 'stable' | 'read' | 'effect';

const LITERALS = new Set(['integer', 'float', 'true', 'false', 'none', 'ellipsis']);
/** Calls that read or write a scope's names by their spelling. */
const DYNAMIC_SCOPE = new Set(['eval', 'exec', 'locals', 'globals', 'vars']);
/** Array attributes that compute a view or a fact of the array without running user code. */
const ARRAY_ATTRIBUTES = new Set(['T', 'mT', 'H', 'mH', 'real', 'imag', 'shape', 'ndim', 'dtype', 'size']);
/** Base classes whose attribute access is plain for attributes assigned in `__init__`. */
const PLAIN_BASES = new Set(['object', 'torch.nn.Module', 'torch.nn.modules.module.Module']);

const SEVERITY: Record<OperandEffect, number> = { stable: 0, read: 1, effect: 2 };

export function worstEffect(effects: readonly OperandEffect[]): OperandEffect {
  return effects.reduce<OperandEffect>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'stable');
}

export class EffectFacts {
  private rebindable: Set<string> | null = null;
  private dynamicCalls: PyNode[] | null = null;
  private readonly plainClasses = new Map<Scope, boolean>();

  constructor(private readonly resolver: NameResolver) {}

  private get source(): string {
    return this.resolver.source;
  }

  operandEffect(expression: PyNode): OperandEffect {
    const node = unwrap(expression);
    if (LITERALS.has(node.type)) return 'stable';
    switch (node.type) {
      case 'string':
      case 'concatenated_string':
        return someDescendant(node, (n) => n.type === 'interpolation') ? 'effect' : 'stable';
      case 'identifier':
        return this.nameEffect(node);
      case 'attribute':
        return this.attributeEffect(node);
      case 'subscript':
        return worstEffect(['read', ...namedChildren(node).map((c) => this.operandEffect(c))]);
      case 'unary_operator':
      case 'tuple':
      case 'list':
      case 'slice':
      case 'keyword_argument':
        return worstEffect(namedChildren(node).map((c) => this.operandEffect(c)));
      default:
        return 'effect';
    }
  }

  /** A call of `eval`, `exec`, `locals()`, `globals()` or `vars()` in the function holding `node` (or the module). */
  dynamicScopeCall(node: PyNode): PyNode | null {
    const scope = this.functionScope(node);
    return this.dynamicScopeCalls().find((call) => this.functionScope(call) === scope || scope.kind === 'module') ?? null;
  }

  /** The function (or module) whose frame `node` runs in: comprehensions and lambdas count as their own. */
  functionScope(node: PyNode): Scope {
    return this.resolver.scopeAt(node);
  }

  private dynamicScopeCalls(): PyNode[] {
    if (!this.dynamicCalls) {
      this.dynamicCalls = this.resolver.facts.calls.filter((call) => {
        const callee = field(call, 'function');
        return callee?.type === 'identifier' && DYNAMIC_SCOPE.has(textOf(this.source, callee)) && this.resolver.resolve(callee) === null;
      });
    }
    return this.dynamicCalls;
  }

  private nameEffect(node: PyNode): OperandEffect {
    const name = textOf(this.source, node);
    const binding = this.resolver.resolve(node);
    // A builtin, a star import or a name `global`/`nonlocal` elsewhere: a call may rebind it.
    if (!binding || this.rebindableNames().has(name) || this.dynamicScopeCall(node)) return 'read';
    return binding.scope.kind === 'class' ? 'read' : 'stable';
  }

  /** Names some scope declares `global` or `nonlocal`: a call into that scope can rebind them. */
  private rebindableNames(): Set<string> {
    if (!this.rebindable) {
      const names = new Set<string>();
      const visit = (scope: Scope) => {
        for (const name of scope.globals) names.add(name);
        for (const name of scope.nonlocals) names.add(name);
        scope.children.forEach(visit);
      };
      visit(this.resolver.facts.module);
      this.rebindable = names;
    }
    return this.rebindable;
  }

  private attributeEffect(node: PyNode): OperandEffect {
    const object = field(node, 'object');
    const attribute = field(node, 'attribute');
    if (!object || !attribute) return 'effect';
    // `np.pi`, `torch.float32`: an attribute of an imported module.
    if (this.isModule(object)) return 'stable';
    const base = this.operandEffect(object);
    if (base === 'effect') return 'effect';
    const name = textOf(this.source, attribute);
    if (ARRAY_ATTRIBUTES.has(name) || this.plainSelfAttribute(object, name)) return 'read';
    return 'effect';
  }

  private isModule(node: PyNode): boolean {
    let root = unwrap(node);
    while (root.type === 'attribute') root = unwrap(field(root, 'object')!);
    return root.type === 'identifier' && this.resolver.resolve(root)?.kind === 'import';
  }

  /** `self.W` in a method, W assigned in `__init__` of a class whose attribute reads are plain. */
  plainSelfAttribute(object: PyNode, name: string): boolean {
    if (object.type !== 'identifier' || textOf(this.source, object) !== 'self') return false;
    const method = this.resolver.scopeAt(object);
    const owner = method.kind === 'function' ? method.parent : null;
    if (!owner || owner.kind !== 'class') return false;
    const values = this.resolver.facts.selfAttributes.get(owner)?.get(name) ?? [];
    const inInit = values.some((value) => enclosingFunctionName(value, this.source) === '__init__');
    return inInit && this.plainClass(owner) && !this.anywhereNamed(name);
  }

  /** No `__getattr__`, `__getattribute__`, properties or parametrizations; bases plain too. */
  private plainClass(scope: Scope): boolean {
    const known = this.plainClasses.get(scope);
    if (known !== undefined) return known;
    this.plainClasses.set(scope, false);
    const superclasses = field(scope.node, 'superclasses');
    let plain = !scope.bindings.has('__getattr__') && !scope.bindings.has('__getattribute__') && !this.parametrizes();
    for (const base of superclasses ? namedChildren(superclasses) : []) {
      if (!plain) break;
      if (base.type === 'keyword_argument') continue;
      const qualified = this.resolver.qualifiedName(base);
      if (qualified && PLAIN_BASES.has(qualified)) continue;
      if (base.type === 'identifier' && textOf(this.source, base) === 'object') continue;
      const local = base.type === 'identifier' ? this.resolver.resolve(base) : null;
      const baseScope = local?.kind === 'class' && local.node.parent ? this.resolver.facts.scopeByNode.get(local.node.parent) : undefined;
      plain = baseScope !== undefined && this.plainClass(baseScope);
    }
    this.plainClasses.set(scope, plain);
    return plain;
  }

  private parametrized: boolean | null = null;

  /** torch's parametrizations turn a parameter into a property computed at each read. */
  private parametrizes(): boolean {
    this.parametrized ??= this.resolver.facts.calls.some((call) => /register_parametrization|weight_norm|spectral_norm|orthogonal/.test(textOf(this.source, field(call, 'function') ?? call)));
    return this.parametrized;
  }

  private descriptorNames: Set<string> | null = null;

  /** An attribute name some class defines as a method or class-level value (a property or descriptor). */
  private anywhereNamed(name: string): boolean {
    if (!this.descriptorNames) {
      const names = new Set<string>();
      const visit = (scope: Scope) => {
        if (scope.kind === 'class') for (const bound of scope.bindings.keys()) names.add(bound);
        scope.children.forEach(visit);
      };
      visit(this.resolver.facts.module);
      this.descriptorNames = names;
    }
    return this.descriptorNames.has(name);
  }
}


function enclosingFunctionName(node: PyNode, source: string): string | null {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition') {
      const name = field(current, 'name');
      return name ? textOf(source, name) : null;
    }
  }
  return null;
}
