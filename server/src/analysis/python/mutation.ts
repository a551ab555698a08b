/**
 * Whether code that runs between two points may change what some expressions evaluate to: the
 * question behind fusing `h = einsum(A, B); ...; einsum(h, v)` (A and B are then read at the
 * second call) and behind folding `qs = q * c` into `qs = q`. The answer is "no" only when no
 * code in between can rebind a name the expressions read, write in place any object they may
 * share (aliases, views, containers holding one), or reach them through a call we cannot see
 * into. Everything else is a blocker, with the code to blame.
 *
 * Objects are tracked by access paths (`A`, `self.W`); subscripts and views stay with their
 * base. Within one function, a name shares objects with what it was ever assigned from
 * (flow-insensitively, so a later assignment counts too), and an object is reachable by
 * unknown code when it came from outside (a parameter, a global, an unknown call's result) or
 * escaped there (an argument of an unknown call, a closure, a `yield`).
 */
import type { SourceRange } from '../model';
import type { EffectFacts } from './effects';
import { FRESH_METHODS, isKnownPure, isViewFunction, mutatedArgument, mutatesReceiver, PURE_BUILTINS, storesArguments, VIEW_METHODS } from './library-effects';
import type { NameResolver } from './resolve';
import type { Scope } from './scopes';
import { binaryOperator, field, namedChildren, SEQUENCE_TARGETS, someDescendant, textOf, unwrap, walk, type PyNode } from './syntax';

export interface Blocker {
  /** `` `A` may be modified by `sgd_step(...)` ``: the editor adds where. */
  reason: string;
  at: SourceRange;
}

/**
 * The identity token of objects that came from, or were handed to, code outside the function:
 * any two of them may be the same object.
 */
const OUTSIDE = '\u0000outside';

type CallKind =
  /** Code we cannot see into, handed these (receiver first for a method). */
  | { kind: 'unknown'; given: PyNode[] }
  /** A library function or array method: writes only `written` (`out=`), returns something sharing `result`. */
  | { kind: 'library'; written: PyNode[]; result: PyNode[] }
  /** Writes `written` in place (`x.sort()`, `np.copyto(x, y)`), and may store `stores` in it. */
  | { kind: 'writes'; written: PyNode[]; result: PyNode[]; stores?: PyNode[] };

interface Path {
  /** `A`, `self.W`: the name, then attributes. */
  text: string;
  root: string;
}

export class MutationAnalysis {
  private readonly models = new Map<Scope, AliasModel>();

  constructor(
    private readonly resolver: NameResolver,
    private readonly effects: EffectFacts,
  ) {}

  private get source(): string {
    return this.resolver.source;
  }

  /**
   * The first thing in `region` (statements or expressions, run after the values of `reads`
   * were taken and before they are used again) that may change them; null when nothing can.
   */
  blockerBetween(reads: readonly PyNode[], region: readonly PyNode[], at: PyNode): Blocker | null {
    const dynamic = this.effects.dynamicScopeCall(at);
    if (dynamic) return { reason: `\`${this.short(dynamic)}\` can read and write any variable`, at: rangeOf(dynamic) };
    const model = this.model(this.resolver.scopeAt(at));
    // Reads nest (a chain of nested einsums reads each inner call's operands again): each node once.
    const seen = new Set<PyNode>();
    const paths = reads.flatMap((read) => this.pathsOf(read, seen));
    const opaque = reads.some((read) => someDescendant(read, isCall));
    for (const node of region) {
      const blocker = new RegionScan(this, model, paths, opaque).scan(node);
      if (blocker) return blocker;
    }
    return null;
  }

  /** A name whose object only this function's code, under this one name, can see: fresh, never shared or handed out. */
  privateObject(name: PyNode): boolean {
    if (name.type !== 'identifier' || this.effects.dynamicScopeCall(name)) return false;
    const text = textOf(this.source, name);
    const tokens = this.model(this.resolver.scopeAt(name)).tokens({ text, root: text });
    return tokens.size === 1;
  }

