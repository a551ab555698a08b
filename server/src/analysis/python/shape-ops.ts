/** How shapes change through transposes, reshapes, broadcasting and matrix products. */
import type { Dim } from '../../core/contraction';
import type { KnownShape, ShapeSource } from '../model';

export interface DimArg {
  dim: Dim;
  source: ShapeSource;
}

function pick(base: KnownShape, order: number[]): KnownShape {
  return { dims: order.map((i) => base.dims[i]), source: base.source, dimSources: order.map((i) => base.dimSources[i]) };
}

function normalizeAxis(axis: number, rank: number): number | null {
  const at = axis < 0 ? axis + rank : axis;
  return Number.isInteger(at) && at >= 0 && at < rank ? at : null;
}

function swap(base: KnownShape, a: number, b: number): KnownShape | null {
  const rank = base.dims.length;
  const x = normalizeAxis(a, rank);
  const y = normalizeAxis(b, rank);
  if (x === null || y === null) return null;
  const order = base.dims.map((_, i) => i);
  [order[x], order[y]] = [order[y], order[x]];
  return pick(base, order);
}

function permute(base: KnownShape, axes: number[]): KnownShape | null {
  const rank = base.dims.length;
  const order = axes.map((a) => normalizeAxis(a, rank));
  if (order.length !== rank || order.some((a) => a === null) || new Set(order).size !== rank) return null;
  return pick(base, order as number[]);
}

/** `reshape(2, -1)`: a -1 is inferred when every other size is concrete. */
function reshape(base: KnownShape, args: DimArg[]): KnownShape | null {
  const dims = args.map((a) => a.dim);
  const dimSources = args.map((a) => a.source);
  const inferred = dims.findIndex((d) => d === -1);
  if (inferred >= 0) {
    const total = product(base.dims);
    const known = product(dims.filter((_, i) => i !== inferred));
    dims[inferred] = total !== null && known !== null && known > 0 && total % known === 0 ? total / known : null;
  }
  return { dims, source: base.source, dimSources };
}

function product(dims: Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}

export function applyMethod(base: KnownShape | null, method: string, args: DimArg[]): KnownShape | null {
  if (!base) return null;
  const rank = base.dims.length;
  const numbers = args.map((a) => a.dim).filter((d): d is number => typeof d === 'number');
  const allNumbers = numbers.length === args.length;
  switch (method) {
    case 'T':
      return pick(base, base.dims.map((_, i) => rank - 1 - i));
    case 't':
      return rank <= 2 ? pick(base, base.dims.map((_, i) => rank - 1 - i)) : null;
    case 'mT':
      return rank >= 2 ? swap(base, -1, -2) : null;
    case 'reshape':
    case 'view':
      return reshape(base, args);
    case 'transpose':
      if (!allNumbers) return null;
      if (args.length === 0) return pick(base, base.dims.map((_, i) => rank - 1 - i));
      return args.length === 2 ? swap(base, numbers[0], numbers[1]) : permute(base, numbers);
    case 'permute':
      return allNumbers ? permute(base, numbers) : null;
    case 'swapaxes':
    case 'swapdims':
      return allNumbers && args.length === 2 ? swap(base, numbers[0], numbers[1]) : null;
    case 'unsqueeze': {
      if (!allNumbers || args.length !== 1) return null;
      const at = numbers[0] < 0 ? numbers[0] + rank + 1 : numbers[0];
      if (at < 0 || at > rank) return null;
      const dims = [...base.dims];
      const dimSources = [...base.dimSources];
      dims.splice(at, 0, 1);
      dimSources.splice(at, 0, args[0].source);
      return { dims, source: base.source, dimSources };
    }
    default:
      return null;
  }
}

/** numpy broadcasting, right-aligned; null when the sizes cannot be told apart or clash. */
export function broadcastShapes(a: KnownShape | null, b: KnownShape | null): KnownShape | null {
  if (!a || !b) return null;
  const rank = Math.max(a.dims.length, b.dims.length);
  const base = a.dims.length >= b.dims.length ? a : b;
  const dims: Dim[] = [];
  const dimSources: ShapeSource[] = [];
  for (let i = 0; i < rank; i++) {
    const ia = a.dims.length - rank + i;
    const ib = b.dims.length - rank + i;
    const da = ia >= 0 ? a.dims[ia] : 1;
    const db = ib >= 0 ? b.dims[ib] : 1;
    let dim: Dim;
    let source: ShapeSource;
    if (da === db || db === 1) {
      dim = da;
      source = ia >= 0 ? a.dimSources[ia] : b.dimSources[ib];
    } else if (da === 1) {
      dim = db;
      source = b.dimSources[ib];
    } else if (typeof da === 'number' && typeof db === 'number') {
      return null;
    } else {
      dim = typeof da === 'number' ? da : typeof db === 'number' ? db : null;
      source = typeof da === 'number' ? a.dimSources[ia] : b.dimSources[Math.max(ib, 0)] ?? base.source;
    }
    dims.push(dim);
    dimSources.push(source);
  }
  return { dims, source: base.source, dimSources };
}

