/**
 * Expressions: what each one holds, given what the names it reads hold on this path. Every
 * evaluated expression is recorded (in a function's merged evaluation) for the sites.
 */
import { indexShape, slicePositions, type IndexItem, type SlicePart } from '../shapes/indexing';
import { broadcast, matmul, reverseAxes, swapAxes } from '../shapes/shape-functions';
import { addSizes, constant, constantValue, divideSizes, multiplySizes, symbolSize, type Size } from '../shapes/sizes';
import { arrayValue, BOOL, FLOAT, NONE, shapeOf, UNKNOWN, type DimValue, type Origin, type Value } from '../shapes/values';
import { intConstant } from './abstract';
import type { Env, Frame } from './frame';
import type { ShapeAnalysis } from './shape-analysis';
import type { Scope } from './scopes';
import { stringLiteralValue } from './strings';
import { binaryOperator, field, fields, namedChildren, unwrap, type PyNode } from './syntax';

/** `x in y`, `x not in y`, `x is y`, `x is not y`: an operator of a comparison whose result is one bool. */
function isMembershipOrIdentity(child: PyNode): boolean {
  if (child.named) return false;
  const op = child.type;
  return op === 'in' || op === 'not in' || op === 'is' || op === 'is not' || op === 'not';
}

/** A float literal with a `j` suffix (a complex number). */
function isImaginary(text: string, node: PyNode): boolean {
  const last = node.end > node.start ? text.charCodeAt(node.end - 1) : 0;
  return last === 106 /* j */ || last === 74 /* J */;
}

/** An int written in the code: the constructor or statement that uses it gives it a place. */
export const LITERAL: Origin = { kind: 'constant', at: null, detail: 'literal' };

const BUILTINS = new Set([
  'len', 'range', 'int', 'float', 'bool', 'str', 'min', 'max', 'abs', 'sum', 'tuple', 'list', 'dict', 'set', 'zip', 'enumerate',
  'isinstance', 'getattr', 'setattr', 'hasattr', 'print', 'super', 'sorted', 'reversed', 'round', 'type', 'map', 'filter', 'any', 'all',
  'iter', 'next', 'divmod', 'pow', 'id', 'hash', 'repr', 'format', 'open', 'object', 'property', 'staticmethod', 'classmethod', 'vars',
]);

const ARITHMETIC = new Set(['+', '-', '*', '/', '//', '%', '**', '&', '|', '^', '<<', '>>']);
const MAX_KNOWN_ITEMS = 16;
const MAX_EXPRESSION_DEPTH = 200;
/** V8 copies substrings shorter than 13 characters; longer ones point into their source. */
export const SHARED_LITERAL_LENGTH = 12;

export class Expressions {
  constructor(private readonly analysis: ShapeAnalysis) {}

  evaluate(frame: Frame, env: Env, node: PyNode): Value {
    // Expressions nested deeper than any real code are not followed (the stack is finite).
    if (this.depth >= MAX_EXPRESSION_DEPTH) return UNKNOWN;
    this.depth++;
    let value: Value;
    try {
      value = this.compute(frame, env, node);
    } finally {
      this.depth--;
    }
    this.analysis.record(frame, node, value);
    return value;
  }

  private depth = 0;

  /**
   * One value per integer literal text (values are never changed): every `3` in the program
   * is the same object, rather than a new one kept by each expression that records it. Only
   * short texts are kept (a longer slice would keep its whole source alive).
   */
  private readonly integers = new Map<string, Value>();

  private integer(text: string): Value {
    let value = this.integers.get(text);
    if (!value) {
      const size = parseIntLiteral(text);
      value = size ? { t: 'int', dim: { size, origin: LITERAL } } : UNKNOWN;
      if (text.length <= SHARED_LITERAL_LENGTH) this.integers.set(text, value);
    }
    return value;
  }