  /**
   * Access paths an expression reads in value positions (not the names of functions it calls);
   * nodes in `seen` (already read) are skipped, and the nodes read are added to it.
   */
  pathsOf(expression: PyNode, seen = new Set<PyNode>()): Path[] {
    const paths: Path[] = [];
    const visit = (node: PyNode): void => {
      if (seen.has(node)) return;
      seen.add(node);
      const inner = unwrap(node);
      const path = this.pathOf(inner);
      if (path) {
        paths.push(path);
        return;
      }
      if (inner.type === 'call') {
        const callee = field(inner, 'function');
        if (callee?.type === 'attribute') visit(field(callee, 'object')!);
        for (const arg of namedChildren(field(inner, 'arguments') ?? inner)) visit(arg);
        return;
      }
      if (inner.type === 'attribute' || inner.type === 'subscript') {
        for (const child of namedChildren(inner)) if (child.field !== 'attribute') visit(child);
        return;
      }
      for (const child of namedChildren(inner)) visit(child);
    };
    visit(expression);
    return paths;
  }

  /** `A`, `self.W`, and `A[i]`, `A.T` as their base `A` (with `i` read separately by `pathsOf`). */
  pathOf(node: PyNode): Path | null {
    const inner = unwrap(node);
    if (inner.type === 'identifier') {
      const text = textOf(this.source, inner);
      return { text, root: text };
    }
    if (inner.type === 'attribute') {
      const object = unwrap(field(inner, 'object')!);
      const base = this.pathOf(object);
      const attribute = field(inner, 'attribute');
      if (!base || !attribute) return null;
      if (this.resolver.qualifiedName(object) !== null && this.effects.operandEffect(object) === 'stable') return null;
      const name = textOf(this.source, attribute);
      // `A.T` is a view of A: the same object for what writes can reach.
      return ['T', 'mT', 'H', 'mH', 'real', 'imag'].includes(name) ? base : { text: `${base.text}.${name}`, root: base.root };
    }
    if (inner.type === 'subscript') return this.pathOf(field(inner, 'value')!);
    return null;
  }

  model(scope: Scope): AliasModel {
    let model = this.models.get(scope);
    if (!model) {
      model = new AliasModel(this, this.resolver, scope);
      this.models.set(scope, model);
    }
    return model;
  }

  /** `sgd_step(...)`: a call's callee with its arguments elided; other code as written, shortened. */
  short(node: PyNode): string {
    if (node.type === 'call') return `${textOf(this.source, field(node, 'function') ?? node)}(...)`;
    const text = textOf(this.source, node).replace(/\s+/g, ' ');
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }

  /** What a call is, for what it may do to its arguments and what its result may share. */
  classify(call: PyNode): CallKind {
    const callee = field(call, 'function');
    const args = namedChildren(field(call, 'arguments') ?? call);
    const keywords = new Map(
      args.filter((a) => a.type === 'keyword_argument').map((a) => [textOf(this.source, field(a, 'name') ?? a), field(a, 'value') ?? a] as const),
    );
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    const qualified = this.resolver.qualifiedName(callee);
    const out = keywords.get('out');
    if (qualified) {
      const mutated = mutatedArgument(qualified);
      if (mutated !== null) return { kind: 'writes', written: [positional[mutated], ...(out ? [out] : [])].filter(Boolean), result: [] };
      if (!isKnownPure(qualified)) return { kind: 'unknown', given: [...args] };
      return { kind: 'library', written: out ? [out] : [], result: isViewFunction(qualified) ? positional : out ? [out] : [] };
    }
    if (callee?.type === 'identifier' && !this.resolver.resolve(callee) && PURE_BUILTINS.has(textOf(this.source, callee)) && !keywords.has('key')) {
      return { kind: 'library', written: [], result: positional };
    }
    const receiver = callee?.type === 'attribute' ? field(callee, 'object')! : null;
    const method = callee?.type === 'attribute' ? textOf(this.source, field(callee, 'attribute')!) : null;
    // Methods are known by name only on arrays: not on `self`, nor on a call's result.
    const arrayLike = receiver !== null && this.pathOf(receiver) !== null && !['self', 'cls'].includes(this.pathOf(receiver)!.root);
    if (receiver && method && arrayLike) {
      if (mutatesReceiver(method)) return { kind: 'writes', written: [receiver, ...(out ? [out] : [])], result: [receiver], stores: storesArguments(method) ? positional : [] };
      if (FRESH_METHODS.has(method)) return { kind: 'library', written: out ? [out] : [], result: [] };
      if (VIEW_METHODS.has(method)) return { kind: 'library', written: [], result: [receiver] };
    }
    return { kind: 'unknown', given: receiver ? [receiver, ...args] : [...args] };
  }

  text(node: PyNode): string {
    return textOf(this.source, node);
  }
}

/**
 * Which objects each name of one function may share, and which are reachable by code outside
 * it. Flow-insensitive: every assignment anywhere in the function counts.
 */
