/**
 * Indexing and slicing (`x[0]`, `x[:, 1:3]`, `x[..., None]`, `x[idx]`), numpy's and torch's
 * basic rules plus one 1-D index array, on the shapes of the analysis. Language-neutral.
 */
import { constant, constantValue } from './sizes';
import type { DimValue, Origin, ShapeValue } from './values';

/** A slice part: a constant, absent (null), or not known before run time. */
export type SlicePart = number | null | 'unknown';

export type IndexItem =
  /** An integer: drops the dimension. */
  | { kind: 'integer' }
  | { kind: 'slice'; start: SlicePart; stop: SlicePart; step: SlicePart }
  /** `None` / `np.newaxis`: a new dimension of size 1. */
  | { kind: 'newaxis' }
  | { kind: 'ellipsis' }
  /** A 1-D integer or boolean index array: its dimension takes the axis's place, its size when known. */
  | { kind: 'array'; size: DimValue | null };

/** Python's `len(range(*slice(start, stop, step).indices(n)))`. */
export function sliceLength(n: number, start: number | null, stop: number | null, step: number | null): number | null {
  const s = step ?? 1;
  if (s === 0) return null;
  const clamp = (value: number | null, empty: number, low: number, high: number) => {
    if (value === null) return empty;
    const v = value < 0 ? value + n : value;
    return Math.min(Math.max(v, low), high);
  };
  const first = s > 0 ? clamp(start, 0, 0, n) : clamp(start, n - 1, -1, n - 1);
  const last = s > 0 ? clamp(stop, n, 0, n) : clamp(stop, -1, -1, n - 1);
  return Math.max(0, s > 0 ? Math.ceil((last - first) / s) : Math.ceil((first - last) / -s));
}

/** The positions a slice keeps of a sequence of `length` items (a shape tuple's `[2:]`). */
export function slicePositions(length: number, item: Extract<IndexItem, { kind: 'slice' }>): number[] | null {
  const { start, stop, step } = item;
  if (start === 'unknown' || stop === 'unknown' || step === 'unknown') return null;
  const s = step ?? 1;
  const count = sliceLength(length, start, stop, step);
  if (count === null) return null;
  const first = start === null ? (s > 0 ? 0 : length - 1) : Math.min(Math.max(start < 0 ? start + length : start, s > 0 ? 0 : -1), s > 0 ? length : length - 1);
  return Array.from({ length: count }, (_, i) => first + i * s);
}

function slicedDim(d: DimValue, item: Extract<IndexItem, { kind: 'slice' }>, origin: Origin): DimValue {
  const { start, stop, step } = item;
  if (start === null && stop === null && (step === null || step === 1 || step === -1)) return d;
  const n = constantValue(d.size);
  if (n === null || start === 'unknown' || stop === 'unknown' || step === 'unknown') return { size: null, origin };
  const length = sliceLength(n, start, stop, step);
  return { size: length === null ? null : constant(length), origin };
}

/** The shape after indexing; null when its rank cannot be told. */
export function indexShape(base: ShapeValue, items: readonly IndexItem[], origin: Origin): ShapeValue | null {
  const consumed = items.filter((item) => item.kind !== 'newaxis' && item.kind !== 'ellipsis').length;
  if (items.filter((item) => item.kind === 'ellipsis').length > 1 || consumed > base.dims.length) return null;
  if (items.filter((item) => item.kind === 'array').length > 1) return null;
  const dims: DimValue[] = [];
  let axis = 0;
  const keep = (count: number) => {
    for (let i = 0; i < count; i++, axis++) dims.push(base.dims[axis]);
  };
  for (const item of items) {
    switch (item.kind) {
      case 'integer':
        axis++;
        break;
      case 'newaxis':
        dims.push({ size: constant(1), origin });
        break;
      case 'ellipsis':
        keep(base.dims.length - consumed);
        break;
      case 'slice':
        dims.push(slicedDim(base.dims[axis], item, origin));
        axis++;
        break;
      case 'array':
        dims.push(item.size ?? { size: null, origin });
        axis++;
        break;
    }
  }
  keep(base.dims.length - axis);
  return { dims };
}
