/**
 * The Python program the shape analysis sees: one or more modules (the open file alone, or a
 * whole workspace), their functions and classes, and how an import names a module or a member
 * of another module in the workspace.
 */
import type { SiteDiagnostic } from '../model';
import type { Reference } from '../shapes/values';
import { ConstantEvaluator } from './constants';
import { HintIndex, parseHintComment } from './hints';
import type { ParsedPython } from './parser';
import { NameResolver } from './resolve';
import { isUnit, type Binding, type ModuleFacts, type Scope } from './scopes';
import { EinsumReader } from './sites';
import { WrapperIndex } from './wrappers';
import { field, fields, namedChildren, textOf, type PyNode } from './syntax';

export interface FunctionInfo extends Reference {
  readonly kind: 'function';
  readonly id: number;
  readonly module: PythonModule;
  /** The `function_definition` or `lambda` node. */
  readonly node: PyNode;
  readonly scope: Scope;
  /** The class whose body defines it (a method), or null. */
  readonly owner: ClassInfo | null;
  readonly parameters: readonly ParameterInfo[];
  readonly decorators: readonly string[];
}

export interface ParameterInfo {
  readonly name: string;
  readonly kind: 'positional' | 'keyword-only' | 'star' | 'double-star';
  readonly node: PyNode;
  readonly defaultValue: PyNode | null;
  readonly annotation: PyNode | null;
}

export interface ClassInfo extends Reference {
  readonly kind: 'class';
  readonly id: number;
  readonly module: PythonModule;
  readonly node: PyNode;
  readonly scope: Scope;
  readonly baseNodes: readonly PyNode[];
  readonly decorators: readonly string[];
}

interface ModuleState {
  parsed: ParsedPython;
  facts: ModuleFacts;
  resolver: NameResolver;
  constants: ConstantEvaluator;
  reader: EinsumReader;
  hints: HintIndex<Scope>;
  hintErrors: SiteDiagnostic[];
}

export interface ModuleReference extends Reference {
  readonly kind: 'module';
  readonly module: PythonModule;
}

/** One parsed module with the per-module helpers every pass shares; updated in place on edits. */
export class PythonModule {
  readonly reference: ModuleReference;
  /** Counts updates, so analyses tell an edited module from one they have seen. */
  version = 0;
  private state!: ModuleState;
  private functions = new WeakMap<PyNode, FunctionInfo>();
  private classes = new WeakMap<PyNode, ClassInfo>();
  private fingerprint = '';

  constructor(
    readonly program: PythonProgram,
    /** The path (or URI) by which other files and reports name this file. */
    readonly file: string,
    /** The dotted module name (`pkg.models`), or null when the file stands alone. */
    readonly name: string | null,
    parsed: ParsedPython,
    facts: ModuleFacts,
    /** Functions declared as einsums for this module (its project's); the program's when null. */
    public einsumFunctions: Readonly<Record<string, string>> | null = null,
  ) {
    this.reference = { kind: 'module', name: name ?? file, module: this };
    this.update(parsed, facts);
  }

  /**
   * Takes the module's new text. Functions and classes whose syntax nodes the parser kept
   * stay the same objects, unless code outside them changed (their imports may have).
   */
  update(parsed: ParsedPython, facts: ModuleFacts): void {
    const resolver = new NameResolver(facts, parsed.text);
    const constants = new ConstantEvaluator(resolver);
    const reader = new EinsumReader(resolver, constants, new WrapperIndex(resolver, this.einsumFunctions ?? this.program.einsumFunctions));
    this.state = { parsed, facts, resolver, constants, reader, hints: new HintIndex<Scope>(encloses), hintErrors: [] };
    const fingerprint = parsed.module.children.filter((c) => !isUnit(c)).map((c) => textOf(parsed.text, c)).join('\u0000');
    if (fingerprint !== this.fingerprint) {
      this.functions = new WeakMap();
      this.classes = new WeakMap();
      this.fingerprint = fingerprint;
    }
    this.version++;
    for (const comment of [...facts.comments].sort((a, b) => a.start - b.start)) {
      // Within the comment only: searching on to the end of the text for every comment is quadratic.
      if (!this.text.slice(comment.start, comment.end).includes('einsight')) continue;
      const hint = parseHintComment(textOf(this.text, comment), comment.start, this.text.lastIndexOf('\n', comment.start - 1) + 1);
      if (!hint) continue;
      this.hints.add(hint, this.resolver.scopeAt(comment));
      for (const error of hint.errors) this.hintErrors.push({ code: 'EIN008', severity: 'warning', message: error.message, range: error.range });
    }
  }

  get parsed(): ParsedPython {
    return this.state.parsed;
  }

  get facts(): ModuleFacts {
    return this.state.facts;
  }

  get resolver(): NameResolver {
    return this.state.resolver;
  }