export class AliasModel {
  private readonly shares = new Map<string, Set<string>>();
  private readonly closed = new Map<string, Set<string>>();

  /** Names other code can reach (module and class level, captured by a nested function). */
  private readonly visible = new Set<string>();

  constructor(
    private readonly analysis: MutationAnalysis,
    private readonly resolver: NameResolver,
    private readonly scope: Scope,
  ) {
    for (const [name, bindings] of scope.bindings) {
      for (const binding of bindings) {
        if (binding.kind === 'assign' && binding.value) this.share(name, this.valueTokens(binding.value));
        else if (binding.kind === 'loop' || binding.kind === 'augmented' || binding.kind === 'walrus') this.share(name, this.valueTokens(binding.statement));
        else if (binding.kind !== 'function' && binding.kind !== 'class') this.share(name, [OUTSIDE]);
      }
    }
    if (scope.kind === 'module' || scope.kind === 'class') for (const name of scope.bindings.keys()) this.visible.add(name);
    if (scope.kind === 'class') for (const name of scope.bindings.keys()) this.share(name, [OUTSIDE]);
    for (const name of [...scope.globals, ...scope.nonlocals]) this.share(name, [OUTSIDE]);
    const nested = (s: Scope) => {
      for (const child of s.children) {
        // A nested function reads the name (and may change its object) whenever it is called...
        for (const name of child.uses.keys()) if (scope.bindings.has(name) && !child.bindings.has(name)) this.visible.add(name);
        // ...or rebinds it to anything.
        for (const name of [...child.globals, ...child.nonlocals]) if (scope.bindings.has(name)) this.share(name, [OUTSIDE]);
        nested(child);
      }
    };
    nested(scope);
    if (scope.kind === 'module') for (const name of this.rebindableGlobals()) this.share(name, [OUTSIDE]);
    walk(scope.node, (node) => {
      if (node !== scope.node && this.resolver.facts.scopeByNode.has(node) && node.type !== 'list_comprehension' && node.type !== 'generator_expression') return false;
      this.escapes(node);
    });
  }

  /** Module names some function declares `global` (and may rebind to anything). */
  private rebindableGlobals(): string[] {
    const names: string[] = [];
    const visit = (s: Scope) => {
      names.push(...s.globals);
      s.children.forEach(visit);
    };
    this.scope.children.forEach(visit);
    return names;
  }

  /** Tokens (names and OUTSIDE) for the objects a value may be or contain. */
  valueTokens(value: PyNode): string[] {
    const node = unwrap(value);
    if (node.type === 'call') {
      const call = this.analysis.classify(node);
      const parts = call.kind === 'unknown' ? call.given : call.result;
      return [...(call.kind === 'unknown' ? [OUTSIDE] : []), ...parts.flatMap((a) => this.valueTokens(a))];
    }
    if (node.type === 'keyword_argument') return this.valueTokens(field(node, 'value') ?? node);
    const op = binaryOperator(node);
    // Array arithmetic makes a new array; list arithmetic shares the elements.
    if (op && op !== 'and' && op !== 'or' && !namedChildren(node).some((c) => isSequenceLiteral(unwrap(c)))) return [];
    if (node.type === 'comparison_operator' || node.type === 'not_operator') return [];
    const path = this.analysis.pathOf(node);
    if (path) return path.text === path.root ? [path.root] : [path.text, OUTSIDE];
    return namedChildren(node).flatMap((child) => (child.type === 'identifier' && child.field === 'attribute' ? [] : this.valueTokens(child)));
  }

  /** Every token the objects at `path` may share, following assignments. */
  tokens(path: { text: string; root: string }): Set<string> {
    if (path.text !== path.root) {
      // An attribute is its own object unless it may have been assigned from elsewhere.
      return new Set([path.text, ...(this.freshAttribute(path) ? [] : [OUTSIDE])]);
    }
    return this.closure(path.root);
  }

  /** Whether code we cannot see into may reach the object (an attribute of anything, a global, a parameter's). */
  reachable(path: { text: string; root: string }): boolean {
    if (path.text !== path.root) return true;
    const names = this.closure(path.root);
    return names.has(OUTSIDE) || [...names].some((name) => this.visible.has(name));
  }

