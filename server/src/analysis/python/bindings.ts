/**
 * What binds names: assignments (with unpacking, attributes and item stores), definitions,
 * imports, comprehensions, `with`/`except`/`match` targets. A binding also tells the cells
 * other code reads: a module's globals, an enclosing function's locals, a class's attributes.
 */
import { UNKNOWN, type Value } from '../shapes/values';
import { LITERAL, globalKey } from './expressions';
import type { Env, Frame } from './frame';
import { importTarget } from './program';
import type { ShapeAnalysis } from './shape-analysis';
import type { Binding, Scope } from './scopes';
import { assignmentParts, field, namedChildren, SEQUENCE_TARGETS, unwrap, walk, type PyNode } from './syntax';

export class Bindings {
  private readonly byStatement = new WeakMap<Scope, Map<PyNode, Binding[]>>();

  constructor(private readonly analysis: ShapeAnalysis) {}

  expressionStatement(frame: Frame, env: Env, node: PyNode, statement: PyNode): void {
    const ev = this.analysis.expressions;
    if (node.type === 'assignment') {
      const { targets, annotation, value: right } = assignmentParts(node);
      if (!right) return;
      let value = ev.evaluate(frame, env, right);
      if (annotation) value = this.analysis.calls.annotated(frame, annotation, value);
      for (const target of targets) this.assign(frame, env, target, value, statement);
      return;
    }
    if (node.type === 'augmented_assignment') {
      const left = field(node, 'left');
      const right = field(node, 'right');
      if (!left || !right) return;
      const before = ev.evaluate(frame, env, left);
      const operand = ev.evaluate(frame, env, right);
      const op = (field(node, 'operator')?.type ?? '').replace(/=$/, '');
      // In place: an array keeps its shape (the right side broadcasts into it).
      const after = before.t === 'array' && before.shape ? before : ev.operate(frame, op, before, operand, node);
      this.assign(frame, env, left, after, statement);
      return;
    }
    // A docstring: its value is neither read nor recorded (no site asks about an expression
    // statement), and decoding a long one allocated more than evaluating its whole function.
    if (node.type === 'string') return;
    ev.evaluate(frame, env, node);
  }

  /** Binds a target (a name, a tuple of targets, an attribute, an item) to a value. */
  assign(frame: Frame, env: Env, target: PyNode, value: Value, statement: PyNode): void {
    if (SEQUENCE_TARGETS.has(target.type)) return this.unpack(frame, env, namedChildren(target), value, statement);
    switch (target.type) {
      case 'identifier':
        return this.assignName(frame, env, target, value, statement);
      case 'parenthesized_expression': {
        const inner = namedChildren(target);
        if (inner.length === 1) this.assign(frame, env, inner[0], value, statement);
        return;
      }
      case 'attribute':
        return this.attributeStore(frame, env, target, value);
      case 'subscript':
        return this.itemStore(frame, env, target, value);
      case 'list_splat_pattern':
      case 'list_splat': {
        const inner = namedChildren(target)[0];
        if (inner) this.assign(frame, env, inner, { t: 'list', items: null, element: null }, statement);
        return;
      }
      default:
        this.analysis.expressions.evaluate(frame, env, target);
    }
  }

  private unpack(frame: Frame, env: Env, targets: readonly PyNode[], value: Value, statement: PyNode): void {
    const star = targets.findIndex((t) => t.type === 'list_splat_pattern' || t.type === 'list_splat');
    const items = value.t === 'tuple' ? value.items : value.t === 'list' ? value.items : null;
    if (items && (star >= 0 ? items.length >= targets.length - 1 : items.length === targets.length)) {
      targets.forEach((target, i) => {
        if (star < 0 || i < star) return this.assign(frame, env, target, items[i], statement);
        const fromEnd = targets.length - 1 - i;
        if (i > star) return this.assign(frame, env, target, items[items.length - 1 - fromEnd], statement);
        const rest = items.slice(star, items.length - (targets.length - 1 - star));
        const inner = namedChildren(target)[0];
        if (inner) this.assign(frame, env, inner, { t: 'list', items: rest, element: null }, statement);
      });
      return;
    }
    targets.forEach((target, i) => {
      let element: Value = UNKNOWN;
      if (value.t === 'unknown' && value.symbol && star < 0) element = this.analysis.expressions.itemOf(value.symbol, i, target.type === 'identifier' ? this.analysis.text(frame, target) : `${value.symbol.name}[${i}]`);
      // Each target takes its own element (`a, b = pair`): they share nothing the list does not say.
      else if (value.t === 'array' || value.t === 'list') element = this.analysis.expressions.elementOf(frame, value, target);
      if (i === star) {
        const inner = namedChildren(target)[0];
        if (inner) this.assign(frame, env, inner, { t: 'list', items: null, element }, statement);
      } else this.assign(frame, env, target, element, statement);
    });
  }