  private compute(frame: Frame, env: Env, node: PyNode): Value {
    switch (node.type) {
      case 'parenthesized_expression': {
        const inner = namedChildren(node);
        return inner.length === 1 ? this.evaluate(frame, env, inner[0]) : UNKNOWN;
      }
      case 'identifier':
        return this.name(frame, env, node);
      case 'integer':
        return this.integer(this.analysis.text(frame, node));
      case 'float':
        return isImaginary(frame.module.text, node) ? UNKNOWN : FLOAT;
      case 'true':
      case 'false':
        return { t: 'bool', value: node.type === 'true' };
      case 'none':
        return NONE;
      case 'string':
        return { t: 'str', value: stringLiteralValue(this.analysis.text(frame, node)) };
      case 'concatenated_string':
        for (const part of namedChildren(node)) this.evaluate(frame, env, part);
        return { t: 'str', value: null };
      case 'attribute':
        return this.attribute(frame, env, node);
      case 'subscript':
        return this.subscript(frame, env, node);
      case 'call':
        return this.analysis.calls.call(frame, env, node);
      case 'binary_operator':
        return this.binary(frame, env, node);
      case 'unary_operator': {
        const argument = field(node, 'argument');
        const value = argument ? this.evaluate(frame, env, argument) : UNKNOWN;
        return negated(field(node, 'operator')?.type ?? '', value);
      }
      case 'not_operator':
        for (const child of namedChildren(node)) this.evaluate(frame, env, child);
        return BOOL;
      case 'boolean_operator': {
        const left = field(node, 'left');
        const right = field(node, 'right');
        const a = left ? this.evaluate(frame, env, left) : UNKNOWN;
        const b = right ? this.evaluate(frame, env, right) : UNKNOWN;
        return this.analysis.join(frame, a, b, node, 'or');
      }
      case 'comparison_operator': {
        const values = namedChildren(node).map((child) => this.evaluate(frame, env, child));
        if (node.children.some(isMembershipOrIdentity)) return BOOL;
        return this.elementwise(frame, values, node, 'bool');
      }
      case 'conditional_expression': {
        const [yes, condition, no] = namedChildren(node);
        if (condition) this.evaluate(frame, env, condition);
        const a = yes ? this.evaluate(frame, env, yes) : UNKNOWN;
        const b = no ? this.evaluate(frame, env, no) : UNKNOWN;
        return this.analysis.join(frame, a, b, node, this.analysis.text(frame, yes ?? node));
      }
      case 'named_expression': {
        const value = field(node, 'value');
        const name = field(node, 'name');
        const result = value ? this.evaluate(frame, env, value) : UNKNOWN;
        if (name) this.analysis.bindings.assign(frame, env, name, result, node);
        return result;
      }
      case 'tuple':
      case 'expression_list':
        return this.sequence(frame, env, node, 'tuple');
      case 'list':
        return this.sequence(frame, env, node, 'list');
      case 'dictionary':
        return this.dictionary(frame, env, node);
      case 'set':
        for (const child of namedChildren(node)) this.evaluate(frame, env, child);
        return UNKNOWN;
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension':
        return this.analysis.bindings.comprehension(frame, env, node);
      case 'lambda': {
        const fn = frame.module.functionOf(node);
        return fn ? { t: 'ref', ref: fn } : UNKNOWN;
      }
      case 'await':
        for (const child of namedChildren(node)) this.evaluate(frame, env, child);
        return UNKNOWN;
      default:
        for (const child of namedChildren(node)) if (child.type !== 'comment') this.evaluate(frame, env, child);
        return UNKNOWN;
    }
  }

  // ---- names -----------------------------------------------------------------------------

  private name(frame: Frame, env: Env, node: PyNode): Value {
    const name = this.analysis.text(frame, node);
    const hinted = this.hinted(frame, env, name, node);
    if (hinted) return hinted;
    const local = env.get(name);
    if (local && !frame.scope.globals.has(name) && !frame.scope.nonlocals.has(name)) return local;
    const scope = this.bindingScope(frame, name, node);
    if (!scope) return this.free(frame, node, name);
    if (this.isLocal(frame, scope)) return local ?? (frame.scope.kind === 'class' ? this.enclosing(frame, scope, name) : UNKNOWN);
    return this.enclosing(frame, scope, name);
  }