  /** `self.W` assigned only fresh values (constructors, literals, arithmetic) in its class. */
  private freshAttribute(path: { text: string; root: string }): boolean {
    const [root, attribute, ...rest] = path.text.split('.');
    if (root !== 'self' || rest.length > 0) return false;
    const method = this.scope.kind === 'function' ? this.scope : null;
    const owner = method?.parent?.kind === 'class' ? method.parent : null;
    const values = owner ? (this.resolver.facts.selfAttributes.get(owner)?.get(attribute) ?? []) : [];
    return values.length > 0 && values.every((value) => this.valueTokens(value).length === 0);
  }

  private closure(name: string): Set<string> {
    let result = this.closed.get(name);
    if (result) return result;
    result = new Set([name]);
    this.closed.set(name, result);
    const pending = [name];
    while (pending.length > 0) {
      for (const token of this.shares.get(pending.pop()!) ?? []) {
        if (result.has(token)) continue;
        result.add(token);
        if (token !== OUTSIDE) pending.push(token);
      }
    }
    return result;
  }

  private share(name: string, tokens: readonly string[]): void {
    let set = this.shares.get(name);
    if (!set) this.shares.set(name, (set = new Set()));
    for (const token of tokens) {
      if (token === name) continue;
      set.add(token);
      // Sharing is mutual: `B = A` makes a write through A visible in B.
      if (token !== OUTSIDE) {
        let back = this.shares.get(token);
        if (!back) this.shares.set(token, (back = new Set()));
        back.add(name);
      }
    }
  }

  /** Objects handed to code outside: arguments of unknown calls, stores into containers, `yield`. */
  private escapes(node: PyNode): void {
    if (node.type === 'yield') {
      for (const token of namedChildren(node).flatMap((c) => this.valueTokens(c))) this.share(token, [OUTSIDE]);
      return;
    }
    if (node.type === 'call') {
      const call = this.analysis.classify(node);
      if (call.kind === 'unknown') {
        for (const token of call.given.flatMap((a) => this.valueTokens(a))) this.share(token, [OUTSIDE]);
      } else if (call.kind === 'writes' && call.stores) {
        // `lst.append(A)`: lst now holds A.
        const holder = this.analysis.pathOf(call.written[0]);
        if (holder) this.share(holder.root, call.stores.flatMap((a) => this.valueTokens(a)));
      }
      return;
    }
    // `obj.attr = A`, `d[k] = A`: the container now holds A.
    if (node.type === 'assignment') {
      const left = field(node, 'left');
      const right = field(node, 'right');
      const target = left && (left.type === 'attribute' || left.type === 'subscript') ? this.analysis.pathOf(left) : null;
      if (target && right) {
        const tokens = this.valueTokens(right);
        this.share(target.root, tokens);
        if (this.reachable(target)) for (const token of tokens) if (token !== OUTSIDE) this.share(token, [OUTSIDE]);
      }
    }
  }
}

/** What one statement (or expression) of the region may do to the reads. */
class RegionScan {
  constructor(
    private readonly analysis: MutationAnalysis,
    private readonly model: AliasModel,
    private readonly reads: readonly Path[],
    /** The reads include a call: its result may be any object outside code can reach. */
    private readonly opaque: boolean,
  ) {}

  scan(region: PyNode): Blocker | null {
    let blocker: Blocker | null = null;
    walk(region, (node) => {
      if (blocker) return false;
      blocker = this.check(node);
      // A nested function, class or lambda only runs when called: its call is what counts.
      return !blocker && !['function_definition', 'class_definition', 'lambda'].includes(node.type);
    });
    return blocker;
  }

  private check(node: PyNode): Blocker | null {
    switch (node.type) {
      case 'yield':
      case 'await':
        return this.blame(node, `the function is suspended at \`${node.type}\`, and other code may run`);
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
      case 'for_in_clause':
        return this.targets(field(node, 'left'), node, node.type === 'augmented_assignment');
      case 'named_expression':
        return this.targets(field(node, 'name'), node, false);
      case 'delete_statement':
        return namedChildren(node).reduce<Blocker | null>((found, target) => found ?? this.targets(target, node, false), null);
      case 'as_pattern':
        return this.targets(field(node, 'alias') ?? namedChildren(node).at(-1) ?? null, node, false);
      case 'function_definition':
      case 'class_definition':
        return this.targets(field(node, 'name'), node, false);
      case 'import_statement':
      case 'import_from_statement':
        return this.rebinds(namedChildren(node).map((n) => this.analysis.text(n).split(/\s+as\s+/).at(-1)!.split('.')[0]), node);
      case 'with_item':
        return this.unknownCall(node, [field(node, 'value') ?? node]);
      case 'call':
        return this.call(node);
      default:
        return null;
    }
  }

