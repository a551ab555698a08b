/**
 * Shapes of tfjs tensors with provenance. In order of precedence: hint comments, tfjs
 * constructors (`tf.randomNormal([..])`, `tf.zeros/ones([..])`, `tf.tensor(data, shape)`,
 * `tf.tensor2d(..)`), shape-changing ops (`.reshape([..])`, `.transpose()`, `tf.matMul`),
 * results of earlier contractions; sizes come from numeric `const`s, hint sizes or the user's
 * dimension table, and stay symbolic otherwise.
 */
import ts from 'typescript';
import type { Dim } from '../../core/contraction';
import type { KnownShape, ShapeSource } from '../model';
import type { HintIndex } from '../python/hints';
import { broadcastKnown, matmulKnown, matrixTransposeKnown, permuteKnown, reshapeKnown, reverseKnown } from '../shapes/known';
import { SHAPE_FIRST_CONSTRUCTORS, SHAPE_KEEPING_OPS, TENSOR_CONSTRUCTORS, tfjsOp } from './callees';
import type { ConstantEvaluator } from './constants';
import { scopeOf } from './hints';
import { isConst, memberName, skipOuter, type NameResolver } from './names';

const MAX_DEPTH = 24;
const DETAIL_LENGTH = 60;

export interface ShapeEnvironment {
  names: NameResolver;
  constants: ConstantEvaluator;
  hints: HintIndex<ts.Node>;
  dims: Record<string, number>;
  /** The shape a contraction site at this call returns, if it is one. */
  siteResult: (node: ts.Expression) => KnownShape | null | undefined;
}

interface SizedDim {
  dim: Dim;
  source: ShapeSource;
}

export class ShapeInference {
  private readonly memo = new Map<ts.Node, KnownShape | null>();
  private readonly active = new Set<ts.Node>();

  constructor(private readonly env: ShapeEnvironment) {}

  private get sourceFile(): ts.SourceFile {
    return this.env.names.sourceFile;
  }

  infer(node: ts.Expression | null | undefined, depth = 0): KnownShape | null {
    if (!node || depth > MAX_DEPTH) return null;
    const memoized = this.memo.get(node);
    if (memoized !== undefined) return memoized;
    // A value defined through itself (`let x = f(x)` in a loop) has no shape we can know.
    if (this.active.has(node)) return null;
    this.active.add(node);
    const result = this.compute(skipOuter(node), depth + 1);
    this.active.delete(node);
    this.memo.set(node, result);
    return result;
  }

