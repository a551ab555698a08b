/**
 * Einsums called through a wrapper: `functools.partial(np.einsum, optimize=True)` bound to a
 * name, a function of the same file that only forwards its equation and operands to an einsum
 * (`def einsum(eq, *ops, **kw): return np.einsum(eq, *ops, **kw)`), and functions the user
 * declares (`einsight.python.einsumFunctions`, `[tool.einsight] einsum-functions` in
 * pyproject.toml: `{"pyscf.lib.einsum": "numpy.einsum(optimize=True)"}`), such as a project's
 * own einsum in another module. Options the wrapper fixes apply unless the call overrides them.
 */
import type { SourceRange } from '../model';
import { einsumCallee, type EinsumCallee } from './callees';
import type { NameResolver } from './resolve';
import type { Binding } from './scopes';
import { field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

/** An option the wrapper fixes: written in the source (a node) or declared in the settings (a value). */
export type PresetOption = { node: PyNode } | { text: string; value: boolean | string | number | null; range: SourceRange };

export interface EinsumTarget {
  /** The einsum the wrapper runs, e.g. `numpy.einsum`. */
  qualified: string;
  callee: EinsumCallee;
  /** What the call goes through, e.g. `functools.partial of numpy.einsum`. */
  via: string;
  /** Options fixed by the wrapper, by the einsum's keyword. */
  preset: Map<string, PresetOption>;
  /** For each keyword of the call, the einsum keyword it reaches (`**kwargs` forwards every one). */
  forwards: Map<string, string> | 'all';
}

/** `numpy.einsum(optimize=True, memory_limit='max_input')` as the settings spell a target. */
const DECLARED = /^\s*([A-Za-z_][\w.]*)\s*(?:\((.*)\))?\s*$/s;
const KEYWORD = /^\s*([A-Za-z_]\w*)\s*=\s*(True|False|None|-?\d+|'[^']*'|"[^"]*")\s*$/;

/** A declared target, or a sentence saying why it cannot be read. */
export function parseDeclaredTarget(text: string): { qualified: string; preset: Map<string, boolean | string | number | null> } | string {
  const match = DECLARED.exec(text);
  if (!match) return `'${text}' is not a function name with optional keyword arguments, e.g. numpy.einsum(optimize=True)`;
  const qualified = match[1];
  if (!einsumCallee(qualified)) return `'${qualified}' is not an einsum einsight knows (numpy.einsum, torch.einsum, opt_einsum.contract, ...)`;
  const preset = new Map<string, boolean | string | number | null>();
  for (const part of match[2]?.trim() ? match[2].split(',') : []) {
    const keyword = KEYWORD.exec(part);
    if (!keyword) return `'${part.trim()}' in '${text}' is not keyword=True/False/None/number/'string'`;
    const raw = keyword[2];
    const value = raw === 'True' ? true : raw === 'False' ? false : raw === 'None' ? null : /^-?\d+$/.test(raw) ? Number(raw) : raw.slice(1, -1);
    preset.set(keyword[1], value);
  }
  return { qualified, preset };
}

export class WrapperIndex {
  private readonly declared = new Map<string, { qualified: string; preset: Map<string, boolean | string | number | null> }>();
  private readonly byBinding = new Map<Binding, EinsumTarget | null>();

  constructor(
    private readonly resolver: NameResolver,
    declared: Readonly<Record<string, string>>,
  ) {
    for (const [name, target] of Object.entries(declared)) {
      const parsed = parseDeclaredTarget(target);
      if (typeof parsed !== 'string') this.declared.set(name, parsed);
    }
  }

  /** Last parts of the declared names: calls that could name one pass the cheap prefilter. */
  declaredNames(): Set<string> {
    return new Set([...this.declared.keys()].map((name) => name.slice(name.lastIndexOf('.') + 1)));
  }

  /** The einsum a callee runs through a wrapper, or null. */
  targetOf(callee: PyNode | null): EinsumTarget | null {
    if (!callee) return null;
    const qualified = this.declared.size > 0 ? this.resolver.qualifiedName(callee) : null;
    const declared = qualified !== null ? this.declared.get(qualified) : undefined;
    if (declared) {
      const range = { start: callee.start, end: callee.end };
      const preset = new Map<string, PresetOption>(
        [...declared.preset].map(([name, value]) => [name, { text: pythonLiteral(value), value, range }]),
      );
      return { qualified: declared.qualified, callee: einsumCallee(declared.qualified)!, via: `${qualified}, declared as ${declared.qualified}`, preset, forwards: 'all' };
    }
    if (callee.type !== 'identifier') return null;
    const binding = this.resolver.resolveUnique(callee);
    if (!binding || (binding.kind !== 'assign' && binding.kind !== 'function')) return null;
    let target = this.byBinding.get(binding);
    if (target === undefined) {
      target = binding.kind === 'assign' ? this.partialTarget(binding) : this.forwardingTarget(binding);
      this.byBinding.set(binding, target);
    }
    return target;
  }

  /** `name = functools.partial(np.einsum, optimize=True)`: keyword arguments only. */
  private partialTarget(binding: Binding): EinsumTarget | null {
    const value = binding.value ? unwrap(binding.value) : null;
    if (value?.type !== 'call' || this.resolver.qualifiedName(field(value, 'function')) !== 'functools.partial') return null;
    const args = field(value, 'arguments');
    const [wrapped, ...rest] = args ? namedChildren(args) : [];
    const qualified = wrapped ? this.resolver.qualifiedName(wrapped) : null;
    const callee = einsumCallee(qualified);
    if (!callee || !qualified || rest.some((a) => a.type !== 'keyword_argument')) return null;
    const preset = new Map<string, PresetOption>();
    for (const keyword of rest) preset.set(this.text(field(keyword, 'name')), { node: field(keyword, 'value')! });
    return { qualified, callee, via: `functools.partial of ${qualified}`, preset, forwards: 'all' };
  }

  /**
   * `def f(eq, *ops, optimize=True, **kw): ["""doc"""] return np.einsum(eq, *ops, optimize=optimize, **kw)`:
   * the equation and the operands passed on unchanged, every other argument a fixed value, a
   * parameter's default, or `**kw` passed on.
   */
  private forwardingTarget(binding: Binding): EinsumTarget | null {
    const definition = binding.statement;
    if (definition.type !== 'function_definition' || definition.parent?.type === 'decorated_definition') return null;
    const body = field(definition, 'body');
    const statements = body ? namedChildren(body) : [];
    const docstring = statements[0]?.type === 'expression_statement' && namedChildren(statements[0])[0]?.type === 'string';
    const rest = docstring ? statements.slice(1) : statements;
    if (rest.length !== 1 || rest[0].type !== 'return_statement') return null;
    const call = namedChildren(rest[0])[0] ? unwrap(namedChildren(rest[0])[0]) : null;
    if (call?.type !== 'call') return null;
    const qualified = this.resolver.qualifiedName(field(call, 'function'));
    const callee = einsumCallee(qualified);
    if (!callee || !qualified || callee.style !== 'equation-first') return null;
    const parameters = this.parametersOf(definition);
    if (!parameters) return null;
    const args = field(call, 'arguments');
    const [first, second, ...keywords] = args ? namedChildren(args) : [];
    if (first?.type !== 'identifier' || this.text(first) !== parameters.equation) return null;
    if (second?.type !== 'list_splat' || this.text(namedChildren(second)[0] ?? null) !== parameters.operands) return null;
    const preset = new Map<string, PresetOption>();
    let forwards: Map<string, string> | 'all' = new Map();
    for (const keyword of keywords) {
      if (keyword.type === 'dictionary_splat' && parameters.kwargs !== null && this.text(namedChildren(keyword)[0] ?? null) === parameters.kwargs) {
        forwards = 'all';
        continue;
      }
      if (keyword.type !== 'keyword_argument') return null;
      const option = this.text(field(keyword, 'name'));
      const value = field(keyword, 'value')!;
      const parameter = value.type === 'identifier' ? parameters.defaults.get(this.text(value)) : undefined;
      if (parameter !== undefined) {
        if (parameter) preset.set(option, { node: parameter });
        if (forwards !== 'all') forwards.set(this.text(value), option);
      } else if (isLiteral(value)) {
        preset.set(option, { node: value });
      } else return null;
    }
    const name = binding.name;
    return { qualified, callee, via: `${name}, which forwards to ${qualified}`, preset, forwards };
  }

  /** `(eq, *ops, name=default, ..., **kw)`; null for any other parameter list. */
  private parametersOf(definition: PyNode): { equation: string; operands: string; defaults: Map<string, PyNode | null>; kwargs: string | null } | null {
    const list = field(definition, 'parameters');
    const [equation, operands, ...others] = list ? namedChildren(list) : [];
    if (equation?.type !== 'identifier' || operands?.type !== 'list_splat_pattern') return null;
    const defaults = new Map<string, PyNode | null>();
    let kwargs: string | null = null;
    for (const parameter of others) {
      if (parameter.type === 'default_parameter') defaults.set(this.text(field(parameter, 'name')), field(parameter, 'value'));
      else if (parameter.type === 'identifier') defaults.set(this.text(parameter), null);
      else if (parameter.type === 'dictionary_splat_pattern') kwargs = this.text(namedChildren(parameter)[0] ?? null);
      else return null;
    }
    return { equation: this.text(equation), operands: this.text(namedChildren(operands)[0] ?? null), defaults, kwargs };
  }

  private text(node: PyNode | null): string {
    return node ? textOf(this.resolver.source, node) : '';
  }
}

function isLiteral(node: PyNode): boolean {
  const inner = unwrap(node);
  return ['true', 'false', 'none', 'integer', 'string', 'concatenated_string'].includes(inner.type);
}

function pythonLiteral(value: boolean | string | number | null): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return typeof value === 'string' ? `'${value}'` : String(value);
}
