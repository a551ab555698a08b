/**
 * The pass that fills scopes: bindings, reads, calls, matrix products and comments, in
 * source order, for one statement at a time.
 */
import type { Binding, BindingKind, ModuleFacts, Scope, ScopeKind } from './scopes';
import { assignmentParts, field, fields, namedChildren, SEQUENCE_TARGETS, textOf, type PyNode } from './syntax';

/** The `global` / `nonlocal` names of the scopes that declare none (nearly all): one shared empty set. */
const NO_NAMES: ReadonlySet<string> = new Set();

export function newScope(kind: ScopeKind, node: PyNode, name: string, parent: Scope | null): Scope {
  const scope: Scope = {
    kind,
    node,
    name,
    parent,
    bindings: new Map(),
    globals: NO_NAMES,
    nonlocals: NO_NAMES,
    uses: new Map(),
    children: [],
    starImports: [],
  };
  parent?.children.push(scope);
  return scope;
}

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

export class ScopeBuilder {
  constructor(
    private readonly source: string,
    /** Where facts go; swapped while one top-level function or class is read on its own. */
    private facts: ModuleFacts,
  ) {}

  /** Reads one top-level function or class against a stand-in module scope, to be merged later. */
  unit(node: PyNode): ModuleFacts {
    const staging = newScope('module', node.parent ?? node, '<module>', null);
    const local: ModuleFacts = { module: staging, scopeByNode: new Map(), calls: [], matmuls: [], comments: [], valueNames: new Set(), valueAttributes: new Set(), selfAttributes: new Map() };
    const outer = this.facts;
    this.facts = local;
    this.statement(node, staging);
    this.facts = outer;
    return local;
  }

  block(node: PyNode, scope: Scope): void {
    for (const child of node.children) this.statement(child, scope);
  }

  private bind(scope: Scope, name: string, kind: BindingKind, node: PyNode, statement: PyNode, extra: Partial<Pick<Binding, 'value' | 'annotation' | 'qualified'>> = {}): void {
    // `global x` sends every binding of x in this function to the module.
    let target = scope;
    if (scope.globals.has(name)) target = this.facts.module;
    // Every property spelled out, in one order: a spread of `extra` gave bindings of several
    // shapes, and every read of one (a name resolved, a value traced) a polymorphic access.
    const binding: Binding = {
      name,
      kind,
      node,
      statement,
      value: extra.value ?? null,
      annotation: extra.annotation ?? null,
      qualified: extra.qualified ?? null,
      scope: target,
    };
    const list = target.bindings.get(name);
    if (list) list.push(binding);
    else target.bindings.set(name, [binding]);
  }

  private use(scope: Scope, node: PyNode): void {
    const name = textOf(this.source, node);
    if (!isCallee(node)) this.facts.valueNames.add(name);
    const list = scope.uses.get(name);
    if (list) list.push(node);
    else scope.uses.set(name, [node]);
  }

  statement(node: PyNode, scope: Scope): void {
    switch (node.type) {
      case 'comment':
        this.facts.comments.push(node);
        return;
      case 'import_statement':
        return this.importStatement(node, scope);
      case 'import_from_statement':
        return this.importFrom(node, scope);
      case 'function_definition':
        return this.functionDefinition(node, node, scope);
      case 'class_definition':
        return this.classDefinition(node, node, scope);
      case 'decorated_definition': {
        const definition = field(node, 'definition');
        for (const child of node.children) if (child !== definition) this.expression(child, scope);
        if (definition?.type === 'function_definition') this.functionDefinition(definition, node, scope);
        else if (definition?.type === 'class_definition') this.classDefinition(definition, node, scope);
        return;
      }
      case 'global_statement':
        scope.globals = new Set([...scope.globals, ...namedChildren(node).map((id) => textOf(this.source, id))]);
        return;
      case 'nonlocal_statement':
        scope.nonlocals = new Set([...scope.nonlocals, ...namedChildren(node).map((id) => textOf(this.source, id))]);
        return;
      case 'expression_statement':
        for (const child of node.children) this.expressionStatement(child, node, scope);
        return;
      case 'for_statement':
        this.expression(field(node, 'right'), scope);
        this.target(field(node, 'left'), node, scope, 'loop', null);
        for (const child of node.children) if (child.field !== 'left' && child.field !== 'right') this.statementOrExpression(child, scope);
        return;
      case 'delete_statement':
        for (const target of namedChildren(node)) {
          this.expression(target, scope);
          if (target.type === 'identifier') this.bind(scope, textOf(this.source, target), 'delete', target, node);
        }
        return;
      case 'with_item':
      case 'except_clause':
      case 'case_clause':
        return this.statementOrExpression(node, scope, node.type === 'except_clause' ? 'except' : 'with');
      default:
        this.statementOrExpression(node, scope);
    }
  }

