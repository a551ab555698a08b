/**
 * Numbers known before the code runs: literals, arithmetic on them, `const`s bound to such a
 * value (`const B = 64`, `const scale = 1 / Math.sqrt(D)`) and `Math` functions of constants.
 */
import ts from 'typescript';
import { nameTable } from '../../core/name-table';
import type { SourceRange } from '../model';
import { skipOuter, type NameResolver } from './names';

export interface Constant {
  value: number;
  /** The `const NAME = value` statement it came from, when read through a name. */
  origin: { range: SourceRange; detail: string } | null;
}

const MAX_DEPTH = 16;

const MATH_CONSTANTS = nameTable<number>({ PI: Math.PI, E: Math.E, SQRT2: Math.SQRT2, LN2: Math.LN2, LN10: Math.LN10 });

const MATH_FUNCTIONS = nameTable<(...args: number[]) => number>({
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  exp: Math.exp,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  pow: Math.pow,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  trunc: Math.trunc,
  abs: Math.abs,
  max: Math.max,
  min: Math.min,
});

export class ConstantEvaluator {
  private readonly cache = new Map<ts.Node, Constant | null>();

  constructor(private readonly names: NameResolver) {}

  evaluate(node: ts.Expression | null | undefined, depth = 0): Constant | null {
    if (!node || depth > MAX_DEPTH) return null;
    let result = this.cache.get(node);
    if (result === undefined) {
      result = this.compute(skipOuter(node), depth);
      this.cache.set(node, result);
    }
    return result;
  }

  /** A non-negative integer (a dimension size), or null. */
  integer(node: ts.Expression | null | undefined): Constant | null {
    const c = this.evaluate(node);
    // A size past 2^53 has lost digits already: unknown beats wrong.
    return c && Number.isSafeInteger(c.value) && c.value >= 0 ? c : null;
  }

  private compute(node: ts.Expression, depth: number): Constant | null {
    if (ts.isNumericLiteral(node)) return plain(Number(node.text));
    if (ts.isPrefixUnaryExpression(node)) {
      const operand = this.evaluate(node.operand, depth + 1);
      if (!operand) return null;
      if (node.operator === ts.SyntaxKind.MinusToken) return { value: -operand.value, origin: operand.origin };
      return node.operator === ts.SyntaxKind.PlusToken ? operand : null;
    }
    if (ts.isBinaryExpression(node)) return this.binary(node, depth);
    if (ts.isIdentifier(node)) return this.named(node, depth);
    if (ts.isPropertyAccessExpression(node)) {
      const value = this.isGlobalMath(node.expression) ? MATH_CONSTANTS.get(node.name.text) : undefined;
      return value !== undefined ? plain(value) : null;
    }
    if (ts.isCallExpression(node)) return this.call(node, depth);
    return null;
  }

  private binary(node: ts.BinaryExpression, depth: number): Constant | null {
    const left = this.evaluate(node.left, depth + 1);
    const right = left && this.evaluate(node.right, depth + 1);
    if (!left || !right) return null;
    const a = left.value;
    const b = right.value;
    let value: number;
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        value = a + b;
        break;
      case ts.SyntaxKind.MinusToken:
        value = a - b;
        break;
      case ts.SyntaxKind.AsteriskToken:
        value = a * b;
        break;
      case ts.SyntaxKind.SlashToken:
        if (b === 0) return null;
        value = a / b;
        break;
      case ts.SyntaxKind.PercentToken:
        if (b === 0) return null;
        value = a % b;
        break;
      case ts.SyntaxKind.AsteriskAsteriskToken:
        value = a ** b;
        break;
      default:
        return null;
    }
    return Number.isFinite(value) ? { value, origin: left.origin ?? right.origin } : null;
  }

  /** The integer `const` a size name stands for where it is used (`B` for `const B = 64`). */
  namedInteger(name: string, at: ts.Node): Constant | null {
    const bound = this.names.constNamed(name, at);
    const c = bound ? this.fromConst(bound, 0) : null;
    // A size past 2^53 has lost digits already: unknown beats wrong.
    return c && Number.isSafeInteger(c.value) && c.value >= 0 ? c : null;
  }

  private named(node: ts.Identifier, depth: number): Constant | null {
    const bound = this.names.constInitializer(node);
    return bound ? this.fromConst(bound, depth) : null;
  }

  private fromConst(bound: { value: ts.Expression; declaration: ts.VariableDeclaration }, depth: number): Constant | null {
    const inner = this.evaluate(bound.value, depth + 1);
    if (!inner) return null;
    const statement = bound.declaration.parent.parent;
    const sourceFile = this.names.sourceFile;
    const range = { start: statement.getStart(sourceFile), end: statement.end };
    const detail = sourceFile.text.slice(range.start, range.end).split('\n')[0].trim();
    return { value: inner.value, origin: { range, detail } };
  }

  private call(node: ts.CallExpression, depth: number): Constant | null {
    const callee = skipOuter(node.expression);
    if (!ts.isPropertyAccessExpression(callee) || !this.isGlobalMath(callee.expression)) return null;
    const fn = MATH_FUNCTIONS.get(callee.name.text);
    if (!fn) return null;
    const values: number[] = [];
    let origin: Constant['origin'] = null;
    for (const arg of node.arguments) {
      const c = this.evaluate(arg, depth + 1);
      if (!c) return null;
      values.push(c.value);
      origin ??= c.origin;
    }
    const value = fn(...values);
    return Number.isFinite(value) ? { value, origin } : null;
  }

  /** `Math`, unless the file declares its own. */
  private isGlobalMath(node: ts.Expression): boolean {
    const inner = skipOuter(node);
    return ts.isIdentifier(inner) && inner.text === 'Math' && this.names.declarationOf(inner) === null;
  }
}

function plain(value: number): Constant | null {
  return Number.isFinite(value) ? { value, origin: null } : null;
}