  get constants(): ConstantEvaluator {
    return this.state.constants;
  }

  get reader(): EinsumReader {
    return this.state.reader;
  }

  get hints(): HintIndex<Scope> {
    return this.state.hints;
  }

  /** Problems in hint comments, reported as warnings. */
  get hintErrors(): SiteDiagnostic[] {
    return this.state.hintErrors;
  }

  get text(): string {
    return this.parsed.text;
  }

  /** The function a `def` or `lambda` node defines. */
  functionOf(node: PyNode): FunctionInfo | null {
    let info = this.functions.get(node);
    if (info) return info;
    const scope = this.facts.scopeByNode.get(node);
    if (!scope || (scope.kind !== 'function' && scope.kind !== 'lambda')) return null;
    const ownerScope = scope.parent?.kind === 'class' && scope.kind === 'function' ? scope.parent : null;
    info = {
      kind: 'function',
      id: this.program.idOf(node),
      name: scope.name,
      module: this,
      node,
      scope,
      owner: ownerScope ? this.classOf(ownerScope.node) : null,
      parameters: this.parametersOf(node),
      decorators: this.decoratorsOf(node),
    };
    this.functions.set(node, info);
    return info;
  }

  classOf(node: PyNode): ClassInfo | null {
    let info = this.classes.get(node);
    if (info) return info;
    const scope = this.facts.scopeByNode.get(node);
    if (!scope || scope.kind !== 'class') return null;
    const superclasses = field(node, 'superclasses');
    const baseNodes = superclasses ? namedChildren(superclasses).filter((c) => c.type !== 'keyword_argument') : [];
    info = { kind: 'class', id: this.program.idOf(node), name: scope.name, module: this, node, scope, baseNodes, decorators: this.decoratorsOf(node) };
    this.classes.set(node, info);
    return info;
  }

  /** Dotted names of the decorators on a definition (`dataclasses.dataclass`, `staticmethod`). */
  private decoratorsOf(node: PyNode): string[] {
    const decorated = node.parent?.type === 'decorated_definition' ? node.parent : null;
    if (!decorated) return [];
    return decorated.children
      .filter((c) => c.type === 'decorator')
      .map((decorator) => {
        let expression = namedChildren(decorator)[0] ?? decorator;
        if (expression.type === 'call') {
          const callee = field(expression, 'function');
          const args = field(expression, 'arguments');
          // `@partial(jax.jit, static_argnums=1)` decorates with what it partially applies.
          const partial = callee && this.resolver.qualifiedName(callee) === 'functools.partial' && args ? namedChildren(args)[0] : null;
          expression = partial ?? callee ?? expression;
        }
        return this.resolver.qualifiedName(expression) ?? textOf(this.text, expression);
      });
  }

  private parametersOf(node: PyNode): ParameterInfo[] {
    const list = field(node, 'parameters');
    if (!list) return [];
    const out: ParameterInfo[] = [];
    let keywordOnly = false;
    for (const parameter of namedChildren(list)) {
      if (parameter.type === 'keyword_separator') {
        keywordOnly = true;
        continue;
      }
      if (parameter.type === 'positional_separator') continue;
      const splat = parameter.type === 'list_splat_pattern' ? parameter : namedChildren(parameter).find((c) => c.type === 'list_splat_pattern');
      const doubleSplat = parameter.type === 'dictionary_splat_pattern' ? parameter : namedChildren(parameter).find((c) => c.type === 'dictionary_splat_pattern');
      const id =
        parameter.type === 'identifier'
          ? parameter
          : (field(parameter, 'name') ?? namedChildren(splat ?? doubleSplat ?? parameter).find((c) => c.type === 'identifier') ?? null);
      if (!id) continue;
      const kind = splat ? 'star' : doubleSplat ? 'double-star' : keywordOnly ? 'keyword-only' : 'positional';
      if (splat) keywordOnly = true;
      out.push({ name: textOf(this.text, id), kind, node: id, defaultValue: field(parameter, 'value'), annotation: field(parameter, 'type') });
    }
    return out;
  }
}

/** Libraries an absolute import names, not to be matched by the end of a project module's name. */
const EXTERNAL_LIBRARIES = new Set(['numpy', 'torch', 'jax', 'jaxlib', 'tensorflow', 'einops', 'opt_einsum', 'cotengra', 'scipy', 'math', 'cupy', 'flax', 'haiku', 'sympy', 'pandas']);

/** Every module of the program, with a way to resolve imports between them. */
export class PythonProgram {
  /** Functions declared as einsums (`einsight.python.einsumFunctions`), for modules read from now on. */
  einsumFunctions: Readonly<Record<string, string>>;
  private readonly byFile = new Map<string, PythonModule>();
  private readonly byName = new Map<string, PythonModule>();
  private readonly ids = new WeakMap<PyNode, number>();
  private next = 0;