  /**
   * The scope that binds a name read in the frame, by Python's rules: the frame's own scope
   * (and comprehensions in it), enclosing functions, the module; class bodies only for their own code.
   */
  private bindingScope(frame: Frame, name: string, node: PyNode): Scope | null {
    let scope: Scope | null = frame.inner ?? frame.scope;
    let first = true;
    while (scope) {
      if ((scope.globals.has(name)) && scope.kind !== 'module') return frame.module.facts.module.bindings.has(name) ? frame.module.facts.module : null;
      if ((first || scope.kind !== 'class') && scope.bindings.has(name) && !scope.nonlocals.has(name)) return scope;
      if (scope.kind !== 'comprehension') first = false;
      scope = scope.parent;
    }
    void node;
    return null;
  }

  /** Whether names of `scope` live in the frame's environment (its own scope, or a comprehension in it). */
  private isLocal(frame: Frame, scope: Scope): boolean {
    let current: Scope | null = scope;
    while (current && current.kind === 'comprehension' && current !== frame.scope) current = current.parent;
    return current === frame.scope;
  }

  /** A name of an enclosing function or of the module: what every one of its bindings may hold. */
  private enclosing(frame: Frame, scope: Scope, name: string): Value {
    const key = scope.kind === 'module' ? globalKey(this.analysis, frame.module, name) : localKey(this.analysis, frame, scope, name);
    if (!key) return UNKNOWN;
    return this.analysis.readCell(frame, key) ?? { t: 'unknown', symbol: { key, name } };
  }

  /** A name no code binds: a builtin, a star import, or something defined at run time. */
  private free(frame: Frame, node: PyNode, name: string): Value {
    const starred = frame.module.resolver.qualifiedName(node);
    if (starred) return this.analysis.libraryValue(starred);
    if (BUILTINS.has(name)) return this.analysis.libraryValue(`builtins.${name}`);
    return { t: 'unknown', symbol: { key: `free:${name}`, name } };
  }

  /** A shape hint (`# einsight: x[B, 64]`) for the name or attribute read here. */
  hinted(frame: Frame, env: Env, name: string, node: PyNode): Value | null {
    const module = frame.module;
    if (!module.hints.anyShape || !module.hints.hasShape(name)) return null;
    const hint = module.hints.shape(name, node.start, module.resolver.scopeAt(node));
    if (!hint) return null;
    const origin: Origin = { kind: 'hint', at: { file: module.file, node: hint.range }, detail: module.text.slice(hint.range.start, hint.range.end) };
    const dims: DimValue[] = hint.dims.map((d) => {
      if (typeof d === 'number' || d === null) return { size: d === null ? null : constant(d), origin };
      return this.namedDim(frame, env, d, node) ?? { size: this.namedSize(d), origin };
    });
    return arrayValue({ dims }, null, origin);
  }

  /** A size named in a hint or annotation that the code binds to a known int (`B = 64`): that int. */
  namedDim(frame: Frame, env: Env, name: string, at: PyNode): DimValue | null {
    const binding = frame.module.resolver.resolveName(name, at);
    if (!binding) return null;
    const value = this.isLocal(frame, binding.scope) ? env.get(name) : this.enclosing(frame, binding.scope, name);
    return value?.t === 'int' && value.dim.size?.symbols.length === 0 ? value.dim : null;
  }

  /** A size the user named (in a hint or an annotation): the same name is the same size. */
  namedSize(name: string): Size {
    const id = this.analysis.symbol(`name:${name}`, name);
    this.analysis.symbols.fix(id);
    return symbolSize(id);
  }

  // ---- attributes ------------------------------------------------------------------------

  private attribute(frame: Frame, env: Env, node: PyNode): Value {
    const hinted = frame.module.hints.anyShape ? this.hinted(frame, env, this.analysis.text(frame, node), node) : null;
    const objectNode = field(node, 'object');
    const attribute = field(node, 'attribute');
    const object = objectNode ? this.evaluate(frame, env, objectNode) : UNKNOWN;
    if (hinted) return hinted;
    if (!attribute) return UNKNOWN;
    return this.attributeOf(frame, object, this.analysis.text(frame, attribute), node);
  }