  /** Assignment targets: a name or attribute rebound, a subscript (or an augmented name) written in place. */
  private targets(target: PyNode | null, statement: PyNode, inPlace: boolean): Blocker | null {
    if (!target) return null;
    const inner = unwrap(target);
    if (SEQUENCE_TARGETS.has(inner.type) || inner.type === 'list_splat_pattern') {
      return namedChildren(inner).reduce<Blocker | null>((found, t) => found ?? this.targets(t, statement, inPlace), null);
    }
    const path = this.analysis.pathOf(inner);
    if (!path) {
      // `np.swapaxes(A, 0, 1)[0] += 1`: a write into whatever the expression returns (here a view of A).
      const base = inner.type === 'subscript' || inner.type === 'attribute' ? unwrap(namedChildren(inner)[0]) : null;
      const hit = base ? this.writesValue(base) : null;
      return hit ? this.blame(statement, `\`${hit}\` may be modified by \`${this.analysis.short(statement)}\``) : null;
    }
    if (inner.type === 'subscript' || inPlace) {
      const written = this.writes(path);
      if (written) return this.blame(statement, `\`${written}\` may be modified by \`${this.analysis.short(statement)}\``);
    }
    if (inner.type === 'subscript') return null;
    const rebound = this.reads.find((read) => overlaps(read, path));
    return rebound ? this.blame(statement, `\`${rebound.text}\` is reassigned by \`${this.analysis.short(statement)}\``) : null;
  }

  private rebinds(names: readonly string[], statement: PyNode): Blocker | null {
    const rebound = this.reads.find((read) => names.includes(read.root));
    return rebound ? this.blame(statement, `\`${rebound.text}\` is reassigned by \`${this.analysis.short(statement)}\``) : null;
  }

  private call(node: PyNode): Blocker | null {
    const call = this.analysis.classify(node);
    if (call.kind === 'unknown') return this.unknownCall(node, call.given);
    for (const target of call.written) {
      const path = this.analysis.pathOf(target);
      const hit = path ? this.writes(path) : this.writesValue(target);
      if (hit) return this.blame(node, `\`${hit}\` may be modified by \`${this.analysis.short(node)}\``);
    }
    return null;
  }

  /** Code we cannot see into, handed `args`: it may write them and anything it can reach. */
  private unknownCall(node: PyNode, args: readonly PyNode[]): Blocker | null {
    const given = new Set(args.flatMap((a) => this.model.valueTokens(a)));
    for (const read of this.reads) {
      const passed = [...this.model.tokens(read)].some((t) => t !== OUTSIDE && given.has(t));
      if (passed || this.model.reachable(read)) return this.blame(node, `\`${read.text}\` may be modified by \`${this.analysis.short(node)}\``);
    }
    return this.opaque ? this.blame(node, `an operand's call result may be modified by \`${this.analysis.short(node)}\``) : null;
  }

  /** The read a write through `path` may change, or null. */
  private writes(path: Path): string | null {
    const written = this.model.tokens(path);
    for (const read of this.reads) {
      if (overlaps(read, path)) return read.text;
      const tokens = this.model.tokens(read);
      if ([...written].some((t) => tokens.has(t))) return read.text;
    }
    return this.opaque && this.model.reachable(path) ? 'an operand' : null;
  }

  /** The read a write into the value of `expression` (not a plain path) may change, or null. */
  private writesValue(expression: PyNode): string | null {
    const written = new Set(this.model.valueTokens(expression));
    for (const read of this.reads) {
      const tokens = this.model.tokens(read);
      if ([...written].some((t) => tokens.has(t))) return read.text;
    }
    return this.opaque && written.has(OUTSIDE) ? 'an operand' : null;
  }

  private blame(node: PyNode, reason: string): Blocker {
    return { reason, at: rangeOf(node) };
  }
}

/**
 * One path is the other or inside it: rebinding or writing `self.W` changes `self.W.x`, and
 * writing `W.data` (or setting it) changes W.
 */
function overlaps(a: Path, b: Path): boolean {
  return a.text === b.text || a.text.startsWith(`${b.text}.`) || b.text.startsWith(`${a.text}.`);
}

function isSequenceLiteral(node: PyNode): boolean {
  return ['list', 'tuple', 'list_comprehension', 'string', 'concatenated_string'].includes(node.type);
}


function rangeOf(node: PyNode): SourceRange {
  return { start: node.start, end: node.end };
}

function isCall(node: PyNode): boolean {
  return node.type === 'call';
}