  /** Compound statements and clauses: blocks hold statements, everything else is read. */
  private statementOrExpression(node: PyNode, scope: Scope, asKind: BindingKind = 'with'): void {
    if (node.type === 'block' || node.type === 'module') return this.block(node, scope);
    if (node.type === 'as_pattern') {
      for (const child of node.children) {
        if (child.field === 'alias') this.target(namedChildren(child)[0] ?? null, node, scope, asKind, null);
        else this.statementOrExpression(child, scope, asKind);
      }
      return;
    }
    if (isStatementLike(node)) {
      for (const child of node.children) {
        if (child.type === 'as_pattern') this.statementOrExpression(child, scope, asKind);
        else if (isStatement(child)) this.statement(child, scope);
        else this.expression(child, scope);
      }
      return;
    }
    this.expression(node, scope);
  }

  private expressionStatement(node: PyNode, statement: PyNode, scope: Scope): void {
    if (node.type === 'assignment') {
      // `a = b = v`: every target gets the innermost value.
      const { targets, annotation, value } = assignmentParts(node);
      this.expression(value, scope);
      this.expression(annotation, scope);
      for (const target of targets) this.target(target, statement, scope, 'assign', value, annotation);
      return;
    }
    if (node.type === 'augmented_assignment') {
      const left = field(node, 'left');
      this.expression(field(node, 'right'), scope);
      this.expression(left, scope);
      if (left?.type === 'identifier') this.bind(scope, textOf(this.source, left), 'augmented', left, statement);
      return;
    }
    this.expression(node, scope);
  }

  /** Binds the names of an assignment target; `value` is matched element-wise through tuples. */
  private target(
    node: PyNode | null,
    statement: PyNode,
    scope: Scope,
    kind: BindingKind,
    value: PyNode | null,
    annotation: PyNode | null = null,
  ): void {
    if (!node) return;
    if (SEQUENCE_TARGETS.has(node.type)) {
      const items = namedChildren(node);
      const values = value && ['expression_list', 'tuple', 'list'].includes(value.type) ? namedChildren(value) : null;
      const aligned = values !== null && values.length === items.length;
      items.forEach((item, i) => this.target(item, statement, scope, kind, aligned ? values[i] : null));
      return;
    }
    switch (node.type) {
      case 'identifier':
        this.bind(scope, textOf(this.source, node), kind, node, statement, { value, annotation });
        return;
      case 'list_splat_pattern':
      case 'parenthesized_expression':
        for (const child of namedChildren(node)) this.target(child, statement, scope, kind, null);
        return;
      case 'attribute':
        this.selfAttribute(node, scope, value);
        // A store: the attribute is not read.
        this.expression(field(node, 'object'), scope);
        return;
      default:
        // Subscript stores read (and mutate) the container.
        this.expression(node, scope);
    }
  }

  private selfAttribute(node: PyNode, scope: Scope, value: PyNode | null): void {
    const object = field(node, 'object');
    const attribute = field(node, 'attribute');
    if (!value || !object || !attribute || textOf(this.source, object) !== 'self') return;
    const classScope = scope.kind === 'function' ? scope.parent : null;
    if (classScope?.kind !== 'class') return;
    let byName = this.facts.selfAttributes.get(classScope);
    if (!byName) this.facts.selfAttributes.set(classScope, (byName = new Map()));
    const name = textOf(this.source, attribute);
    const values = byName.get(name);
    if (values) values.push(value);
    else byName.set(name, [value]);
  }

  private importStatement(node: PyNode, scope: Scope): void {
    for (const name of fields(node, 'name')) {
      if (name.type === 'aliased_import') {
        const dotted = field(name, 'name');
        const alias = field(name, 'alias');
        if (dotted && alias) this.bind(scope, textOf(this.source, alias), 'import', alias, node, { qualified: textOf(this.source, dotted) });
      } else {
        // `import a.b.c` binds `a`.
        const first = namedChildren(name)[0] ?? name;
        const text = textOf(this.source, first);
        this.bind(scope, text, 'import', first, node, { qualified: text });
      }
    }
  }

  private importFrom(node: PyNode, scope: Scope): void {
    const moduleName = field(node, 'module_name');
    const module = moduleName?.type === 'dotted_name' ? textOf(this.source, moduleName) : null;
    if (node.children.some((c) => c.type === 'wildcard_import')) {
      if (module) scope.starImports.push(module);
      return;
    }
    for (const name of fields(node, 'name')) {
      const dotted = name.type === 'aliased_import' ? field(name, 'name') : name;
      const alias = name.type === 'aliased_import' ? field(name, 'alias') : name;
      if (!dotted || !alias) continue;
      const qualified = module ? `${module}.${textOf(this.source, dotted)}` : null;
      this.bind(scope, textOf(this.source, alias), 'import', alias, node, { qualified });
    }
  }

