/**
 * Shape inference with provenance. In order of precedence: hint comments, annotations,
 * constructors and shape-changing operations in the same scope, results of earlier
 * contractions; sizes come from integer constants, hint sizes or the user's dims table,
 * and stay symbolic otherwise.
 */
import type { Dim } from '../../core/contraction';
import type { KnownShape, Library, ShapeSource } from '../model';
import { annotationDims, parseDimSpec } from './annotations';
import type { ConstantEvaluator } from './constants';
import { GENERATOR_METHODS, SHAPE_KEEPING_METHODS, libraryOf, literalNesting, shapeRule, type ShapeRule } from './constructors';
import type { HintIndex } from './hints';
import { applyMethod, broadcastShapes, matmulShape } from './shape-ops';
import type { NameResolver } from './resolve';
import type { Scope } from './scopes';
import { binaryOperator, field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

export interface Inferred {
  shape: KnownShape | null;
  /** The array library the value belongs to, when known (picks einops' backend and `@`'s library). */
  library: Library | null;
}

const UNKNOWN: Inferred = { shape: null, library: null };
const MAX_DEPTH = 24;
const DETAIL_LENGTH = 60;

export interface ShapeEnvironment {
  resolver: NameResolver;
  constants: ConstantEvaluator;
  hints: HintIndex<Scope>;
  dims: Record<string, number>;
  /** The result of a contraction site at this call or `@` node, if it is one. */
  siteResult: (node: PyNode) => Inferred | null;
}

export class ShapeInference {
  private readonly memo = new Map<PyNode, Inferred>();
  private readonly active = new Set<PyNode>();

  constructor(private readonly env: ShapeEnvironment) {}

  infer(node: PyNode | null, depth = 0): Inferred {
    if (!node || depth > MAX_DEPTH) return UNKNOWN;
    const memoized = this.memo.get(node);
    if (memoized) return memoized;
    // A loop-carried variable can lead back to itself.
    if (this.active.has(node)) return UNKNOWN;
    this.active.add(node);
    const result = this.compute(unwrap(node), depth + 1);
    this.active.delete(node);
    this.memo.set(node, result);
    return result;
  }

  /** One dimension written as an expression: a constant, a named size, or unknown. */
  dimOf(node: PyNode, base: ShapeSource, depth = 0): { dim: Dim; source: ShapeSource } {
    const constant = this.env.constants.integer(node);
    if (constant) {
      const origin = constant.origin;
      return { dim: constant.value, source: origin ? { kind: 'constant', range: origin.range, detail: origin.detail } : base };
    }
    const inner = unwrap(node);
    const fromShape = this.shapeAccess(inner, depth);
    if (fromShape) return fromShape;
    const name = symbolName(inner, this.source);
    return name ? this.symbol(name, inner, base) : { dim: null, source: base };
  }

  /** A named size: a hint size, an integer constant of that name, the dims table, or a symbol. */
  symbol(name: string, at: PyNode, base: ShapeSource): { dim: Dim; source: ShapeSource } {
    const hint = this.env.hints.dim(name, at.start, this.env.resolver.scopeAt(at));
    if (hint) return { dim: hint.value, source: { kind: 'hint', range: hint.range, detail: `${name}=${hint.value}` } };
    const binding = this.env.resolver.resolveName(name, at);
    if (binding?.kind === 'assign' && binding.value && binding.scope.bindings.get(name)!.length === 1) {
      const constant = this.env.constants.integer(binding.value);
      if (constant) {
        const detail = textOf(this.source, binding.statement).split('\n')[0].trim();
        const range = { start: binding.statement.start, end: binding.statement.end };
        return { dim: constant.value, source: { kind: 'constant', range, detail } };
      }
    }
    if (Object.hasOwn(this.env.dims, name)) {
      return { dim: this.env.dims[name], source: { kind: 'dims', range: null, detail: `${name}=${this.env.dims[name]}` } };
    }
    return { dim: name, source: base };
  }

  private get source(): string {
    return this.env.resolver.source;
  }

  private compute(node: PyNode, depth: number): Inferred {
    switch (node.type) {
      case 'identifier':
        return this.name(node, depth);
      case 'attribute':
        return this.attribute(node, depth);
      case 'call':
        return this.call(node, depth);
      case 'binary_operator':
        return this.binary(node, depth);
      case 'unary_operator':
        return this.infer(field(node, 'argument'), depth);
      default:
        return UNKNOWN;
    }
  }

  private name(node: PyNode, depth: number): Inferred {
    const hinted = this.hinted(textOf(this.source, node), node);
    if (hinted) return hinted;
    const binding = this.env.resolver.resolve(node);
    if (!binding) return UNKNOWN;
    if (binding.annotation) {
      const annotated = this.annotated(binding.annotation);
      if (annotated) return annotated;
    }
    if (binding.kind === 'augmented') {
      // `x *= 2` keeps x's shape: read the binding before it.
      const list = binding.scope.bindings.get(binding.name)!;
      const previous = list.slice(0, list.indexOf(binding)).reverse().find((b) => b.kind !== 'augmented');
      return previous?.value ? this.infer(previous.value, depth) : UNKNOWN;
    }
    return binding.value && binding.kind !== 'loop' ? this.infer(binding.value, depth) : UNKNOWN;
  }

  private hinted(name: string, at: PyNode): Inferred | null {
    const hint = this.env.hints.shape(name, at.start, this.env.resolver.scopeAt(at));
    if (!hint) return null;
    const source: ShapeSource = { kind: 'hint', range: hint.range, detail: this.source.slice(hint.range.start, hint.range.end) };
    const dims: Dim[] = [];
    const dimSources: ShapeSource[] = [];
    for (const dim of hint.dims) {
      const resolved = typeof dim === 'string' ? this.symbol(dim, at, source) : { dim, source };
      dims.push(resolved.dim);
      dimSources.push(resolved.source);
    }
    return { shape: { dims, source, dimSources }, library: null };
  }

  private annotated(annotation: PyNode): Inferred | null {
    const spec = annotationDims(annotation, this.env.resolver);
    const parsed = spec && parseDimSpec(spec, this.source);
    if (!parsed) return null;
    const source: ShapeSource = { kind: 'annotation', range: range(annotation), detail: this.detail(annotation) };
    const dims: Dim[] = [];
    const dimSources: ShapeSource[] = [];
    for (const dim of parsed.dims) {
      const resolved =
        dim !== null && typeof dim === 'object'
          ? this.dimOf(dim, source)
          : typeof dim === 'string'
            ? this.symbol(dim, annotation, source)
            : { dim, source };
      dims.push(resolved.dim);
      dimSources.push(resolved.source);
    }
    return { shape: { dims, source, dimSources }, library: null };
  }

  private attribute(node: PyNode, depth: number): Inferred {
    const hinted = this.hinted(textOf(this.source, node), node);
    if (hinted) return hinted;
    const object = field(node, 'object');
    const attribute = field(node, 'attribute');
    if (!object || !attribute) return UNKNOWN;
    const name = textOf(this.source, attribute);
    if (name === 'T' || name === 'mT' || name === 'H' || name === 'mH') {
      const base = this.infer(object, depth);
      return { shape: applyMethod(base.shape, name === 'T' || name === 'H' ? 'T' : 'mT', []), library: base.library };
    }
    if (textOf(this.source, object) === 'self') return this.selfAttribute(node, name, depth);
    return UNKNOWN;
  }

  /** `self.w` inside a method: what the class's methods assign to it, when they agree. */
  private selfAttribute(node: PyNode, name: string, depth: number): Inferred {
    const method = this.env.resolver.scopeAt(node);
    const cls = method.kind === 'function' ? method.parent : null;
    const values = cls?.kind === 'class' ? this.env.resolver.facts.selfAttributes.get(cls)?.get(name) : undefined;
    if (!values || values.length !== 1) return UNKNOWN;
    return this.infer(values[0], depth);
  }

  private call(node: PyNode, depth: number): Inferred {
    const site = this.env.siteResult(node);
    if (site) return site;
    const callee = field(node, 'function');
    const args = field(node, 'arguments');
    if (!callee || !args || args.type !== 'argument_list') return UNKNOWN;
    const qualified = this.env.resolver.qualifiedName(callee);
    const rule = qualified ? shapeRule(qualified) : null;
    if (rule && qualified) return { shape: this.fromRule(rule, node, args, depth), library: libraryOf(qualified) };
    if (qualified) {
      const library = libraryOf(qualified);
      const matmul = /\.(matmul|mm|bmm|dot)$/.test(qualified) && library !== null;
      const positional = namedChildren(args).filter((a) => a.type !== 'keyword_argument');
      if (matmul && positional.length === 2) {
        const [a, b] = positional.map((p) => this.infer(p, depth).shape);
        return { shape: matmulShape(a, b, this.expressionSource(node)), library };
      }
      const method = qualified.slice(qualified.lastIndexOf('.') + 1);
      if (library && positional.length > 0 && ['reshape', 'transpose', 'permute', 'swapaxes'].includes(method)) {
        const base = this.infer(positional[0], depth);
        return { shape: this.method(base.shape, method, positional.slice(1), node, depth), library };
      }
      return UNKNOWN;
    }
    if (callee.type !== 'attribute') return UNKNOWN;
    return this.methodCall(node, callee, args, depth);
  }

  private methodCall(node: PyNode, callee: PyNode, args: PyNode, depth: number): Inferred {
    const receiver = field(callee, 'object');
    const method = textOf(this.source, field(callee, 'attribute') ?? callee);
    if (!receiver) return UNKNOWN;
    const generator = this.generatorLibrary(receiver);
    const generated = generator ? GENERATOR_METHODS.get(method) : undefined;
    if (generator && generated) {
      return { shape: this.fromRule(generated, node, args, depth), library: generator };
    }
    const base = this.infer(receiver, depth);
    if (!base.shape && !base.library) return UNKNOWN;
    const positional = namedChildren(args).filter((a) => a.type !== 'keyword_argument');
    if (SHAPE_KEEPING_METHODS.has(method)) return base;
    if (['matmul', 'mm', 'bmm', 'dot'].includes(method) && positional.length === 1) {
      return { shape: matmulShape(base.shape, this.infer(positional[0], depth).shape, this.expressionSource(node)), library: base.library };
    }
    if (['mul', 'div', 'multiply', 'divide', 'add', 'sub'].includes(method) && positional.length === 1) {
      return { shape: broadcastShapes(base.shape, this.operandShape(positional[0], depth)), library: base.library };
    }
    return { shape: this.method(base.shape, method, positional, node, depth), library: base.library };
  }

  /** A scalar operand has shape [] for broadcasting; anything unknown stays unknown. */
  private operandShape(node: PyNode, depth: number): KnownShape | null {
    if (this.env.constants.evaluate(node)) return { dims: [], source: this.expressionSource(node), dimSources: [] };
    return this.infer(node, depth).shape;
  }

  private method(base: KnownShape | null, method: string, args: PyNode[], node: PyNode, depth: number): KnownShape | null {
    if (!base) return null;
    const items = args.length === 1 && ['tuple', 'list'].includes(unwrap(args[0]).type) ? namedChildren(unwrap(args[0])) : args;
    const source = this.expressionSource(node);
    if (method === 'reshape' || method === 'view') {
      // -1 is inferred by applyMethod from the other sizes.
      const dims = items.map((item) => (this.env.constants.evaluate(item)?.value === -1 ? { dim: -1, source } : this.dimOf(item, source, depth)));
      return applyMethod(base, method, dims);
    }
    const numbers = items.map((item) => this.env.constants.evaluate(item)?.value ?? NaN);
    if (numbers.some((n) => !Number.isInteger(n))) return null;
    return applyMethod(base, method, numbers.map((n) => ({ dim: n, source })));
  }

  private binary(node: PyNode, depth: number): Inferred {
    const site = this.env.siteResult(node);
    if (site) return site;
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (!left || !right) return UNKNOWN;
    const op = binaryOperator(node);
    const a = this.infer(left, depth);
    const b = this.infer(right, depth);
    const library = a.library ?? b.library;
    if (op === '@') return { shape: matmulShape(a.shape, b.shape, this.expressionSource(node)), library };
    if (!['*', '/', '+', '-', '**', '//', '%'].includes(op ?? '')) return UNKNOWN;
    return { shape: broadcastShapes(this.operandShape(left, depth), this.operandShape(right, depth)), library };
  }

  private fromRule(rule: ShapeRule, node: PyNode, args: PyNode, depth: number): KnownShape | null {
    const all = namedChildren(args);
    const positional = all.filter((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat');
    const keyword = (name: string) => {
      const kw = all.find((a) => a.type === 'keyword_argument' && textOf(this.source, field(a, 'name') ?? a) === name);
      return kw ? field(kw, 'value') : null;
    };
    const source = this.expressionSource(node);
    switch (rule.kind) {
      case 'variadic': {
        const sized = keyword(rule.keyword);
        if (sized) return this.shapeFromValue(sized, source);
        if (positional.length === 1 && ['tuple', 'list'].includes(unwrap(positional[0]).type)) {
          return this.shapeFromValue(positional[0], source);
        }
        if (all.some((a) => a.type === 'list_splat')) return null;
        return this.shapeFromItems(positional, source);
      }
      case 'shape': {
        const at = rule.position < 0 ? positional[positional.length - 1] : positional[rule.position];
        const value = keyword(rule.keyword) ?? (rule.position < 0 && positional.length < 2 ? null : at);
        return value ? this.shapeFromValue(value, source) : null;
      }
      case 'eye': {
        const n = positional[0] ?? keyword('N') ?? keyword('n');
        const m = positional[1] ?? keyword('M') ?? keyword('m');
        return n ? this.shapeFromItems(m && unwrap(m).type !== 'none' ? [n, m] : [n, n], source) : null;
      }
      case 'range': {
        if (positional.length !== 1) return null;
        return this.shapeFromItems(positional, source);
      }
      case 'like':
      case 'passthrough':
        return positional[0] ? this.infer(positional[0], depth).shape : null;
      case 'literal': {
        const first = positional[0] ? unwrap(positional[0]) : null;
        if (!first) return null;
        if (first.type !== 'list' && first.type !== 'tuple') return this.infer(first, depth).shape;
        const dims = literalNesting(first);
        return dims ? { dims, source, dimSources: dims.map(() => source) } : null;
      }
    }
  }

  /** A shape argument: an int (one dimension) or a tuple/list of sizes. */
  private shapeFromValue(value: PyNode, source: ShapeSource): KnownShape | null {
    const inner = unwrap(value);
    if (inner.type === 'tuple' || inner.type === 'list') return this.shapeFromItems(namedChildren(inner), source);
    return this.shapeFromItems([value], source);
  }

  private shapeFromItems(items: PyNode[], source: ShapeSource): KnownShape {
    const dims: Dim[] = [];
    const dimSources: ShapeSource[] = [];
    for (const item of items) {
      const resolved = this.dimOf(item, source);
      dims.push(resolved.dim);
      dimSources.push(resolved.source);
    }
    return { dims, source, dimSources };
  }

  /** `x.shape[1]`, `x.shape[-1]`, `x.size(0)`: a dimension of a known shape. */
  private shapeAccess(node: PyNode, depth: number): { dim: Dim; source: ShapeSource } | null {
    let target: PyNode | null = null;
    let index: number | undefined;
    if (node.type === 'subscript') {
      const value = field(node, 'value');
      if (value?.type === 'attribute' && textOf(this.source, field(value, 'attribute') ?? value) === 'shape') {
        target = field(value, 'object');
        index = this.env.constants.evaluate(field(node, 'subscript'))?.value;
      }
    } else if (node.type === 'call') {
      const callee = field(node, 'function');
      const args = field(node, 'arguments');
      if (callee?.type === 'attribute' && textOf(this.source, field(callee, 'attribute') ?? callee) === 'size' && args) {
        target = field(callee, 'object');
        index = this.env.constants.evaluate(namedChildren(args)[0] ?? null)?.value;
      }
    }
    if (!target || index === undefined || !Number.isInteger(index)) return null;
    const shape = this.infer(target, depth).shape;
    if (!shape) return null;
    const at = index < 0 ? shape.dims.length + index : index;
    if (at < 0 || at >= shape.dims.length) return null;
    return { dim: shape.dims[at], source: shape.dimSources[at] };
  }

  /** `np.random.default_rng(...)` held in a variable: its methods create arrays. */
  private generatorLibrary(receiver: PyNode): Library | null {
    let node: PyNode | null = unwrap(receiver);
    if (node.type === 'identifier') node = this.env.resolver.resolveUnique(node)?.value ?? null;
    if (node?.type !== 'call') return null;
    const name = this.env.resolver.qualifiedName(field(node, 'function'));
    return name === 'numpy.random.default_rng' ? 'numpy' : null;
  }

  private expressionSource(node: PyNode): ShapeSource {
    return { kind: 'constructor', range: range(node), detail: this.detail(node) };
  }

  private detail(node: PyNode): string {
    const text = textOf(this.source, node).replace(/\s+/g, ' ');
    return text.length > DETAIL_LENGTH ? `${text.slice(0, DETAIL_LENGTH - 1)}…` : text;
  }
}

function range(node: PyNode): { start: number; end: number } {
  return { start: node.start, end: node.end };
}

/** The name a size expression stands for: `B`, `self.hidden` → `hidden`, `cfg.n_heads` → `n_heads`. */
function symbolName(node: PyNode, source: string): string | null {
  if (node.type === 'identifier') return textOf(source, node);
  if (node.type === 'attribute') {
    const attribute = field(node, 'attribute');
    return attribute ? textOf(source, attribute) : null;
  }
  return null;
}
