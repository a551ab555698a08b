/**
 * Reading Python values as the arguments array functions take: a size, a shape (an int or a
 * sequence of ints), an axis or a tuple of axes, a constant.
 */
import { constant, constantValue, symbolSize } from '../shapes/sizes';
import type { DimValue, Origin, Value } from '../shapes/values';

/** Mints the symbol an unknown value stands for when it is used as a size. */
export type SymbolMinter = (key: string, name: string) => number;

/** A size: an int, or an unknown value that names one; unknown otherwise (the rank stays known). */
export function dimFrom(value: Value, origin: Origin, mint: SymbolMinter): DimValue {
  if (value.t === 'int') return value.dim;
  if (value.t === 'bool') return { size: null, origin };
  if (value.t === 'unknown' && value.symbol) return { size: symbolSize(mint(value.symbol.key, value.symbol.name)), origin };
  return { size: null, origin };
}

/** Whether a value certainly is a Python int (so it is one size, not a whole shape). */
export function isInt(value: Value): boolean {
  return value.t === 'int';
}

/**
 * A shape argument: an int is one dimension; a tuple or list of known length gives one
 * dimension per item. Anything else (an unknown value may be an int or a whole shape) has no
 * certain rank: null.
 */
export function shapeFrom(value: Value, origin: Origin, mint: SymbolMinter): DimValue[] | null {
  if (value.t === 'int') return [value.dim];
  if ((value.t === 'tuple' || value.t === 'list') && value.items) return value.items.map((item) => dimFrom(item, origin, mint));
  return null;
}

/** Sizes given one per argument (`torch.randn(2, 3)`), or one shape argument (`torch.randn((2, 3))`). */
export function sizesFrom(values: readonly Value[], origin: Origin, mint: SymbolMinter): DimValue[] | null {
  if (values.length === 1) return shapeFrom(values[0], origin, mint);
  if (values.some((v) => v.t === 'tuple' || v.t === 'list' || v.t === 'array')) return null;
  return values.map((v) => dimFrom(v, origin, mint));
}

/** A constant integer, or null. */
export function intConstant(value: Value | undefined | null): number | null {
  return value && value.t === 'int' ? constantValue(value.dim.size) : null;
}

/** `axis=`: null for None/absent (every axis), a list of constants, or 'unknown'. */
export function axesFrom(value: Value | undefined | null): number[] | null | 'unknown' {
  if (!value || value.t === 'none') return null;
  const single = intConstant(value);
  if (single !== null) return [single];
  if ((value.t === 'tuple' || value.t === 'list') && value.items) {
    const axes = value.items.map(intConstant);
    return axes.every((a): a is number => a !== null) ? axes : 'unknown';
  }
  return 'unknown';
}

/** A boolean constant (`keepdims=True`), or null when not known. */
export function boolConstant(value: Value | undefined | null, fallback: boolean): boolean | null {
  if (!value) return fallback;
  return value.t === 'bool' ? (value.value ?? null) : null;
}

export function constantDim(value: number, origin: Origin): DimValue {
  return { size: constant(value), origin };
}