  attributeOf(frame: Frame, object: Value, name: string, node: PyNode): Value {
    switch (object.t) {
      case 'ref':
        return this.analysis.calls.referenceAttribute(frame, object, name, node);
      case 'array':
        return this.arrayAttribute(frame, object, name, node);
      case 'object':
        return this.analysis.calls.objectAttribute(frame, object, name, node);
      case 'unknown':
        return object.symbol ? { t: 'unknown', symbol: { key: `${object.symbol.key}.${name}`, name } } : UNKNOWN;
      case 'tuple':
        // torch's (values, indices) results are named tuples.
        if (object.items.length === 2 && (name === 'values' || name === 'indices')) return object.items[name === 'values' ? 0 : 1];
        return { t: 'ref', ref: this.analysis.library(`<tuple>.${name}`), self: object };
      case 'list':
      case 'dict':
      case 'str':
      case 'int':
        return { t: 'ref', ref: this.analysis.library(`<${object.t}>.${name}`), self: object };
      default:
        return UNKNOWN;
    }
  }

  private arrayAttribute(frame: Frame, array: Extract<Value, { t: 'array' }>, name: string, node: PyNode): Value {
    const shape = array.shape;
    const origin = this.analysis.origin(frame, node, 'constructor');
    switch (name) {
      case 'shape':
        if (shape) return { t: 'tuple', items: shape.dims.map((dim) => ({ t: 'int', dim })) };
        // Of unknown rank, but the same each time it is read: its sizes are tied to the array.
        return array.key ? { t: 'unknown', symbol: { key: `${array.key}.shape`, name: 'shape' } } : UNKNOWN;
      case 'T':
      case 'H':
        return arrayValue(shape && reverseAxes(shape), array.library, array.origin);
      case 'mT':
      case 'mH':
        return arrayValue(shape && shape.dims.length >= 2 ? swapAxes(shape, -1, -2) : null, array.library, array.origin);
      case 'ndim':
        return shape ? { t: 'int', dim: { size: constant(shape.dims.length), origin } } : { t: 'int', dim: { size: null, origin } };
      case 'real':
      case 'imag':
      case 'data':
      case 'grad':
        return array;
      case 'size':
        // torch's `size` is a method; an array of unknown library is read as the call says.
        if (array.library === 'torch' || array.library === null) break;
        return { t: 'int', dim: { size: shape ? productSize(shape.dims) : null, origin } };
      case 'dtype':
      case 'device':
      case 'itemsize':
      case 'nbytes':
        return UNKNOWN;
    }
    return { t: 'ref', ref: this.analysis.library(`<array>.${name}`), self: array };
  }

  // ---- subscripts ------------------------------------------------------------------------

  private subscript(frame: Frame, env: Env, node: PyNode): Value {
    const valueNode = field(node, 'value');
    const base = valueNode ? this.evaluate(frame, env, valueNode) : UNKNOWN;
    let written: readonly PyNode[] = fields(node, 'subscript');
    const items = written.map((item) => (item.type === 'slice' ? this.sliceOf(frame, env, item) : this.evaluate(frame, env, item)));
    if (written.length === 1 && unwrap(written[0]).type === 'tuple' && items[0].t === 'tuple') {
      written = namedChildren(unwrap(written[0]));
      return this.index(frame, base, (items[0] as Extract<Value, { t: 'tuple' }>).items, written, node);
    }
    return this.index(frame, base, items, written, node);
  }

  /** A slice as a value: the start, stop and step it holds (tree-sitter drops the colons: they are counted). */
  private sliceOf(frame: Frame, env: Env, slice: PyNode): Value {
    const parts: Value[] = [NONE, NONE, NONE];
    for (const child of namedChildren(slice)) {
      parts[Math.min(countColons(frame.module.text, slice.start, child.start), 2)] = this.evaluate(frame, env, child);
    }
    return { t: 'ref', ref: this.analysis.library('builtins.slice'), self: { t: 'tuple', items: parts } };
  }