  /**
   * A name bound here. An int from literals is given this statement as its place; an unknown
   * int or value gets a symbol of its own (the same one each time this statement runs in this
   * context), named after the variable.
   */
  private assignName(frame: Frame, env: Env, node: PyNode, value: Value, statement: PyNode): void {
    const name = this.analysis.text(frame, node);
    const named = this.named(frame, value, name, node, statement);
    if (frame.scope.globals.has(name)) {
      this.analysis.contribute(frame, globalKey(this.analysis, frame.module, name), `${this.analysis.nodeId(node)}`, named, name, this.analysis.origin(frame, statement, 'constant'));
      return;
    }
    env.set(name, named);
    const key = this.cellOf(frame, name);
    if (key) this.analysis.contribute(frame, key, `${frame.context}${this.analysis.nodeId(node)}`, named, name, this.analysis.origin(frame, statement, 'constant'));
  }

  /** The cell a binding in this frame's scope feeds: what other scopes read of the name. */
  private cellOf(frame: Frame, name: string): string | null {
    const scope = frame.scope;
    if (scope.kind === 'module') return globalKey(this.analysis, frame.module, name);
    if (scope.kind === 'class') {
      const cls = frame.module.classOf(scope.node);
      return cls ? `classattr:${cls.id}:${name}` : null;
    }
    // A function's locals matter to the functions and lambdas nested in it, and to `nonlocal`.
    if ((scope.kind === 'function' || scope.kind === 'lambda') && frame.fn && scope.children.some((c) => c.kind !== 'comprehension')) {
      return `local:${frame.fn.id}:${name}`;
    }
    return null;
  }

  private named(frame: Frame, value: Value, name: string, node: PyNode, statement: PyNode): Value {
    if (value.t === 'int') {
      const size = value.dim.size;
      if (size !== null && value.dim.origin !== LITERAL) {
        if (size.coefficient === 1 && size.symbols.length === 1 && size.symbols[0][1] === 1) this.analysis.symbols.rename(size.symbols[0][0], name);
        return value;
      }
      const origin = this.analysis.origin(frame, statement, 'constant', firstLine(this.analysis.text(frame, statement)));
      if (size === null) return { t: 'int', dim: { size: { coefficient: 1, symbols: [[this.analysis.symbol(`bind:${frame.context}${this.analysis.nodeId(node)}`, name), 1]] }, origin } };
      return { t: 'int', dim: { size, origin } };
    }
    if (value.t === 'unknown') return { t: 'unknown', symbol: { key: value.symbol?.key ?? `bind:${frame.context}${this.analysis.nodeId(node)}`, name } };
    if (value.t === 'array' && value.shape === null && !value.key) return { ...value, key: `bind:${frame.context}${this.analysis.nodeId(node)}` };
    return value;
  }

  /** `obj.attr = value`: the object held in a local name gets the attribute. */
  private attributeStore(frame: Frame, env: Env, target: PyNode, value: Value): void {
    const objectNode = field(target, 'object');
    const attribute = field(target, 'attribute');
    if (!objectNode || !attribute) return;
    const object = this.analysis.expressions.evaluate(frame, env, objectNode);
    const name = this.analysis.text(frame, attribute);
    const holder = unwrap(objectNode);
    if (object.t === 'object') {
      if (holder.type === 'identifier') {
        const fields = new Map(object.fields);
        fields.set(name, value);
        env.set(this.analysis.text(frame, holder), { ...object, fields });
      }
      this.analysis.calls.storedAttribute(frame, object, name, value, target);
    }
  }

