/**
 * Calls: einsums, library functions and array methods (by their shape functions), and the
 * program's own functions, methods and classes. A call of the program's function is evaluated
 * with its arguments for its result; in a function's merged evaluation it also adds its
 * arguments to what the callee's parameters may hold.
 */
import { einsumResult } from '../shapes/patterns';
import { arrayValue, UNKNOWN, withVia, type Origin, type Value } from '../shapes/values';
import { annotationDims, parseDimSpec } from './annotations';
import { Classes } from './classes';
import { LITERAL } from './expressions';
import type { Env, Frame } from './frame';
import { callLibrary } from './library';
import type { ClassInfo, FunctionInfo } from './program';
import type { ShapeAnalysis } from './shape-analysis';
import { field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

export interface Args {
  positional: Value[];
  keywords: ReadonlyMap<string, Value>;
  /** Spread from a value of unknown length (`*xs`, `**kw`): which parameter gets what is not known. */
  open: boolean;
  /** The argument nodes as written, and what each positional one holds (unknown for the others). */
  nodes: readonly PyNode[];
  values: Value[];
}

/** Decorators that leave a function's arguments and result as they are. */
const TRANSPARENT_DECORATORS = new Set([
  'staticmethod', 'classmethod', 'property', 'functools.wraps', 'functools.lru_cache', 'functools.cache', 'torch.no_grad',
  'torch.inference_mode', 'torch.enable_grad', 'torch.jit.script', 'torch.jit.ignore', 'torch.jit.unused', 'torch.compile',
  'jax.jit', 'numba.jit', 'numba.njit', 'abc.abstractmethod', 'torch.jit.export', 'typing.final', 'override', 'typing.override',
]);

/** The keywords of a call without any (shared: `Args.keywords` is read-only). */
const NO_KEYWORDS: ReadonlyMap<string, Value> = new Map();

export class Calls {
  readonly classes: Classes;
  private readonly escapes = new Map<FunctionInfo, boolean>();

  constructor(private readonly analysis: ShapeAnalysis) {
    this.classes = new Classes(analysis);
  }

  call(frame: Frame, env: Env, node: PyNode): Value {
    const ev = this.analysis.expressions;
    const calleeNode = field(node, 'function');
    const callee = calleeNode ? ev.evaluate(frame, env, calleeNode) : UNKNOWN;
    const args = this.arguments(frame, env, node);
    const einsum = frame.module.reader.read(node, calleeNode);
    if (einsum) return this.einsum(frame, einsum, node, operandValues(einsum.operandNodes, args));
    // Only the program's functions and objects are told where they were read from.
    const receives = (callee.t === 'ref' && callee.ref.kind === 'function') || callee.t === 'object';
    return this.apply(frame, env, callee, args, node, receives ? receiverOf(calleeNode) : null);
  }

  /** Calls a value with arguments; `receiver` is the expression a method was read from. */
  apply(frame: Frame, env: Env, callee: Value, args: Args, node: PyNode, receiver: PyNode | null): Value {
    if (callee.t === 'ref') {
      const ref = callee.ref;
      if (ref.kind === 'function') return this.callFunction(frame, env, ref as FunctionInfo, args, node, callee.self ?? null, receiver);
      if (ref.kind === 'class') return this.classes.instantiate(frame, env, ref as ClassInfo, args, node);
      if (ref.kind === 'library') {
        this.classes.noteEscapes(frame, ref.name, args);
        return callLibrary(this.analysis, frame, env, ref.name, callee.self ?? null, args, node) ?? UNKNOWN;
      }
      return UNKNOWN;
    }
    if (callee.t === 'object') return this.classes.callObject(frame, env, callee, args, node, receiver);
    return UNKNOWN;
  }

  private arguments(frame: Frame, env: Env, node: PyNode): Args {
    const ev = this.analysis.expressions;
    const list = field(node, 'arguments');
    if (!list) return { positional: [], keywords: NO_KEYWORDS, open: false, nodes: [], values: [] };
    if (list.type === 'generator_expression') {
      const value = ev.evaluate(frame, env, list);
      return { positional: [value], keywords: NO_KEYWORDS, open: false, nodes: [list], values: [value] };
    }
    // Made for every call evaluated: a keyword map only where there are keywords, and one array
    // for positional arguments and values where every argument is a plain positional one.
    const nodes = namedChildren(list);
    if (nodes.every(isPlainArgument)) {
      const values: Value[] = new Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) values[i] = ev.evaluate(frame, env, nodes[i]);
      return { positional: values, keywords: NO_KEYWORDS, open: false, nodes, values };
    }
    let keywords: Map<string, Value> | null = null;
    const args: Args = { positional: [], keywords: NO_KEYWORDS, open: false, nodes, values: nodes.map(() => UNKNOWN) };
    for (let i = 0; i < nodes.length; i++) {
      const arg = nodes[i];
      if (arg.type === 'keyword_argument') {
        const name = field(arg, 'name');
        const value = field(arg, 'value');
        if (name && value) (keywords ??= new Map()).set(textOf(frame.module.text, name), ev.evaluate(frame, env, value));
      } else if (arg.type === 'list_splat') {
        const value = ev.evaluate(frame, env, namedChildren(arg)[0] ?? arg);
        const items = value.t === 'tuple' ? value.items : value.t === 'list' ? value.items : null;
        if (items) args.positional.push(...items);
        else args.open = true;
      } else if (arg.type === 'dictionary_splat') {
        const value = ev.evaluate(frame, env, namedChildren(arg)[0] ?? arg);
        if (value.t === 'dict' && value.complete) for (const [k, v] of value.entries) (keywords ??= new Map()).set(k, v);
        else args.open = true;
      } else {
        const value = ev.evaluate(frame, env, arg);
        args.positional.push(value);
        args.values[i] = value;
      }
    }
    if (keywords) args.keywords = keywords;
    return args;
  }

  /** An einsum's result: its equation applied to what is known of the operands. */
  private einsum(frame: Frame, call: NonNullable<ReturnType<Frame['module']['reader']['read']>>, node: PyNode, operands: Value[]): Value {
    const library = call.callee.library === 'einops' || call.callee.library === 'opt_einsum' ? null : call.callee.library;
    const eq = frame.module.reader.parse(call);
    const origin = this.analysis.origin(frame, node, 'einsum-result', 'einsum result');
    const operandLibrary = operands.find((o): o is Extract<Value, { t: 'array' }> => o.t === 'array' && o.library !== null)?.library ?? null;
    if (!eq || call.callee.style === 'expression' || call.splatOperands) return arrayValue(null, library ?? operandLibrary);
    const shapes = operands.map((o) => (o.t === 'array' ? o.shape : null));
    return arrayValue(einsumResult(eq, shapes, origin), library ?? operandLibrary, origin);
  }

  /** Calls one of the program's functions (a bound method when `self` is given). */
  private callFunction(frame: Frame, env: Env, fn: FunctionInfo, args: Args, node: PyNode, self: Value | null, receiver: PyNode | null): Value {
    const bound = this.bind(frame, fn, args, self, node);
    if (!bound) return UNKNOWN;
    this.contributeArguments(frame, fn, bound, node, self !== null);
    const result = this.analysis.callFunction(frame, fn, bound);
    if (receiver && result.self?.t === 'object' && receiver.type === 'identifier') env.set(textOf(frame.module.text, receiver), result.self);
    return result.value;
  }

  /** Adds the arguments of a call to what the callee's parameters may hold (merged evaluations only). */
  contributeArguments(frame: Frame, fn: FunctionInfo, bound: Env, node: PyNode, skipSelf: boolean): void {
    if (!frame.recording || frame.quiet > 0) return;
    fn.parameters.forEach((parameter, i) => {
      if (i === 0 && skipSelf) return;
      const value = bound.get(parameter.name);
      if (!value) return;
      const key = `param:${fn.id}:${parameter.name}`;
      this.analysis.contribute(frame, key, `${this.analysis.nodeId(node)}`, value, parameter.name, this.analysis.origin(frame, parameter.node, 'merge', `${parameter.name} in ${fn.name}`));
    });
  }

  /**
   * Python's argument binding; missing arguments take their defaults. Sizes passed at `node`
   * remember the call (hover says through which call a size reached a function).
   */
  bind(frame: Frame, fn: FunctionInfo, args: Args, self: Value | null, node: PyNode | null): Env | null {
    const env: Env = new Map();
    const via = node ? this.analysis.origin(frame, node, 'argument') : null;
    const positional = self ? [self, ...args.positional] : [...args.positional];
    const used = new Set<string>();
    let index = 0;
    for (const parameter of fn.parameters) {
      let value: Value | undefined;
      if (parameter.kind === 'positional' && index < positional.length) value = positional[index++];
      else if (parameter.kind === 'star') {
        value = args.open ? UNKNOWN : { t: 'tuple', items: positional.slice(index) };
        index = positional.length;
      } else if (parameter.kind === 'double-star') {
        const rest = new Map([...args.keywords].filter(([k]) => !used.has(k)));
        value = { t: 'dict', entries: rest, complete: !args.open };
      } else if (args.keywords.has(parameter.name)) {
        value = args.keywords.get(parameter.name);
        used.add(parameter.name);
      }
      if (value === undefined) {
        value = args.open ? UNKNOWN : (this.analysis.readCell(frame, `default:${fn.id}:${parameter.name}`) ?? UNKNOWN);
      }
      if (parameter.kind === 'positional' && args.keywords.has(parameter.name)) used.add(parameter.name);
      env.set(parameter.name, via && value !== self ? throughCall(value, via) : value);
    }
    return env;
  }

  /** A function's parameters in its merged evaluation: what every call site passes, or unknown. */
  summaryParameters(frame: Frame, fn: FunctionInfo): Env {
    const env: Env = new Map();
    const escapes = this.escapesCalls(frame, fn);
    const method = this.selfName(fn);
    fn.parameters.forEach((parameter, i) => {
      if (i === 0 && method) {
        env.set(parameter.name, this.classes.receiver(frame, fn));
        return;
      }
      const key = `param:${fn.id}:${parameter.name}`;
      const merged = escapes ? null : this.analysis.readCell(frame, key);
      let value: Value = merged ?? (parameter.kind === 'star' || parameter.kind === 'double-star' ? UNKNOWN : { t: 'unknown', symbol: { key, name: parameter.name } });
      if (parameter.annotation) value = this.annotated(frame, parameter.annotation, value);
      env.set(parameter.name, value);
    });
    return env;
  }

  /** The name of a method's receiver parameter (`self`, or `cls` of a classmethod); null for functions. */
  selfName(fn: FunctionInfo): string | null {
    if (!fn.owner || fn.node.type === 'lambda' || fn.decorators.includes('staticmethod')) return null;
    const first = fn.parameters[0];
    return first && first.kind === 'positional' ? first.name : null;
  }

  /** The value a definition binds: the function, unless a decorator may change what it is. */
  definedFunction(fn: FunctionInfo): Value {
    return fn.decorators.every((d) => TRANSPARENT_DECORATORS.has(d) || d.endsWith('.setter')) ? { t: 'ref', ref: fn } : UNKNOWN;
  }

  /**
   * Whether the function may be called where the analysis cannot see the arguments: passed
   * as a value, wrapped by a decorator that may change it, or (a method) read without a call.
   */
  private escapesCalls(frame: Frame, fn: FunctionInfo): boolean {
    const escapes = this.escapesNow(fn);
    this.escapes.set(fn, escapes);
    if (escapes) return true;
    const methodName = fn.name.slice(fn.name.lastIndexOf('.') + 1);
    if (fn.owner && (methodName === 'forward' || methodName === '__call__')) return this.analysis.readCell(frame, `escape:${fn.owner.id}`) !== null;
    return false;
  }

  private escapesNow(fn: FunctionInfo): boolean {
    return this.definedFunction(fn).t !== 'ref' || (fn.owner ? fn.module.facts.valueAttributes.has(fn.name.slice(fn.name.lastIndexOf('.') + 1)) : this.usedAsValue(fn));
  }

  /** Whether an edit made a function escape (or stop escaping) since its parameters were last merged. */
  escapeChanged(fn: FunctionInfo): boolean {
    const before = this.escapes.get(fn);
    return before !== undefined && before !== this.escapesNow(fn);
  }

  /** Whether a plain function's name is read anywhere other than as the callee of a call (shadowing aside). */
  private usedAsValue(fn: FunctionInfo): boolean {
    if (fn.node.type === 'lambda') return !(fn.node.parent?.type === 'assignment');
    return fn.module.facts.valueNames.has(fn.name.slice(fn.name.lastIndexOf('.') + 1));
  }

  /** A value refined by its annotation: jaxtyping/Annotated shapes, `int`. */
  annotated(frame: Frame, annotation: PyNode, value: Value): Value {
    const plain = unwrap(annotation.type === 'type' ? (namedChildren(annotation)[0] ?? annotation) : annotation);
    if (plain.type === 'identifier' && textOf(frame.module.text, plain) !== 'int') return value;
    const spec = annotationDims(annotation, frame.module.resolver);
    const parsed = spec && parseDimSpec(spec, frame.module.text);
    if (!parsed) {
      const text = textOf(frame.module.text, annotation);
      if (text === 'int' && value.t === 'unknown' && value.symbol) {
        const id = this.analysis.symbol(value.symbol.key, value.symbol.name);
        return { t: 'int', dim: { size: { coefficient: 1, symbols: [[id, 1]] }, origin: this.analysis.origin(frame, annotation, 'annotation') } };
      }
      return value;
    }
    const origin = this.analysis.origin(frame, annotation, 'annotation');
    const ev = this.analysis.expressions;
    const dims = parsed.dims.map((d) => {
      if (d !== null && typeof d === 'object') {
        const v = ev.evaluate(frame, new Map(), d);
        return v.t === 'int' ? { size: v.dim.size, origin: v.dim.origin === LITERAL ? origin : v.dim.origin } : { size: null, origin };
      }
      if (typeof d === 'string') return ev.namedDim(frame, new Map(), d, annotation) ?? { size: ev.namedSize(d), origin };
      return { size: d === null ? null : { coefficient: d, symbols: [] }, origin };
    });
    const known = value.t === 'array' ? value.shape : null;
    if (known && known.dims.length === dims.length) {
      // What the callers pass is what runs; the annotation fills in what they leave unknown.
      return arrayValue({ dims: known.dims.map((d, i) => (d.size !== null && d.size.symbols.length === 0 ? d : dims[i].size !== null ? dims[i] : d)) }, value.t === 'array' ? value.library : null, value.t === 'array' ? value.origin : origin);
    }
    return arrayValue({ dims }, value.t === 'array' ? value.library : null, origin);
  }

  referenceAttribute(frame: Frame, value: Extract<Value, { t: 'ref' }>, name: string, node: PyNode): Value {
    return this.classes.referenceAttribute(frame, value, name, node);
  }

  objectAttribute(frame: Frame, object: Extract<Value, { t: 'object' }>, name: string, node: PyNode): Value {
    return this.classes.objectAttribute(frame, object, name, node);
  }

  storedAttribute(frame: Frame, object: Extract<Value, { t: 'object' }>, name: string, value: Value, target: PyNode): void {
    this.classes.storedAttribute(frame, object, name, value, target);
  }
}