  index(frame: Frame, base: Value, items: readonly Value[], nodes: readonly PyNode[], node: PyNode): Value {
    const origin = this.analysis.origin(frame, node, 'constructor');
    if (base.t === 'array') {
      if (!base.shape) return arrayValue(null, base.library);
      const index: IndexItem[] = [];
      for (const [i, item] of items.entries()) {
        const converted = this.indexItem(item, nodes[i]);
        if (!converted) return arrayValue(null, base.library);
        index.push(converted);
      }
      return arrayValue(indexShape(base.shape, index, origin), base.library, base.origin);
    }
    if (items.length !== 1) return UNKNOWN;
    const item = items[0];
    if (base.t === 'tuple' || (base.t === 'list' && base.items)) {
      const all = base.t === 'tuple' ? base.items : base.items!;
      const slice = sliceParts(item);
      if (slice) {
        const positions = slicePositions(all.length, { kind: 'slice', ...slice });
        const picked = positions?.map((p) => all[p]);
        if (!picked) return base.t === 'tuple' ? UNKNOWN : { t: 'list', items: null, element: base.element };
        return base.t === 'tuple' ? { t: 'tuple', items: picked } : { t: 'list', items: picked, element: base.element };
      }
      const at = intConstant(item);
      if (at !== null && at >= -all.length && at < all.length) return all[at < 0 ? at + all.length : at];
      return item.t === 'int' ? (this.knownElement(all) ?? UNKNOWN) : UNKNOWN;
    }
    if (base.t === 'list') return sliceParts(item) ? { t: 'list', items: null, element: base.element } : base.element ? this.analysis.takeElement(frame, base.element, node) : UNKNOWN;
    if (base.t === 'dict') {
      if (item.t === 'str' && item.value !== null) return base.entries.get(item.value) ?? UNKNOWN;
      return UNKNOWN;
    }
    if (base.t === 'unknown' && base.symbol) {
      const at = intConstant(item);
      if (at !== null) return this.itemOf(base.symbol, at, `${base.symbol.name}[${at}]`);
      if (item.t === 'str' && item.value !== null) return { t: 'unknown', symbol: { key: `${base.symbol.key}[${JSON.stringify(item.value)}]`, name: item.value } };
    }
    return UNKNOWN;
  }

  /** Item `at` of an unknown sequence: a size when the sequence is a shape (`x.shape[0]`), else unknown. */
  itemOf(symbol: { key: string; name: string }, at: number, name: string): Value {
    const key = `${symbol.key}[${at}]`;
    if (!symbol.key.endsWith('.shape')) return { t: 'unknown', symbol: { key, name } };
    return { t: 'int', dim: { size: symbolSize(this.analysis.symbol(key, name)), origin: LITERAL } };
  }

  /** How one index changes an array's shape; null when that cannot be told (an index of unknown kind). */
  private indexItem(item: Value, node: PyNode | undefined): IndexItem | null {
    if (item.t === 'int') return { kind: 'integer' };
    if (item.t === 'none') return { kind: 'newaxis' };
    const slice = sliceParts(item);
    if (slice) return { kind: 'slice', ...slice };
    if (item.t === 'ref' && item.ref.name === 'builtins.Ellipsis') return { kind: 'ellipsis' };
    if (node && unwrap(node).type === 'ellipsis') return { kind: 'ellipsis' };
    if (item.t === 'list' && item.items) {
      if (item.items.every((i) => i.t === 'int')) return { kind: 'array', size: { size: constant(item.items.length), origin: LITERAL } };
      if (item.items.every((i) => i.t === 'bool')) {
        const values = item.items.map((i) => (i.t === 'bool' ? i.value : undefined));
        return { kind: 'array', size: values.every((v) => v !== undefined) ? { size: constant(values.filter(Boolean).length), origin: LITERAL } : null };
      }
      return null;
    }
    // A 1-D index array: an integer one keeps its size, a boolean mask selects an unknown count.
    if (item.t === 'array' && item.shape?.dims.length === 1) return { kind: 'array', size: null };
    return null;
  }