/** `a @ b` with numpy/torch matmul rules (1-D operands are promoted, then the added axis dropped). */
export function matmulShape(a: KnownShape | null, b: KnownShape | null, source: ShapeSource): KnownShape | null {
  if (!a || !b || a.dims.length === 0 || b.dims.length === 0) return null;
  const result = (dims: Dim[], dimSources: ShapeSource[]): KnownShape => ({
    dims,
    source: { ...source, kind: 'einsum-result' },
    dimSources,
  });
  if (a.dims.length === 1 && b.dims.length === 1) return result([], []);
  if (a.dims.length === 1) return result(b.dims.filter((_, i) => i !== b.dims.length - 2), b.dimSources.filter((_, i) => i !== b.dims.length - 2));
  if (b.dims.length === 1) return result(a.dims.slice(0, -1), a.dimSources.slice(0, -1));
  const batchA: KnownShape = { dims: a.dims.slice(0, -2), source: a.source, dimSources: a.dimSources.slice(0, -2) };
  const batchB: KnownShape = { dims: b.dims.slice(0, -2), source: b.source, dimSources: b.dimSources.slice(0, -2) };
  const batch = broadcastShapes(batchA, batchB);
  if (!batch) return null;
  return result(
    [...batch.dims, a.dims[a.dims.length - 2], b.dims[b.dims.length - 1]],
    [...batch.dimSources, a.dimSources[a.dims.length - 2], b.dimSources[b.dims.length - 1]],
  );
}

/** One item of an index expression `x[...]`, as far as it changes the shape. */
export type IndexItem =
  /** An integer: drops the dimension. */
  | { kind: 'integer' }
  /** A slice; each part is a constant, absent (null) or not known before run time ('unknown'). */
  | { kind: 'slice'; start: number | null | 'unknown'; stop: number | null | 'unknown'; step: number | null | 'unknown' }
  /** `None` / `np.newaxis`: a new dimension of size 1. */
  | { kind: 'newaxis' }
  | { kind: 'ellipsis' }
  /** A 1-D integer or boolean index array: the dimension keeps its place, its size is the array's (or unknown). */
  | { kind: 'array'; size: DimArg | null };

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
  const length = s > 0 ? Math.ceil((last - first) / s) : Math.ceil((first - last) / -s);
  return Math.max(0, length);
}

function slicedDim(dim: Dim, item: Extract<IndexItem, { kind: 'slice' }>): Dim {
  const { start, stop, step } = item;
  const whole = start === null && stop === null && (step === null || step === 1 || step === -1);
  if (whole) return dim;
  if (typeof dim !== 'number' || start === 'unknown' || stop === 'unknown' || step === 'unknown') return null;
  return sliceLength(dim, start, stop, step);
}

/**
 * numpy's (and torch's) basic indexing, plus one 1-D index array. Null when the result's rank
 * cannot be told (more than one index array, more indices than dimensions).
 */
export function indexShape(base: KnownShape | null, items: IndexItem[], source: ShapeSource): KnownShape | null {
  if (!base) return null;
  const consumed = items.filter((item) => item.kind !== 'newaxis' && item.kind !== 'ellipsis').length;
  const ellipses = items.filter((item) => item.kind === 'ellipsis').length;
  if (ellipses > 1 || consumed > base.dims.length || items.filter((item) => item.kind === 'array').length > 1) return null;
  const dims: Dim[] = [];
  const dimSources: ShapeSource[] = [];
  let axis = 0;
  const keep = (count: number) => {
    for (let i = 0; i < count; i++, axis++) {
      dims.push(base.dims[axis]);
      dimSources.push(base.dimSources[axis]);
    }
  };
  for (const item of items) {
    switch (item.kind) {
      case 'integer':
        axis++;
        break;
      case 'newaxis':
        dims.push(1);
        dimSources.push(source);
        break;
      case 'ellipsis':
        keep(base.dims.length - consumed);
        break;
      case 'slice':
        dims.push(slicedDim(base.dims[axis], item));
        dimSources.push(dims[dims.length - 1] === base.dims[axis] ? base.dimSources[axis] : source);
        axis++;
        break;
      case 'array':
        dims.push(item.size?.dim ?? null);
        dimSources.push(item.size?.source ?? source);
        axis++;
        break;
    }
  }
  keep(base.dims.length - axis);
  return { dims, source: base.source, dimSources };
}

/** What holds for a value that is one of two shapes: equal sizes stay, differing ones become unknown. */
export function mergeShapes(a: KnownShape | null, b: KnownShape | null): KnownShape | null {
  if (!a || !b || a.dims.length !== b.dims.length) return null;
  if (a === b) return a;
  return {
    dims: a.dims.map((d, i) => (d === b.dims[i] ? d : null)),
    source: a.source,
    dimSources: a.dimSources.map((s, i) => (a.dims[i] === b.dims[i] ? s : { kind: 'unknown', range: null, detail: 'differs between branches' })),
  };
}