  /** One dimension written as an expression: a constant, `x.shape[i]`, a named size, or unknown. */
  dimOf(node: ts.Expression, base: ShapeSource, depth = 0): SizedDim {
    const constant = this.env.constants.integer(node);
    if (constant) {
      const origin = constant.origin;
      return { dim: constant.value, source: origin ? { kind: 'constant', range: origin.range, detail: origin.detail } : base };
    }
    const inner = skipOuter(node);
    if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.MinusToken && this.env.constants.evaluate(inner)?.value === -1) {
      return { dim: -1, source: base };
    }
    const fromShape = this.shapeAccess(inner, depth);
    if (fromShape) return fromShape;
    const name = ts.isIdentifier(inner) ? inner.text : ts.isPropertyAccessExpression(inner) ? inner.name.text : null;
    return name ? this.symbol(name, inner, base) : { dim: null, source: base };
  }

  /** A named size: a hint size, an integer `const` of that name, the dimension table, or a symbol. */
  symbol(name: string, at: ts.Node, base: ShapeSource): SizedDim {
    const hint = this.env.hints.dim(name, at.getStart(this.sourceFile), scopeOf(at));
    if (hint) return { dim: hint.value, source: { kind: 'hint', range: hint.range, detail: `${name}=${hint.value}` } };
    const constant = this.env.constants.namedInteger(name, at);
    if (constant?.origin) return { dim: constant.value, source: { kind: 'constant', range: constant.origin.range, detail: constant.origin.detail } };
    if (Object.hasOwn(this.env.dims, name)) {
      return { dim: this.env.dims[name], source: { kind: 'dims', range: null, detail: `${name}=${this.env.dims[name]}` } };
    }
    return { dim: name, source: base };
  }

  private compute(node: ts.Expression, depth: number): KnownShape | null {
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      const hinted = this.hinted(node);
      if (hinted) return hinted;
    }
    if (ts.isIdentifier(node)) return this.name(node, depth);
    return ts.isCallExpression(node) ? this.call(node, depth) : null;
  }

  private name(node: ts.Identifier, depth: number): KnownShape | null {
    const declaration = this.env.names.declarationOf(node);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer || !ts.isIdentifier(declaration.name)) return null;
    // A `let` assigned again later holds more than its initializer.
    if (!isConst(declaration) && this.env.names.scopes.reassigned(node.text, declaration)) return null;
    // A `for (const x of xs)` variable takes many values; its initializer is not one.
    if (ts.isForInStatement(declaration.parent.parent) || ts.isForOfStatement(declaration.parent.parent)) return null;
    return this.infer(declaration.initializer, depth);
  }

  private hinted(node: ts.Identifier | ts.PropertyAccessExpression): KnownShape | null {
    const name = node.getText(this.sourceFile);
    const hint = this.env.hints.shape(name, node.getStart(this.sourceFile), scopeOf(node));
    if (!hint) return null;
    const source: ShapeSource = { kind: 'hint', range: hint.range, detail: this.sourceFile.text.slice(hint.range.start, hint.range.end) };
    const sized = hint.dims.map((dim) => (typeof dim === 'string' ? this.symbol(dim, node, source) : { dim, source }));
    return { dims: sized.map((s) => s.dim), source, dimSources: sized.map((s) => s.source) };
  }

  private call(node: ts.CallExpression, depth: number): KnownShape | null {
    const site = this.env.siteResult(node);
    if (site !== undefined) return site;
    const op = tfjsOp(this.env.names.qualified(node.expression));
    const args = node.arguments;
    if (args.some((a) => ts.isSpreadElement(a))) return null;
    if (op !== null) return this.op(op, node, args, depth);
    const callee = skipOuter(node.expression);
    if (ts.isPropertyAccessExpression(callee) && this.env.names.qualified(callee.expression) === null) {
      // `x.reshape([..])` is `tf.reshape(x, [..])`: tensor methods mirror the ops.
      return this.op(callee.name.text, node, [callee.expression, ...args], depth);
    }
    return null;
  }

  /** A tfjs op applied to `args` (for a method, the receiver comes first). */
  private op(op: string, node: ts.CallExpression, args: readonly ts.Expression[], depth: number): KnownShape | null {
    const source = this.expressionSource(node);
    if (SHAPE_FIRST_CONSTRUCTORS.has(op)) return args[0] ? this.shapeFromArray(args[0], source) : null;
    const rank = TENSOR_CONSTRUCTORS.get(op);
    if (rank !== undefined) return this.tensor(args, rank, source);
    switch (op) {
      case 'scalar':
        return { dims: [], source, dimSources: [] };
      case 'zerosLike':
      case 'onesLike':
        return this.infer(args[0], depth);
      case 'eye': {
        if (!args[0]) return null;
        const rows = this.dimOf(args[0], source);
        const columns = args[1] && !isUndefined(args[1]) ? this.dimOf(args[1], source) : rows;
        return { dims: [rows.dim, columns.dim], source, dimSources: [rows.source, columns.source] };
      }
      case 'reshape': {
        const base = this.infer(args[0], depth);
        const target = args[1] ? this.shapeFromArray(args[1], source) : null;
        if (!base || !target) return null;
        return reshapeKnown(base, target.dims.map((dim, i) => ({ dim, source: target.dimSources[i] })));
      }
      case 'transpose':
        return this.transpose(this.infer(args[0], depth), args[1], source);
      case 'matMul': {
        const a = this.transposedIf(this.infer(args[0], depth), args[2]);
        const b = this.transposedIf(this.infer(args[1], depth), args[3]);
        return matmulKnown(a, b, source);
      }
      case 'dot':
        return matmulKnown(this.infer(args[0], depth), this.infer(args[1], depth), source);
      case 'mul':
      case 'div':
      case 'realDiv':
      case 'add':
      case 'sub':
        return args.length === 2 ? broadcastKnown(this.operandShape(args[0], depth), this.operandShape(args[1], depth)) : null;
      case 'tidy': {
        const body = args.length === 1 ? skipOuter(args[0]) : null;
        return body && ts.isArrowFunction(body) && !ts.isBlock(body.body) ? this.infer(body.body, depth) : null;
      }
      default:
        return SHAPE_KEEPING_OPS.has(op) ? this.infer(args[0], depth) : null;
    }
  }

  /** `transpose(x)` reverses the axes; `transpose(x, [1, 0, 2])` permutes them. */
  private transpose(base: KnownShape | null, perm: ts.Expression | undefined, source: ShapeSource): KnownShape | null {
    if (!base) return null;
    if (!perm || isUndefined(perm)) return reverseKnown(base);
    const items = this.arrayItems(perm);
    const axes = items?.map((item) => this.env.constants.evaluate(item)?.value ?? NaN);
    if (!axes || axes.some((a) => !Number.isInteger(a))) return null;
    return permuteKnown(base, axes);
  }

  /** `tf.matMul(a, b, transposeA)`: the operand as the product sees it. */
  private transposedIf(shape: KnownShape | null, flag: ts.Expression | undefined): KnownShape | null {
    if (!flag || flag.kind === ts.SyntaxKind.FalseKeyword) return shape;
    if (flag.kind !== ts.SyntaxKind.TrueKeyword || !shape || shape.dims.length < 2) return null;
    return matrixTransposeKnown(shape);
  }

  /** A scalar operand has shape [] for broadcasting; anything unknown stays unknown. */
  private operandShape(node: ts.Expression, depth: number): KnownShape | null {
    if (this.env.constants.evaluate(node)) return { dims: [], source: this.expressionSource(node), dimSources: [] };
    return this.infer(node, depth);
  }

  /** `tf.tensor(data, shape?)`: the shape argument, else the nesting of the data literal. */
  private tensor(args: readonly ts.Expression[], rank: number | null, source: ShapeSource): KnownShape | null {
    const shape = args[1] && !isUndefined(args[1]) ? this.shapeFromArray(args[1], source) : null;
    if (shape) return rank === null || shape.dims.length === rank ? shape : null;
    const data = args[0] ? this.arrayLiteral(args[0]) : null;
    const dims = data ? literalNesting(data) : null;
    if (!dims || (rank !== null && dims.length !== rank)) return null;
    return { dims, source, dimSources: dims.map(() => source) };
  }

  /** A shape written as an array (`[B, 64]`, or a `const` bound to one). */
  private shapeFromArray(node: ts.Expression, source: ShapeSource): KnownShape | null {
    const items = this.arrayItems(node);
    if (!items) return null;
    const sized = items.map((item) => this.dimOf(item, source));
    return { dims: sized.map((s) => s.dim), source, dimSources: sized.map((s) => s.source) };
  }

  private arrayItems(node: ts.Expression): ts.Expression[] | null {
    const array = this.arrayLiteral(node);
    if (!array || array.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) return null;
    return [...array.elements];
  }

  private arrayLiteral(node: ts.Expression): ts.ArrayLiteralExpression | null {
    const inner = skipOuter(node);
    if (ts.isArrayLiteralExpression(inner)) return inner;
    if (ts.isIdentifier(inner)) {
      const bound = this.env.names.constInitializer(inner);
      const value = bound ? skipOuter(bound.value) : null;
      return value && ts.isArrayLiteralExpression(value) ? value : null;
    }
    return null;
  }

  /** `x.shape[1]`: a dimension of a known shape. */
  private shapeAccess(node: ts.Expression, depth: number): SizedDim | null {
    if (!ts.isElementAccessExpression(node)) return null;
    const holder = skipOuter(node.expression);
    if (memberName(holder) !== 'shape' || !ts.isPropertyAccessExpression(holder)) return null;
    const index = this.env.constants.evaluate(node.argumentExpression)?.value;
    const shape = index !== undefined && Number.isInteger(index) ? this.infer(holder.expression, depth) : null;
    if (!shape || index! < 0 || index! >= shape.dims.length) return null;
    return { dim: shape.dims[index!], source: shape.dimSources[index!] };
  }

  expressionSource(node: ts.Node): ShapeSource {
    const start = node.getStart(this.sourceFile);
    const text = this.sourceFile.text.slice(start, node.end).replace(/\s+/g, ' ');
    const detail = text.length > DETAIL_LENGTH ? `${text.slice(0, DETAIL_LENGTH - 1)}…` : text;
    return { kind: 'constructor', range: { start, end: node.end }, detail };
  }
}

function isUndefined(node: ts.Expression): boolean {
  const inner = skipOuter(node);
  return ts.isIdentifier(inner) && inner.text === 'undefined';
}

/** The shape of a nested array literal, when it is rectangular. */
function literalNesting(node: ts.ArrayLiteralExpression): Dim[] | null {
  const items = node.elements.map((e) => skipOuter(e as ts.Expression));
  const nested = items.filter(ts.isArrayLiteralExpression);
  if (nested.length === 0) return items.some((i) => ts.isSpreadElement(i)) ? null : [items.length];
  if (nested.length !== items.length) return null;
  const inner = nested.map(literalNesting);
  const first = inner[0];
  if (!first || inner.some((dims) => !dims || dims.length !== first.length || dims.some((d, i) => d !== first[i]))) return null;
  return [items.length, ...first];
}