  // ---- operators -------------------------------------------------------------------------

  private binary(frame: Frame, env: Env, node: PyNode): Value {
    const leftNode = field(node, 'left');
    const rightNode = field(node, 'right');
    const a = leftNode ? this.evaluate(frame, env, leftNode) : UNKNOWN;
    const b = rightNode ? this.evaluate(frame, env, rightNode) : UNKNOWN;
    return this.operate(frame, binaryOperator(node) ?? '', a, b, node);
  }

  /** `a op b` on values (also used for augmented assignment). */
  operate(frame: Frame, op: string, a: Value, b: Value, node: PyNode): Value {
    if (op === '@') {
      const x = shapeOf(a);
      const y = shapeOf(b);
      const library = a.t === 'array' ? a.library : b.t === 'array' ? b.library : null;
      if (a.t !== 'array' && b.t !== 'array') return UNKNOWN;
      return arrayValue(x && y ? matmul(x, y, this.analysis.origin(frame, node, 'einsum-result')) : null, library, this.analysis.origin(frame, node, 'einsum-result'));
    }
    if (a.t === 'int' && b.t === 'int') return intArithmetic(op, a.dim, b.dim);
    if ((a.t === 'tuple' || a.t === 'list') && op === '+' && b.t === a.t) {
      if (a.t === 'tuple' && b.t === 'tuple') return { t: 'tuple', items: [...a.items, ...b.items] };
      const x = a as Extract<Value, { t: 'list' }>;
      const y = b as Extract<Value, { t: 'list' }>;
      return { t: 'list', items: x.items && y.items ? [...x.items, ...y.items] : null, element: this.analysis.joinElements(x.element ?? UNKNOWN, y.element ?? UNKNOWN) };
    }
    if (op === '*' && ((a.t === 'tuple' || a.t === 'list') && b.t === 'int' || (b.t === 'tuple' || b.t === 'list') && a.t === 'int')) {
      const [sequence, count] = a.t === 'int' ? [b, a] : [a, b];
      const times = intConstant(count);
      const items = sequence.t === 'tuple' ? sequence.items : (sequence as Extract<Value, { t: 'list' }>).items;
      if (times === null || !items || times < 0 || times * items.length > 4096) return sequence.t === 'list' ? { t: 'list', items: null, element: (sequence as Extract<Value, { t: 'list' }>).element } : UNKNOWN;
      const repeated = Array.from({ length: times }, () => items).flat();
      return sequence.t === 'tuple' ? { t: 'tuple', items: repeated } : { t: 'list', items: repeated, element: (sequence as Extract<Value, { t: 'list' }>).element };
    }
    if (a.t === 'str' && b.t === 'str') return { t: 'str', value: a.value !== null && b.value !== null && op === '+' ? a.value + b.value : null };
    if (!ARITHMETIC.has(op)) return UNKNOWN;
    if (isScalar(a) && isScalar(b)) return op === '/' || a.t === 'float' || b.t === 'float' ? FLOAT : { t: 'int', dim: { size: null, origin: LITERAL } };
    return this.elementwise(frame, [a, b], node, 'value');
  }

  /** Arithmetic or comparison with at least one array: numpy broadcasting. */
  private elementwise(frame: Frame, values: readonly Value[], node: PyNode, result: 'value' | 'bool'): Value {
    const arrays = values.filter((v): v is Extract<Value, { t: 'array' }> => v.t === 'array');
    if (arrays.length === 0) return values.every(isScalar) ? BOOL : UNKNOWN;
    if (values.some((v) => v.t !== 'array' && !isScalar(v))) return arrayValue(null, arrays[0].library);
    const shapes = values.map(shapeOf);
    const origin = this.analysis.origin(frame, node, 'constructor');
    const shape = shapes.every((s) => s !== null) ? broadcast(shapes as NonNullable<(typeof shapes)[number]>[], origin) : null;
    const library = arrays.find((a) => a.library)?.library ?? null;
    const base = arrays.length === 1 ? arrays[0].origin : origin;
    return arrayValue(shape, library, result === 'bool' ? origin : base);
  }