  constructor(einsumFunctions: Readonly<Record<string, string>> = {}) {
    this.einsumFunctions = einsumFunctions;
  }

  /** A number for a definition, the same while its syntax node lives (cells are keyed by it). */
  idOf(node: PyNode): number {
    let id = this.ids.get(node);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(node, id);
    }
    return id;
  }

  /** Adds a module, or gives an existing one its new text; `einsumFunctions` overrides the program's for it. */
  add(file: string, name: string | null, parsed: ParsedPython, facts: ModuleFacts, einsumFunctions?: Readonly<Record<string, string>>): PythonModule {
    const existing = this.byFile.get(file);
    if (existing && existing.name === name) {
      existing.einsumFunctions = einsumFunctions ?? null;
      existing.update(parsed, facts);
      return existing;
    }
    this.remove(file);
    const module = new PythonModule(this, file, name, parsed, facts, einsumFunctions ?? null);
    this.byFile.set(file, module);
    if (name) this.byName.set(name, module);
    return module;
  }

  remove(file: string): void {
    const old = this.byFile.get(file);
    if (!old) return;
    this.byFile.delete(file);
    if (old.name && this.byName.get(old.name) === old) this.byName.delete(old.name);
  }

  get modules(): IterableIterator<PythonModule> {
    return this.byFile.values();
  }

  module(file: string): PythonModule | null {
    return this.byFile.get(file) ?? null;
  }

  /**
   * The workspace module a dotted name refers to: exactly, or as the unique module whose name
   * ends with it (`models.attention` for `src/models/attention.py` analysed from the repository root).
   */
  moduleNamed(dotted: string): PythonModule | null {
    const exact = this.byName.get(dotted);
    if (exact) return exact;
    // `import numpy` is the library, never a project's own `backends/numpy/` subpackage.
    if (EXTERNAL_LIBRARIES.has(dotted.split('.')[0])) return null;
    let found: PythonModule | null = null;
    for (const [name, module] of this.byName) {
      if (!name.endsWith(`.${dotted}`)) continue;
      if (found) return null;
      found = module;
    }
    return found;
  }

  /** `from .x import y` / `from ..pkg import y`: the dotted module a relative import names. */
  relativeModule(from: PythonModule, statement: PyNode): string | null {
    const relative = field(statement, 'module_name');
    if (!relative || relative.type !== 'relative_import' || !from.name) return null;
    const text = textOf(from.text, relative);
    const dots = /^\.*/.exec(text)![0].length;
    const rest = text.slice(dots);
    const parts = from.name.split('.');
    const packageParts = /(^|[\\/])__init__\.pyi?$/.test(from.file) ? parts : parts.slice(0, -1);
    const up = dots - 1;
    if (up > packageParts.length) return null;
    const base = packageParts.slice(0, packageParts.length - up);
    return [...base, ...(rest ? [rest] : [])].join('.') || null;
  }
}

/** The dotted module name of a file below `root`: `pkg/models.py` → `pkg.models`, `pkg/__init__.py` → `pkg`. */
export function moduleNameOf(relativePath: string): string | null {
  const parts = relativePath.replace(/\\/g, '/').replace(/\.pyi?$/, '').split('/').filter((p) => p !== '' && p !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  if (parts.length === 0 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return null;
  return parts.join('.');
}

/** The binding an import creates, as what it names: a module (`import a.b`) or a module's member. */
export function importTarget(program: PythonProgram, from: PythonModule, binding: Binding): { module: PythonModule; member: string | null } | null {
  const statement = binding.statement;
  if (statement.type === 'import_statement') {
    const dotted = binding.qualified;
    if (!dotted) return null;
    // `import a.b` binds `a`; `import a.b as c` binds the module `a.b`.
    const aliased = fields(statement, 'name').some((n) => n.type === 'aliased_import' && field(n, 'alias') === binding.node);
    const module = program.moduleNamed(aliased ? dotted : dotted.split('.')[0]);
    return module ? { module, member: null } : null;
  }
  if (statement.type !== 'import_from_statement') return null;
  const moduleName = binding.qualified?.slice(0, binding.qualified.lastIndexOf('.')) ?? program.relativeModule(from, statement);
  if (!moduleName) return null;
  const imported = fields(statement, 'name').find((n) => (n.type === 'aliased_import' ? field(n, 'alias') : n) === binding.node);
  const member = imported ? textOf(from.text, imported.type === 'aliased_import' ? (field(imported, 'name') ?? imported) : imported) : binding.name;
  const submodule = program.moduleNamed(`${moduleName}.${member}`);
  if (submodule) return { module: submodule, member: null };
  const module = program.moduleNamed(moduleName);
  return module ? { module, member } : null;
}

function encloses(outer: Scope, inner: Scope): boolean {
  for (let scope: Scope | null = inner; scope; scope = scope.parent) if (scope === outer) return true;
  return false;
}