/** `x` of a callee `x.method` (parentheses aside), or null. */
function receiverOf(calleeNode: PyNode | null): PyNode | null {
  const inner = calleeNode ? unwrap(calleeNode) : null;
  const receiver = inner?.type === 'attribute' ? field(inner, 'object') : null;
  return receiver ? unwrap(receiver) : null;
}

function isPlainArgument(arg: PyNode): boolean {
  return arg.type !== 'keyword_argument' && arg.type !== 'list_splat' && arg.type !== 'dictionary_splat';
}

/** What each einsum operand holds: an argument, or an item of torch's list form (`einsum(eq, [a, b])`). */
function operandValues(operands: readonly PyNode[], args: Args): Value[] {
  return operands.map((operand) => {
    const at = args.nodes.indexOf(operand);
    if (at >= 0) return args.values[at];
    for (const [i, arg] of args.nodes.entries()) {
      const value = args.values[i];
      if (operand.parent !== unwrap(arg) || (value.t !== 'list' && value.t !== 'tuple')) continue;
      const items = value.t === 'list' ? value.items : value.items;
      const index = namedChildren(unwrap(arg)).indexOf(operand);
      return items?.[index] ?? UNKNOWN;
    }
    return UNKNOWN;
  });
}

/** A value passed to a parameter: sizes written at the call say so; others remember the call. */
function throughCall(value: Value, via: Origin, depth = 0): Value {
  if (depth > 2) return value;
  switch (value.t) {
    case 'int':
      return value.dim.origin === LITERAL ? { t: 'int', dim: { size: value.dim.size, origin: via } } : value.dim.origin.via ? value : { t: 'int', dim: { size: value.dim.size, origin: withVia(value.dim.origin, via) } };
    case 'array':
      if (!value.shape) return value;
      return arrayValue({ dims: value.shape.dims.map((d) => (d.origin.via ? d : { size: d.size, origin: withVia(d.origin, via) })) }, value.library, value.origin);
    case 'tuple':
      return { t: 'tuple', items: value.items.map((item) => throughCall(item, via, depth + 1)) };
    default:
      return value;
  }
}