  private functionDefinition(node: PyNode, statement: PyNode, scope: Scope): void {
    const name = field(node, 'name');
    const parameters = field(node, 'parameters');
    const nameText = name ? textOf(this.source, name) : '<function>';
    if (name) this.bind(scope, nameText, 'function', name, statement);
    this.expression(field(node, 'return_type'), scope);
    const inner = newScope('function', node, scope.kind === 'module' ? nameText : `${scope.name}.${nameText}`, scope);
    this.facts.scopeByNode.set(node, inner);
    if (parameters) this.parameters(parameters, statement, scope, inner);
    const body = field(node, 'body');
    for (const child of node.children) if (child.type === 'comment') this.facts.comments.push(child);
    if (body) this.block(body, inner);
  }

  private parameters(node: PyNode, statement: PyNode, outer: Scope, inner: Scope): void {
    for (const parameter of namedChildren(node)) {
      const annotation = field(parameter, 'type');
      const defaultValue = field(parameter, 'value');
      this.expression(annotation, outer);
      this.expression(defaultValue, outer);
      const id =
        parameter.type === 'identifier'
          ? parameter
          : (field(parameter, 'name') ?? namedChildren(parameter).find((c) => c.type === 'identifier') ?? null);
      const splat = namedChildren(parameter).find((c) => c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern');
      const bound = id ?? (splat ? namedChildren(splat)[0] : null);
      if (bound?.type === 'identifier') {
        this.bind(inner, textOf(this.source, bound), 'parameter', bound, statement, { annotation });
      }
    }
  }

  private classDefinition(node: PyNode, statement: PyNode, scope: Scope): void {
    const name = field(node, 'name');
    const nameText = name ? textOf(this.source, name) : '<class>';
    if (name) this.bind(scope, nameText, 'class', name, statement);
    this.expression(field(node, 'superclasses'), scope);
    const inner = newScope('class', node, scope.kind === 'module' ? nameText : `${scope.name}.${nameText}`, scope);
    this.facts.scopeByNode.set(node, inner);
    for (const child of node.children) if (child.type === 'comment') this.facts.comments.push(child);
    const body = field(node, 'body');
    if (body) this.block(body, inner);
  }

  expression(node: PyNode | null, scope: Scope): void {
    if (!node) return;
    switch (node.type) {
      case 'identifier':
        this.use(scope, node);
        return;
      case 'comment':
        this.facts.comments.push(node);
        return;
      case 'attribute': {
        // The attribute name is not a variable.
        const attribute = field(node, 'attribute');
        if (attribute && !isCallee(node)) this.facts.valueAttributes.add(textOf(this.source, attribute));
        this.expression(field(node, 'object'), scope);
        return;
      }
      case 'keyword_argument':
        this.expression(field(node, 'value'), scope);
        return;
      case 'call':
        this.facts.calls.push(node);
        break;
      case 'binary_operator':
        if (field(node, 'operator')?.type === '@') this.facts.matmuls.push(node);
        break;
      case 'named_expression': {
        const name = field(node, 'name');
        this.expression(field(node, 'value'), scope);
        // The walrus binds in the enclosing function, even from inside a comprehension.
        let target = scope;
        while (target.kind === 'comprehension' && target.parent) target = target.parent;
        if (name) this.bind(target, textOf(this.source, name), 'walrus', name, node, { value: field(node, 'value') });
        return;
      }
      case 'lambda': {
        const inner = newScope('lambda', node, `${scope.name}.<lambda>`, scope);
        this.facts.scopeByNode.set(node, inner);
        const parameters = field(node, 'parameters');
        if (parameters) this.parameters(parameters, node, scope, inner);
        this.expression(field(node, 'body'), inner);
        return;
      }
      default:
        if (COMPREHENSIONS.has(node.type)) return this.comprehension(node, scope);
    }
    for (const child of node.children) this.expression(child, scope);
  }

  private comprehension(node: PyNode, scope: Scope): void {
    const inner = newScope('comprehension', node, scope.name, scope);
    this.facts.scopeByNode.set(node, inner);
    for (const clause of node.children) {
      if (clause.type === 'for_in_clause') {
        this.expression(field(clause, 'right'), inner);
        this.target(field(clause, 'left'), node, inner, 'loop', null);
      }
    }
    for (const child of node.children) if (child.type !== 'for_in_clause') this.expression(child, inner);
  }
}

function isCallee(node: PyNode): boolean {
  return node.field === 'function' && node.parent?.type === 'call';
}

const STATEMENT_LIKE = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'while_statement',
  'try_statement',
  'except_clause',
  'except_group_clause',
  'finally_clause',
  'with_statement',
  'with_clause',
  'with_item',
  'match_statement',
  'case_clause',
  'for_statement',
  'ERROR',
]);

function isStatementLike(node: PyNode): boolean {
  return STATEMENT_LIKE.has(node.type);
}

const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition', 'block', 'comment']);

/** Statements also turn up inside clauses and inside ERROR nodes left by a syntax error. */
function isStatement(node: PyNode): boolean {
  return DEFINITIONS.has(node.type) || STATEMENT_LIKE.has(node.type) || node.type.endsWith('_statement');
}
