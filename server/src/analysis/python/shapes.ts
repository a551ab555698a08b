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
import { GENERATOR_METHODS, SHAPE_KEEPING_METHODS, libraryOf, shapeRule, type ShapeRule } from './constructors';
import type { HintIndex } from './hints';
import { applyMethod, broadcastShapes, indexShape, matmulShape, mergeShapes, sliceLength, type DimArg, type IndexItem } from './shape-ops';
import type { NameResolver } from './resolve';
import type { Binding, Scope } from './scopes';
import { binaryOperator, field, fields, namedChildren, textOf, unwrap, type PyNode } from './syntax';

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
      case 'named_expression':
        return this.infer(field(node, 'value'), depth);
      case 'subscript':
        return this.subscript(node, depth);
      case 'conditional_expression': {
        const [yes, , no] = namedChildren(node);
        const a = this.infer(yes ?? null, depth);
        const b = this.infer(no ?? null, depth);
        return { shape: mergeShapes(a.shape, b.shape), library: a.library === b.library ? a.library : null };
      }
      default:
        return UNKNOWN;
    }
  }

  private name(node: PyNode, depth: number): Inferred {
    const hinted = this.hinted(textOf(this.source, node), node);
    if (hinted) return hinted;
    const binding = this.env.resolver.resolve(node);
    if (!binding) return UNKNOWN;
    const all = binding.scope.bindings.get(binding.name)!;
    if (all.length > 1 && binding.kind !== 'augmented') {
      // Read from a nested function: any of the bindings may be the one it sees.
      if (binding.scope !== this.env.resolver.scopeAt(node)) return this.mergeBindings(all, depth);
      if (!reachesAlone(binding, node, all)) return UNKNOWN;
    }
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

  private mergeBindings(bindings: Binding[], depth: number): Inferred {
    let merged: Inferred | null = null;
    for (const b of bindings) {
      if (b.kind !== 'assign' || !b.value) return UNKNOWN;
      const value = this.infer(b.value, depth);
      merged = merged ? { shape: mergeShapes(merged.shape, value.shape), library: merged.library === value.library ? value.library : null } : value;
    }
    return merged ?? UNKNOWN;
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
    if (numbers.some((n) => !Number.isSafeInteger(n))) return null;
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
    const positional = all.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
    const keyword = (name: string) => {
      const kw = all.find((a) => a.type === 'keyword_argument' && textOf(this.source, field(a, 'name') ?? a) === name);
      return kw ? field(kw, 'value') : null;
    };
    const source = this.expressionSource(node);
    const shapeOf = (items: DimArg[] | null): KnownShape | null =>
      items && { dims: items.map((i) => i.dim), source, dimSources: items.map((i) => i.source) };
    switch (rule.kind) {
      case 'variadic': {
        const sized = keyword(rule.keyword);
        if (sized) return shapeOf(this.shapeArgument(sized, source, depth));
        // One argument may be a whole shape (`torch.randn(x.shape)`); several are one size each.
        if (positional.length === 1) return shapeOf(this.shapeArgument(positional[0], source, depth));
        return shapeOf(this.sizes(positional, source, depth));
      }
      case 'shape': {
        if (positional.some((a) => a.type === 'list_splat')) return null;
        const at = rule.position < 0 ? positional[positional.length - 1] : positional[rule.position];
        const value = keyword(rule.keyword) ?? (rule.position < 0 && positional.length < 2 ? null : at);
        return value ? shapeOf(this.shapeArgument(value, source, depth)) : null;
      }
      case 'eye': {
        const n = positional[0] ?? keyword('N') ?? keyword('n');
        const m = positional[1] ?? keyword('M') ?? keyword('m');
        return n ? this.shapeFromItems(m && unwrap(m).type !== 'none' ? [n, m] : [n, n], source) : null;
      }
      case 'range':
        return this.rangeShape(positional, source);
      case 'like':
      case 'passthrough':
        return positional[0] && positional[0].type !== 'list_splat' ? this.infer(positional[0], depth).shape : null;
      case 'literal': {
        const first = positional[0] ? unwrap(positional[0]) : null;
        if (!first || first.type === 'list_splat') return null;
        if (first.type !== 'list' && first.type !== 'tuple') return this.infer(first, depth).shape;
        const dims = this.literalShape(first, rule.stacks, depth);
        return dims && { dims: dims.dims, source, dimSources: dims.dims.map((_, i) => dims.dimSources[i] ?? source) };
      }
    }
  }

  /** `arange(n)`, `arange(a, b, step)`: one dimension, sized when the bounds are constants. */
  private rangeShape(positional: PyNode[], source: ShapeSource): KnownShape | null {
    if (positional.length === 0 || positional.length > 3 || positional.some((a) => a.type === 'list_splat')) return null;
    if (positional.length === 1) return this.shapeFromItems(positional, source);
    const [start, stop, step] = positional.map((a) => this.env.constants.evaluate(a)?.value);
    const size = start !== undefined && stop !== undefined && step !== 0 ? Math.max(0, Math.ceil((stop - start) / (step ?? 1))) : null;
    return { dims: [size !== null && Number.isFinite(size) ? size : null], source, dimSources: [source] };
  }

  /**
   * The shape of `np.array([...])`: nested lists of scalars, or (`stacks`) of arrays of one shape,
   * which numpy stacks. Null when an element is neither a known scalar nor an array of known rank.
   */
  private literalShape(node: PyNode, stacks: boolean, depth: number): { dims: Dim[]; dimSources: (ShapeSource | undefined)[] } | null {
    const items = namedChildren(node);
    if (items.length === 0) return { dims: [0], dimSources: [] };
    let element: { dims: Dim[]; dimSources: (ShapeSource | undefined)[] } | null = null;
    for (const item of items) {
      const inner = unwrap(item);
      let shape: { dims: Dim[]; dimSources: (ShapeSource | undefined)[] } | null;
      if (inner.type === 'list' || inner.type === 'tuple') shape = this.literalShape(inner, stacks, depth);
      else if (this.isScalar(inner)) shape = { dims: [], dimSources: [] };
      else shape = stacks ? this.infer(inner, depth).shape : null;
      if (!shape) return null;
      if (!element) element = shape;
      else {
        if (element.dims.length !== shape.dims.length) return null;
        // Elements must agree for a regular array: a size one of them knows holds for all.
        const merged: Dim[] = element.dims.map((d, i) => (d === null ? shape.dims[i] : d));
        if (merged.some((d, i) => shape.dims[i] !== null && d !== shape.dims[i])) return null;
        element = { dims: merged, dimSources: element.dims.map((d, i) => (d === null ? shape.dimSources[i] : element!.dimSources[i])) };
      }
    }
    return { dims: [items.length, ...element!.dims], dimSources: [undefined, ...element!.dimSources] };
  }

  private isScalar(node: PyNode): boolean {
    return ['integer', 'float', 'true', 'false', 'none'].includes(node.type) || this.env.constants.evaluate(node) !== null || this.isInteger(node);
  }

  /** Sizes given one per argument (`torch.randn(B, D)`, `*shape` spliced in). */
  private sizes(items: PyNode[], source: ShapeSource, depth: number): DimArg[] | null {
    const out: DimArg[] = [];
    for (const item of items) {
      if (item.type === 'list_splat') {
        const spliced = this.shapeArgument(namedChildren(item)[0] ?? item, source, depth);
        if (!spliced) return null;
        out.push(...spliced);
      } else out.push(this.dimOf(item, source, depth));
    }
    return out;
  }

  /**
   * A shape argument: an int (one dimension), a tuple or list of sizes (with `*xs` spliced), `[n] * k`,
   * `a + b`, `x.shape`, `x.shape[1:]`, or a name bound once to one of these. Null when the rank
   * cannot be told: an argument of unknown type may be an int or a whole shape.
   */
  shapeArgument(value: PyNode, source: ShapeSource, depth = 0): DimArg[] | null {
    if (depth > MAX_DEPTH) return null;
    const node = unwrap(value);
    switch (node.type) {
      case 'tuple':
      case 'list':
        return this.sizes(namedChildren(node), source, depth + 1);
      case 'binary_operator': {
        const op = binaryOperator(node);
        const left = field(node, 'left');
        const right = field(node, 'right');
        if (!left || !right) return null;
        if (op === '+') {
          const a = this.shapeArgument(left, source, depth + 1);
          const b = a && this.shapeArgument(right, source, depth + 1);
          return a && b ? [...a, ...b] : null;
        }
        if (op === '*') {
          const [list, count] = ['list', 'tuple'].includes(unwrap(left).type) ? [left, right] : [right, left];
          const times = this.env.constants.evaluate(count)?.value;
          const items = ['list', 'tuple'].includes(unwrap(list).type) ? this.shapeArgument(list, source, depth + 1) : null;
          if (!items || times === undefined || !Number.isInteger(times) || times < 0) return null;
          return Array.from({ length: times }, () => items).flat();
        }
        break;
      }
      case 'attribute': {
        if (textOf(this.source, field(node, 'attribute') ?? node) !== 'shape') break;
        const shape = this.infer(field(node, 'object'), depth + 1).shape;
        return shape && shape.dims.map((dim, i) => ({ dim, source: shape.dimSources[i] }));
      }
      case 'subscript': {
        const base = field(node, 'value');
        const items = fields(node, 'subscript');
        if (!base || unwrap(base).type !== 'attribute' || items.length !== 1 || items[0].type !== 'slice') break;
        const whole = this.shapeArgument(base, source, depth + 1);
        if (!whole) return null;
        // Slicing a shape slices the list of sizes: compute which positions stay.
        const positions = this.slicePositions(items[0], whole.length);
        return positions && positions.map((p) => whole[p]);
      }
      case 'call': {
        const callee = field(node, 'function');
        const args = field(node, 'arguments');
        const arg = args ? namedChildren(args) : [];
        if (callee?.type === 'attribute' && textOf(this.source, field(callee, 'attribute') ?? callee) === 'size' && arg.length === 0) {
          const shape = this.infer(field(callee, 'object'), depth + 1).shape;
          return shape && shape.dims.map((dim, i) => ({ dim, source: shape.dimSources[i] }));
        }
        const builtin = callee?.type === 'identifier' && !this.env.resolver.resolve(callee) ? textOf(this.source, callee) : null;
        if ((builtin === 'tuple' || builtin === 'list') && arg.length === 1) return this.shapeArgument(arg[0], source, depth + 1);
        break;
      }
      case 'identifier': {
        const binding = this.env.resolver.resolveUnique(node);
        if (binding?.kind === 'assign' && binding.value && !this.isInteger(node)) return this.shapeArgument(binding.value, source, depth + 1);
        break;
      }
    }
    return this.isInteger(node) ? [this.dimOf(node, source, depth)] : null;
  }

  /** The positions a constant slice keeps of a sequence of `length` items. */
  private slicePositions(slice: PyNode, length: number): number[] | null {
    const parts = this.sliceParts(slice);
    if (parts.start === 'unknown' || parts.stop === 'unknown' || parts.step === 'unknown') return null;
    const step = parts.step ?? 1;
    if (step === 0) return null;
    const count = sliceLength(length, parts.start, parts.stop, parts.step);
    if (count === null) return null;
    const norm = (v: number) => (v < 0 ? v + length : v);
    const first = parts.start === null ? (step > 0 ? 0 : length - 1) : Math.min(Math.max(norm(parts.start), step > 0 ? 0 : -1), step > 0 ? length : length - 1);
    return Array.from({ length: count }, (_, i) => first + i * step);
  }

  /** The start, stop and step of a slice node (tree-sitter drops the colons: they are counted in the text). */
  sliceParts(slice: PyNode): Extract<IndexItem, { kind: 'slice' }> {
    const parts: Extract<IndexItem, { kind: 'slice' }> = { kind: 'slice', start: null, stop: null, step: null };
    const keys = ['start', 'stop', 'step'] as const;
    for (const child of namedChildren(slice)) {
      const colons = countColons(this.source, slice.start, child.start);
      const key = keys[Math.min(colons, 2)];
      const value = this.env.constants.evaluate(child)?.value;
      parts[key] = value !== undefined && Number.isInteger(value) ? value : unwrap(child).type === 'none' ? null : 'unknown';
    }
    return parts;
  }

  /** `x[i]`, `x[:, 0]`, `x[..., None]`, `x[idx]`: the shape after indexing, when its rank can be told. */
  private subscript(node: PyNode, depth: number): Inferred {
    const value = field(node, 'value');
    if (!value) return UNKNOWN;
    const base = this.infer(value, depth);
    if (!base.shape) return UNKNOWN;
    let written = fields(node, 'subscript');
    if (written.length === 1 && unwrap(written[0]).type === 'tuple') written = namedChildren(unwrap(written[0]));
    const items: IndexItem[] = [];
    for (const item of written) {
      const index = this.indexItem(item, depth);
      if (!index) return { shape: null, library: base.library };
      items.push(index);
    }
    return { shape: indexShape(base.shape, items, this.expressionSource(node)), library: base.library };
  }

  private indexItem(item: PyNode, depth: number): IndexItem | null {
    const node = unwrap(item);
    if (node.type === 'slice') return this.sliceParts(node);
    if (node.type === 'none') return { kind: 'newaxis' };
    if (node.type === 'ellipsis') return { kind: 'ellipsis' };
    const qualified = node.type === 'attribute' || node.type === 'identifier' ? this.env.resolver.qualifiedName(node) : null;
    if (qualified === 'numpy.newaxis' || qualified === 'jax.numpy.newaxis') return { kind: 'newaxis' };
    if (node.type === 'identifier' && textOf(this.source, node) === 'Ellipsis' && !this.env.resolver.resolve(node)) return { kind: 'ellipsis' };
    if (this.isInteger(node)) return { kind: 'integer' };
    if (node.type === 'list') {
      const elements = namedChildren(node);
      const integers = elements.every((e) => this.isInteger(unwrap(e)));
      if (integers || elements.every((e) => ['true', 'false'].includes(unwrap(e).type))) {
        const size = integers ? elements.length : elements.filter((e) => unwrap(e).type === 'true').length;
        return { kind: 'array', size: { dim: size, source: this.expressionSource(node) } };
      }
      return null;
    }
    const shape = this.infer(node, depth).shape;
    // A 1-D integer array keeps its size, a boolean mask selects an unknown count: the size is unknown.
    return shape?.dims.length === 1 ? { kind: 'array', size: null } : null;
  }

  /** Whether an expression certainly evaluates to an int (a size or an index). */
  isInteger(node: PyNode, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    const inner = unwrap(node);
    const constant = this.env.constants.evaluate(inner);
    if (constant) return inner.type !== 'float' && Number.isInteger(constant.value) && !containsFloat(inner, this.source);
    switch (inner.type) {
      case 'integer':
        return true;
      case 'unary_operator':
        return this.isInteger(field(inner, 'argument') ?? inner, depth + 1) && field(inner, 'operator')?.type !== '~';
      case 'binary_operator': {
        const op = binaryOperator(inner);
        const left = field(inner, 'left');
        const right = field(inner, 'right');
        return ['+', '-', '*', '//', '%'].includes(op ?? '') && !!left && !!right && this.isInteger(left, depth + 1) && this.isInteger(right, depth + 1);
      }
      case 'identifier':
        return this.isIntegerName(inner, depth);
      case 'subscript': {
        // `x.shape[k]`
        const value = field(inner, 'value');
        const index = fields(inner, 'subscript');
        return value?.type === 'attribute' && textOf(this.source, field(value, 'attribute') ?? value) === 'shape' && index.length === 1 && index[0].type !== 'slice' && this.isInteger(index[0], depth + 1);
      }
      case 'call': {
        const callee = field(inner, 'function');
        if (callee?.type === 'identifier' && !this.env.resolver.resolve(callee)) return ['len', 'int'].includes(textOf(this.source, callee));
        // `x.size(k)`, `x.dim()`, `x.ndim`
        const args = field(inner, 'arguments');
        const method = callee?.type === 'attribute' ? textOf(this.source, field(callee, 'attribute') ?? callee) : '';
        return (method === 'size' && !!args && namedChildren(args).length === 1) || method === 'dim';
      }
      case 'attribute':
        return textOf(this.source, field(inner, 'attribute') ?? inner) === 'ndim';
      default:
        return false;
    }
  }

  private isIntegerName(node: PyNode, depth: number): boolean {
    const binding = this.env.resolver.resolve(node);
    if (!binding) return false;
    const all = binding.scope.bindings.get(binding.name)!;
    if (binding.kind === 'parameter') return all.length === 1 && binding.annotation !== null && textOf(this.source, binding.annotation) === 'int';
    if (binding.kind === 'loop') return all.length === 1 && this.loopCounter(binding.node);
    if (binding.kind === 'assign' && binding.value && all.length === 1) return this.isInteger(binding.value, depth + 1);
    return false;
  }

  /** The target of `for i in range(...)`, or the counter of `for i, x in enumerate(...)`. */
  private loopCounter(target: PyNode): boolean {
    let statement: PyNode | null = target.parent;
    let position: 'whole' | 'first' = 'whole';
    if (statement && ['pattern_list', 'tuple_pattern'].includes(statement.type)) {
      if (namedChildren(statement)[0] !== target) return false;
      position = 'first';
      statement = statement.parent;
    }
    if (!statement || !['for_statement', 'for_in_clause'].includes(statement.type)) return false;
    const right = field(statement, 'right');
    const callee = right?.type === 'call' ? field(right, 'function') : null;
    if (!callee || callee.type !== 'identifier' || this.env.resolver.resolve(callee)) return false;
    const name = textOf(this.source, callee);
    return position === 'whole' ? name === 'range' : name === 'enumerate';
  }

  private shapeFromItems(items: PyNode[], source: ShapeSource): KnownShape {
    const resolved = items.map((item) => this.dimOf(item, source));
    return { dims: resolved.map((r) => r.dim), source, dimSources: resolved.map((r) => r.source) };
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

/** `2.0 * n` evaluates to an integer value but is a float. */
function containsFloat(node: PyNode, source: string): boolean {
  if (node.type === 'float') return true;
  if (node.type === 'binary_operator' && field(node, 'operator')?.type === '/') return true;
  return node.children.some((child) => containsFloat(child, source));
}

/** Blocks that always run to the end once entered: a binding in them reaches what follows. */
function alwaysRuns(block: PyNode): boolean {
  const owner = block.parent;
  return owner?.type === 'with_statement' || owner?.type === 'finally_clause';
}

/**
 * Whether `binding` (the last one before `use` in the text) is certainly the one `use` sees: it is
 * not inside a branch or loop that does not hold the use, and no binding later in a loop around
 * the use can reach it through the loop's back edge.
 */
function reachesAlone(binding: Binding, use: PyNode, all: Binding[]): boolean {
  const scopeNode = binding.scope.node;
  const holdsUse = (node: PyNode) => node.start <= use.start && use.end <= node.end;
  for (let node: PyNode | null = binding.statement.parent; node && node !== scopeNode; node = node.parent) {
    if (node.type === 'block' && !holdsUse(node) && !alwaysRuns(node)) return false;
  }
  for (let node: PyNode | null = use.parent; node && node !== scopeNode; node = node.parent) {
    if (node.type !== 'for_statement' && node.type !== 'while_statement') continue;
    const loop = node;
    if (all.some((b) => b !== binding && b.node.start > use.start && b.node.start < loop.end && b.node.start >= loop.start)) return false;
  }
  return true;
}
