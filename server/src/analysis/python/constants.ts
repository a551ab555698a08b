/**
 * Numeric constants known before the code runs: literals, arithmetic on them, names bound once
 * to such a value (`B = 64`, `scale = 1 / math.sqrt(D)`) and `math` functions of constants.
 */
import { nameTable } from '../../core/name-table';
import type { SourceRange } from '../model';
import type { NameResolver } from './resolve';
import { field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

export interface Constant {
  value: number;
  /** The `NAME = value` statement it came from, when read through a name. */
  origin: { range: SourceRange; detail: string } | null;
}

const MAX_DEPTH = 16;

const MATH_CONSTANTS = nameTable<number>({
  'math.pi': Math.PI,
  'math.e': Math.E,
  'math.tau': 2 * Math.PI,
  'numpy.pi': Math.PI,
  'numpy.e': Math.E,
});

const MATH_FUNCTIONS = nameTable<(...args: number[]) => number>({
  'math.sqrt': Math.sqrt,
  'math.exp': Math.exp,
  'math.log': (x, base) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)),
  'math.log2': Math.log2,
  'math.log10': Math.log10,
  'math.pow': Math.pow,
  'math.floor': Math.floor,
  'math.ceil': Math.ceil,
  'math.prod': (...xs) => xs.reduce((a, b) => a * b, 1),
  'numpy.sqrt': Math.sqrt,
  'numpy.exp': Math.exp,
  'numpy.log': Math.log,
  float: (x) => x,
  int: Math.trunc,
  abs: Math.abs,
});

export class ConstantEvaluator {
  private readonly cache = new Map<PyNode, Constant | null>();

  constructor(private readonly resolver: NameResolver) {}

  evaluate(node: PyNode | null, depth = 0): Constant | null {
    if (!node || depth > MAX_DEPTH) return null;
    const cached = this.cache.get(node);
    if (cached !== undefined) return cached;
    const result = this.compute(unwrap(node), depth);
    this.cache.set(node, result);
    return result;
  }

  /** A non-negative integer (a dimension size), or null. */
  integer(node: PyNode | null): Constant | null {
    const c = this.evaluate(node);
    // A size past 2^53 has lost digits already: unknown beats wrong.
    return c && Number.isSafeInteger(c.value) && c.value >= 0 ? c : null;
  }

  private get source(): string {
    return this.resolver.source;
  }

  private compute(node: PyNode, depth: number): Constant | null {
    switch (node.type) {
      case 'integer':
        return plain(parseInteger(textOf(this.source, node)));
      case 'float': {
        const text = textOf(this.source, node).replaceAll('_', '');
        return /[jJ]$/.test(text) ? null : plain(Number(text));
      }
      case 'unary_operator': {
        const argument = this.evaluate(field(node, 'argument'), depth + 1);
        const op = field(node, 'operator')?.type;
        if (!argument) return null;
        if (op === '-') return { value: -argument.value, origin: argument.origin };
        return op === '+' ? argument : null;
      }
      case 'binary_operator':
        return this.binary(node, depth);
      case 'identifier':
        return this.named(node, depth);
      case 'attribute': {
        const name = this.resolver.qualifiedName(node);
        const value = name !== null ? MATH_CONSTANTS.get(name) : undefined;
        return value !== undefined ? plain(value) : null;
      }
      case 'call':
        return this.call(node, depth);
      default:
        return null;
    }
  }

  private binary(node: PyNode, depth: number): Constant | null {
    const left = this.evaluate(field(node, 'left'), depth + 1);
    const right = left && this.evaluate(field(node, 'right'), depth + 1);
    if (!left || !right) return null;
    const a = left.value;
    const b = right.value;
    let value: number;
    switch (field(node, 'operator')?.type) {
      case '+':
        value = a + b;
        break;
      case '-':
        value = a - b;
        break;
      case '*':
        value = a * b;
        break;
      case '/':
        if (b === 0) return null;
        value = a / b;
        break;
      case '//':
        if (b === 0) return null;
        value = Math.floor(a / b);
        break;
      case '%':
        if (b === 0) return null;
        value = a - b * Math.floor(a / b);
        break;
      case '**':
        value = a ** b;
        break;
      default:
        return null;
    }
    return Number.isFinite(value) ? { value, origin: left.origin ?? right.origin } : null;
  }

  private named(node: PyNode, depth: number): Constant | null {
    const binding = this.resolver.resolveUnique(node);
    if (!binding || binding.kind !== 'assign' || !binding.value) return null;
    const inner = this.evaluate(binding.value, depth + 1);
    if (!inner) return null;
    const statement = binding.statement;
    const detail = textOf(this.source, statement).split('\n')[0].trim();
    return { value: inner.value, origin: { range: { start: statement.start, end: statement.end }, detail } };
  }

  private call(node: PyNode, depth: number): Constant | null {
    const callee = field(node, 'function');
    // An unbound plain name is a builtin (`float`, `int`, `abs`); anything else goes through imports.
    const builtin = callee?.type === 'identifier' && !this.resolver.resolve(callee);
    const name = builtin ? textOf(this.source, callee) : this.resolver.qualifiedName(callee);
    const fn = name !== null ? MATH_FUNCTIONS.get(name) : undefined;
    const args = field(node, 'arguments');
    if (!fn || !args || args.type !== 'argument_list') return null;
    const values: number[] = [];
    let origin: Constant['origin'] = null;
    for (const arg of namedChildren(args)) {
      const c = this.evaluate(arg, depth + 1);
      if (!c) return null;
      values.push(c.value);
      origin ??= c.origin;
    }
    const value = fn(...values);
    return Number.isFinite(value) ? { value, origin } : null;
  }
}

function plain(value: number): Constant | null {
  return Number.isFinite(value) ? { value, origin: null } : null;
}

function parseInteger(text: string): number {
  const clean = text.replaceAll('_', '').toLowerCase();
  if (/[lj]$/.test(clean)) return NaN;
  if (clean.startsWith('0x')) return parseInt(clean.slice(2), 16);
  if (clean.startsWith('0o')) return parseInt(clean.slice(2), 8);
  if (clean.startsWith('0b')) return parseInt(clean.slice(2), 2);
  return Number(clean);
}