  /** `x[i] = value`: a list or dict held in a local name may now hold the value. */
  private itemStore(frame: Frame, env: Env, target: PyNode, value: Value): void {
    const ev = this.analysis.expressions;
    const containerNode = field(target, 'value');
    const container = containerNode ? ev.evaluate(frame, env, containerNode) : UNKNOWN;
    const keys = namedChildren(target).filter((c) => c !== containerNode).map((c) => ev.evaluate(frame, env, c));
    if (!containerNode || unwrap(containerNode).type !== 'identifier') return;
    const name = this.analysis.text(frame, unwrap(containerNode));
    if (container.t === 'list') {
      const element = container.element ? this.analysis.joinElements(container.element, value) : value;
      env.set(name, { t: 'list', items: null, element });
    } else if (container.t === 'dict') {
      const key = keys[0];
      const entries = new Map(container.entries);
      if (key?.t === 'str' && key.value !== null) entries.set(key.value, value);
      env.set(name, { t: 'dict', entries, complete: container.complete && key?.t === 'str' && key.value !== null });
    }
  }

  definition(frame: Frame, env: Env, node: PyNode): void {
    const ev = this.analysis.expressions;
    let definition = node;
    if (node.type === 'decorated_definition') {
      for (const child of namedChildren(node)) if (child.type === 'decorator') ev.evaluate(frame, env, namedChildren(child)[0] ?? child);
      definition = field(node, 'definition') ?? node;
    }
    const nameNode = field(definition, 'name');
    if (definition.type === 'function_definition') {
      const fn = frame.module.functionOf(definition);
      if (!fn) return;
      for (const parameter of fn.parameters) {
        if (!parameter.defaultValue) continue;
        const value = ev.evaluate(frame, env, parameter.defaultValue);
        this.analysis.contribute(frame, `default:${fn.id}:${parameter.name}`, 'definition', value, parameter.name, this.analysis.origin(frame, parameter.defaultValue, 'constant'));
      }
      if (nameNode) this.assignName(frame, env, nameNode, this.analysis.calls.definedFunction(fn), definition);
      return;
    }
    if (definition.type !== 'class_definition') return;
    const cls = frame.module.classOf(definition);
    if (!cls) return;
    for (const base of cls.baseNodes) ev.evaluate(frame, env, base);
    const body = this.analysis.frame(frame.module, null, cls.scope, frame.recording, frame.reader, frame.context, frame.depth, frame);
    this.analysis.flow.block(body, new Map(), field(definition, 'body'));
    if (nameNode) this.assignName(frame, env, nameNode, { t: 'ref', ref: cls }, definition);
  }

  importStatement(frame: Frame, env: Env, node: PyNode): void {
    for (const binding of this.bindingsOf(frame.scope, node)) {
      if (binding.kind !== 'import') continue;
      const target = importTarget(this.analysis.program, frame.module, binding);
      let value: Value = UNKNOWN;
      if (target?.member) {
        const key = globalKey(this.analysis, target.module, target.member);
        value = this.analysis.readCell(frame, key) ?? { t: 'unknown', symbol: { key, name: binding.name } };
      } else if (target) value = { t: 'ref', ref: target.module.reference };
      else if (binding.qualified) value = this.analysis.libraryValue(binding.qualified);
      this.assignName(frame, env, binding.node, value, node);
    }
  }

  private bindingsOf(scope: Scope, statement: PyNode): Binding[] {
    let index = this.byStatement.get(scope);
    if (!index) {
      index = new Map();
      for (const bindings of scope.bindings.values()) {
        for (const binding of bindings) {
          const list = index.get(binding.statement);
          if (list) list.push(binding);
          else index.set(binding.statement, [binding]);
        }
      }
      this.byStatement.set(scope, index);
    }
    return index.get(statement) ?? [];
  }