  // ---- literals --------------------------------------------------------------------------

  private sequence(frame: Frame, env: Env, node: PyNode, kind: 'tuple' | 'list'): Value {
    const items: Value[] = [];
    let known = true;
    let element: Value | null = null;
    for (const child of namedChildren(node)) {
      if (child.type === 'list_splat') {
        const inner = namedChildren(child)[0];
        const value = inner ? this.evaluate(frame, env, inner) : UNKNOWN;
        const spread = value.t === 'tuple' ? value.items : value.t === 'list' ? value.items : null;
        if (spread) items.push(...spread);
        else {
          known = false;
          element = this.analysis.joinElements(element ?? UNKNOWN, this.elementOf(frame, value, child));
        }
        continue;
      }
      items.push(this.evaluate(frame, env, child));
    }
    for (const item of items) element = element ? this.analysis.joinElements(element, item) : item;
    if (kind === 'tuple') return known ? { t: 'tuple', items } : UNKNOWN;
    return { t: 'list', items: known ? items : null, element };
  }

  private dictionary(frame: Frame, env: Env, node: PyNode): Value {
    const entries = new Map<string, Value>();
    let complete = true;
    for (const child of namedChildren(node)) {
      if (child.type === 'pair') {
        const keyNode = field(child, 'key');
        const valueNode = field(child, 'value');
        const key = keyNode ? this.evaluate(frame, env, keyNode) : UNKNOWN;
        const value = valueNode ? this.evaluate(frame, env, valueNode) : UNKNOWN;
        if (key.t === 'str' && key.value !== null) entries.set(key.value, value);
        else complete = false;
      } else {
        const value = this.evaluate(frame, env, namedChildren(child)[0] ?? child);
        if (value.t === 'dict') for (const [k, v] of value.entries) entries.set(k, v);
        if (value.t !== 'dict' || !value.complete) complete = false;
      }
    }
    return { t: 'dict', entries, complete };
  }

  /** What one element of an iterable holds: a row of an array, an item of a list. */
  elementOf(frame: Frame, iterable: Value, node: PyNode): Value {
    switch (iterable.t) {
      case 'array': {
        const shape = iterable.shape;
        if (shape && shape.dims.length === 0) return UNKNOWN;
        return arrayValue(shape ? { dims: shape.dims.slice(1) } : null, iterable.library, iterable.origin);
      }
      case 'tuple':
        return this.knownElement(iterable.items) ?? UNKNOWN;
      case 'list':
        return iterable.items ? (this.knownElement(iterable.items) ?? UNKNOWN) : iterable.element ? this.analysis.takeElement(frame, iterable.element, node) : UNKNOWN;
      case 'dict':
        return { t: 'str', value: null };
      default:
        return UNKNOWN;
    }
  }

  /** Any one of known items: what they all agree on. */
  private knownElement(items: readonly Value[]): Value | null {
    return items.reduce<Value | null>((acc, item) => (acc ? this.analysis.joinElements(acc, item) : item), null);
  }

  /** Known items of an iterable, for evaluating a comprehension once per item. */
  knownItems(iterable: Value): readonly Value[] | null {
    const items = iterable.t === 'tuple' ? iterable.items : iterable.t === 'list' ? iterable.items : null;
    return items && items.length <= MAX_KNOWN_ITEMS ? items : null;
  }
}

/** `-x`, `+x`, `~x`. */
function negated(op: string, value: Value): Value {
  if (value.t === 'int') {
    const c = constantValue(value.dim.size);
    if (op === '+') return value;
    return { t: 'int', dim: { size: op === '-' && c !== null ? constant(-c) : null, origin: value.dim.origin } };
  }
  if (value.t === 'bool') return { t: 'int', dim: { size: null, origin: LITERAL } };
  return value.t === 'array' || value.t === 'float' ? value : UNKNOWN;
}