  exceptTarget(frame: Frame, env: Env, clause: PyNode): void {
    for (const child of namedChildren(clause)) {
      if (child.type === 'block') continue;
      if (child.type === 'as_pattern') {
        const [type, alias] = namedChildren(child);
        if (type) this.analysis.expressions.evaluate(frame, env, type);
        const name = alias ? (namedChildren(alias)[0] ?? alias) : null;
        if (name?.type === 'identifier') this.assign(frame, env, name, UNKNOWN, clause);
      } else this.analysis.expressions.evaluate(frame, env, child);
    }
  }

  withItem(frame: Frame, env: Env, item: PyNode, statement: PyNode): void {
    const value = field(item, 'value') ?? namedChildren(item)[0];
    if (!value) return;
    if (value.type === 'as_pattern') {
      const [expression, alias] = namedChildren(value);
      if (expression) this.analysis.expressions.evaluate(frame, env, expression);
      const target = alias ? (namedChildren(alias)[0] ?? alias) : null;
      if (target) this.assign(frame, env, target, UNKNOWN, statement);
    } else this.analysis.expressions.evaluate(frame, env, value);
  }

  /** Names a `case` pattern captures hold what the subject held in part: unknown here. */
  patternTargets(frame: Frame, env: Env, pattern: PyNode): void {
    walk(pattern, (node) => {
      if (node.type === 'dotted_name' || node.type === 'keyword_pattern') return false;
      if (node.type === 'identifier') env.set(this.analysis.text(frame, node), UNKNOWN);
      return true;
    });
  }

  /** A comprehension: a list of what its element holds (one evaluation per item when there are few). */
  comprehension(frame: Frame, env: Env, node: PyNode): Value {
    const ev = this.analysis.expressions;
    const clauses = namedChildren(node).filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const body = namedChildren(node).find((c) => c.type !== 'for_in_clause' && c.type !== 'if_clause' && c.type !== 'comment') ?? null;
    const inner: Env = new Map(env);
    const outerScope = frame.inner;
    frame.inner = frame.module.facts.scopeByNode.get(node) ?? outerScope;
    try {
      return this.comprehensionIn(frame, env, inner, node, clauses, body);
    } finally {
      frame.inner = outerScope;
    }
  }

  private comprehensionIn(frame: Frame, env: Env, inner: Env, node: PyNode, clauses: PyNode[], body: PyNode | null): Value {
    const ev = this.analysis.expressions;
    const first = clauses[0];
    const iterable = first ? (field(first, 'right') ? ev.evaluate(frame, inner, field(first, 'right')!) : UNKNOWN) : UNKNOWN;
    const items = clauses.length === 1 && node.type !== 'dictionary_comprehension' ? ev.knownItems(iterable) : null;
    const run = (element: Value): Value => {
      clauses.forEach((clause, i) => {
        if (clause.type === 'if_clause') {
          for (const test of namedChildren(clause)) ev.evaluate(frame, inner, test);
          return;
        }
        const left = field(clause, 'left');
        const right = field(clause, 'right');
        const value = i === 0 ? element : ev.elementOf(frame, right ? ev.evaluate(frame, inner, right) : UNKNOWN, clause);
        if (left) this.assign(frame, inner, left, value, node);
      });
      if (!body) return UNKNOWN;
      if (body.type === 'pair') {
        for (const part of namedChildren(body)) ev.evaluate(frame, inner, part);
        return UNKNOWN;
      }
      return ev.evaluate(frame, inner, body);
    };
    if (items) {
      frame.quiet++;
      const values = items.map(run);
      frame.quiet--;
      run(ev.elementOf(frame, iterable, node));
      return node.type === 'set_comprehension' ? UNKNOWN : { t: 'list', items: values, element: values.reduce<Value | null>((a, v) => (a ? this.analysis.joinElements(a, v) : v), null) };
    }
    const element = run(ev.elementOf(frame, iterable, node));
    if (node.type === 'dictionary_comprehension') return { t: 'dict', entries: new Map(), complete: false };
    return node.type === 'set_comprehension' ? UNKNOWN : { t: 'list', items: null, element };
  }
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  const line = (end < 0 ? text : text.slice(0, end)).trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