function isScalar(value: Value): boolean {
  return value.t === 'int' || value.t === 'float' || value.t === 'bool';
}

function productSize(dims: readonly DimValue[]): Size {
  let size: Size = constant(1);
  for (const d of dims) size = multiplySizes(size, d.size);
  return size;
}

/** Integer arithmetic on sizes; exact in symbols where a monomial can hold the result. */
function intArithmetic(op: string, a: DimValue, b: DimValue): Value {
  const x = constantValue(a.size);
  const y = constantValue(b.size);
  const origin = LITERAL;
  // A size past 2^53 - 1 would be rounded: it is unknown rather than wrong.
  const result = (size: Size): Value => ({ t: 'int', dim: { size: size && Number.isSafeInteger(size.coefficient) ? size : null, origin } });
  switch (op) {
    case '*':
      return result(multiplySizes(a.size, b.size));
    case '//':
      if (x !== null && y !== null) return y === 0 ? result(null) : result(constant(Math.floor(x / y)));
      return result(divideSizes(a.size, b.size));
    case '+':
      return result(addSizes(a.size, b.size));
    case '-':
      return result(x !== null && y !== null ? constant(x - y) : null);
    case '%':
      return result(x !== null && y !== null && y !== 0 ? constant(x - y * Math.floor(x / y)) : null);
    case '**':
      if (x !== null && y !== null && y >= 0) return result(Number.isSafeInteger(x ** y) ? constant(x ** y) : null);
      if (y !== null && y >= 0 && y <= 8 && a.size) {
        let size: Size = constant(1);
        for (let i = 0; i < y; i++) size = multiplySizes(size, a.size);
        return result(size);
      }
      return result(null);
    case '/':
      return FLOAT;
    default:
      return result(x !== null && y !== null ? bitwise(op, x, y) : null);
  }
}

function bitwise(op: string, x: number, y: number): Size {
  switch (op) {
    case '&':
      return constant(x & y);
    case '|':
      return constant(x | y);
    case '^':
      return constant(x ^ y);
    case '<<':
      return constant(x << y);
    case '>>':
      return constant(x >> y);
    default:
      return null;
  }
}

/** The parts of a slice value, or null when the value is no slice. */
export function sliceParts(value: Value): { start: SlicePart; stop: SlicePart; step: SlicePart } | null {
  if (value.t !== 'ref' || value.ref.name !== 'builtins.slice' || value.self?.t !== 'tuple') return null;
  const part = (v: Value): SlicePart => (v.t === 'none' ? null : (intConstant(v) ?? 'unknown'));
  const [start, stop, step] = value.self.items;
  return { start: part(start), stop: part(stop), step: part(step) };
}

function parseIntLiteral(text: string): Size {
  const clean = text.replaceAll('_', '').toLowerCase();
  if (/[lj]$/.test(clean)) return null;
  const value = clean.startsWith('0x') ? parseInt(clean.slice(2), 16) : clean.startsWith('0o') ? parseInt(clean.slice(2), 8) : clean.startsWith('0b') ? parseInt(clean.slice(2), 2) : Number(clean);
  return Number.isSafeInteger(value) ? constant(value) : null;
}

/** Colons at bracket depth 0 between `from` and `to` (inside one slice). */
function countColons(source: string, from: number, to: number): number {
  let depth = 0;
  let colons = 0;
  for (let i = from; i < to; i++) {
    const c = source[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ':' && depth === 0) colons++;
  }
  return colons;
}

export function globalKey(analysis: ShapeAnalysis, module: { reference: object }, name: string): string {
  return analysis.globalKey(module.reference, name);
}

function localKey(analysis: ShapeAnalysis, frame: Frame, scope: Scope, name: string): string | null {
  if (scope.kind !== 'function' && scope.kind !== 'lambda') return null;
  const fn = frame.module.functionOf(scope.node);
  return fn ? `local:${fn.id}:${name}` : null;
}

