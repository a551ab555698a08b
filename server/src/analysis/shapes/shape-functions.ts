/**
 * Shape functions of array operations, shared by every front end: what shape an operation
 * returns given what is known of its inputs. Each returns null when the result's rank cannot
 * be told for certain, and leaves a size unknown (or symbolic) rather than guess it.
 */
import { addSizes, constant, constantValue, divideSizes, multiplySizes, productOf, sameSize, type Size } from './sizes';
import type { DimValue, Origin, ShapeValue } from './values';

export function dim(size: Size, origin: Origin): DimValue {
  return { size, origin };
}

export function normalizeAxis(axis: number, rank: number): number | null {
  const at = axis < 0 ? axis + rank : axis;
  return Number.isInteger(at) && at >= 0 && at < rank ? at : null;
}

function pick(shape: ShapeValue, order: readonly number[]): ShapeValue {
  return { dims: order.map((i) => shape.dims[i]) };
}

export function reverseAxes(shape: ShapeValue): ShapeValue {
  return pick(shape, shape.dims.map((_, i) => shape.dims.length - 1 - i));
}

export function swapAxes(shape: ShapeValue, a: number, b: number): ShapeValue | null {
  const x = normalizeAxis(a, shape.dims.length);
  const y = normalizeAxis(b, shape.dims.length);
  if (x === null || y === null) return null;
  const order = shape.dims.map((_, i) => i);
  [order[x], order[y]] = [order[y], order[x]];
  return pick(shape, order);
}

export function permuteAxes(shape: ShapeValue, axes: readonly number[]): ShapeValue | null {
  const rank = shape.dims.length;
  const order = axes.map((a) => normalizeAxis(a, rank));
  if (order.length !== rank || order.some((a) => a === null) || new Set(order).size !== rank) return null;
  return pick(shape, order as number[]);
}

/** `np.moveaxis(x, source, destination)` with lists of axes. */
export function moveAxes(shape: ShapeValue, source: readonly number[], destination: readonly number[]): ShapeValue | null {
  const rank = shape.dims.length;
  const from = source.map((a) => normalizeAxis(a, rank));
  const to = destination.map((a) => normalizeAxis(a, rank));
  if (from.length !== to.length || from.some((a) => a === null) || to.some((a) => a === null)) return null;
  const order: (number | null)[] = new Array(rank).fill(null);
  from.forEach((f, i) => (order[to[i]!] = f));
  const rest = shape.dims.map((_, i) => i).filter((i) => !from.includes(i));
  for (let i = 0; i < rank; i++) if (order[i] === null) order[i] = rest.shift()!;
  return pick(shape, order as number[]);
}

/** A reshape target: a size, or -1 (inferred from the others). */
export type ReshapeTarget = DimValue | 'infer';

export function reshape(shape: ShapeValue | null, targets: readonly ReshapeTarget[], origin: Origin): ShapeValue | null {
  if (targets.filter((t) => t === 'infer').length > 1) return null;
  const given = targets.filter((t): t is DimValue => t !== 'infer');
  const dims = targets.map((t) => {
    if (t !== 'infer') return t;
    const total = shape ? productOf(shape.dims.map((d) => d.size)) : null;
    return dim(divideSizes(total, productOf(given.map((g) => g.size))), origin);
  });
  return { dims };
}

/** `flatten(start, end)` (torch) / `reshape(-1)`: the sizes between merge into their product. */
export function flatten(shape: ShapeValue, start: number, end: number, origin: Origin): ShapeValue | null {
  const rank = shape.dims.length;
  if (rank === 0) return { dims: [dim(constant(1), origin)] };
  const s = normalizeAxis(start, rank);
  const e = normalizeAxis(end, rank);
  if (s === null || e === null || e < s) return null;
  const merged = dim(productOf(shape.dims.slice(s, e + 1).map((d) => d.size)), origin);
  return { dims: [...shape.dims.slice(0, s), merged, ...shape.dims.slice(e + 1)] };
}

/** What one side's size says about a broadcast result dimension (see `broadcast`). */
function broadcastDim(a: DimValue | undefined, b: DimValue | undefined, origin: Origin): DimValue | 'clash' {
  if (!a) return b!;
  if (!b) return a;
  if (sameSize(a.size, b.size)) return a;
  const ca = constantValue(a.size);
  const cb = constantValue(b.size);
  if (ca === 1) return b;
  if (cb === 1) return a;
  if (ca !== null && cb !== null) return 'clash';
  // A size other than 1 decides the result: the other side is 1 or equal, or the code fails.
  if (ca !== null) return a;
  if (cb !== null) return b;
  return dim(null, origin);
}

/** numpy/torch broadcasting of elementwise operands; null when a size clash makes it fail. */
export function broadcast(shapes: readonly ShapeValue[], origin: Origin): ShapeValue | null {
  if (shapes.length === 0) return { dims: [] };
  const rank = Math.max(...shapes.map((s) => s.dims.length));
  const dims: DimValue[] = [];
  for (let i = 0; i < rank; i++) {
    let current: DimValue | undefined;
    for (const shape of shapes) {
      const at = shape.dims.length - rank + i;
      const next = at >= 0 ? shape.dims[at] : undefined;
      if (!next) continue;
      const merged = broadcastDim(current, next, origin);
      if (merged === 'clash') return null;
      current = merged;
    }
    dims.push(current ?? dim(constant(1), origin));
  }
  return { dims };
}

/** Axes of a reduction; null means every axis. */
export function reduce(shape: ShapeValue, axes: readonly number[] | null, keepdims: boolean, origin: Origin): ShapeValue | null {
  const rank = shape.dims.length;
  const chosen = axes === null ? shape.dims.map((_, i) => i) : axes.map((a) => normalizeAxis(a, rank));
  if (chosen.some((a) => a === null)) return null;
  const set = new Set(chosen as number[]);
  const dims: DimValue[] = [];
  shape.dims.forEach((d, i) => {
    if (!set.has(i)) dims.push(d);
    else if (keepdims) dims.push(dim(constant(1), origin));
  });
  return { dims };
}

/** Sizes that must be equal at run time: the one known stands for both. */
function agree(a: DimValue, b: DimValue): DimValue | 'clash' {
  if (sameSize(a.size, b.size)) return a;
  if (a.size === null) return b;
  if (b.size === null) return a;
  const ca = constantValue(a.size);
  const cb = constantValue(b.size);
  if (ca !== null && cb !== null) return 'clash';
  return ca !== null ? a : cb !== null ? b : a;
}

/** `concatenate`/`cat` along `axis`. */
export function concatenate(shapes: readonly ShapeValue[], axis: number, origin: Origin): ShapeValue | null {
  if (shapes.length === 0) return null;
  const rank = shapes[0].dims.length;
  const at = normalizeAxis(axis, rank);
  if (at === null || shapes.some((s) => s.dims.length !== rank)) return null;
  const dims = [...shapes[0].dims];
  for (const shape of shapes.slice(1)) {
    for (let i = 0; i < rank; i++) {
      if (i === at) dims[i] = dim(addSizes(dims[i].size, shape.dims[i].size), origin);
      else {
        const merged = agree(dims[i], shape.dims[i]);
        if (merged === 'clash') return null;
        dims[i] = merged;
      }
    }
  }
  return { dims };
}

/** `stack` along a new `axis`: the inputs share one shape. */
export function stack(shapes: readonly ShapeValue[], axis: number, origin: Origin): ShapeValue | null {
  if (shapes.length === 0) return null;
  const rank = shapes[0].dims.length;
  if (shapes.some((s) => s.dims.length !== rank)) return null;
  const dims = [...shapes[0].dims];
  for (const shape of shapes.slice(1)) {
    for (let i = 0; i < rank; i++) {
      const merged = agree(dims[i], shape.dims[i]);
      if (merged === 'clash') return null;
      dims[i] = merged;
    }
  }
  return insertAxis({ dims }, axis, dim(constant(shapes.length), origin));
}

/** A new axis of `size` at `axis` (negative counts from the end of the result). */
export function insertAxis(shape: ShapeValue, axis: number, size: DimValue): ShapeValue | null {
  const rank = shape.dims.length + 1;
  const at = normalizeAxis(axis, rank);
  if (at === null) return null;
  const dims = [...shape.dims];
  dims.splice(at, 0, size);
  return { dims };
}

/**
 * `squeeze`: numpy fails when a named axis is not 1 (so it goes); torch leaves it. Without an
 * axis every size-1 axis goes: the rank is certain only when every size is known.
 */
export function squeeze(shape: ShapeValue, axes: readonly number[] | null, strict: boolean): ShapeValue | null {
  const rank = shape.dims.length;
  if (axes === null) {
    if (shape.dims.some((d) => constantValue(d.size) === null)) return null;
    return { dims: shape.dims.filter((d) => constantValue(d.size) !== 1) };
  }
  const chosen = axes.map((a) => normalizeAxis(a, rank));
  if (chosen.some((a) => a === null)) return null;
  const drop = new Set<number>();
  for (const a of chosen as number[]) {
    const value = constantValue(shape.dims[a].size);
    if (value === 1 || (strict && value === null)) drop.add(a);
    else if (value === null) return null;
  }
  return { dims: shape.dims.filter((_, i) => !drop.has(i)) };
}

/** torch `expand(*sizes)`: -1 keeps a size; extra leading sizes are new axes. */
export function expand(shape: ShapeValue, sizes: readonly ReshapeTarget[]): ShapeValue | null {
  const extra = sizes.length - shape.dims.length;
  if (extra < 0) return null;
  const dims = sizes.map((s, i) => {
    if (s !== 'infer') return s;
    return i >= extra ? shape.dims[i - extra] : null;
  });
  return dims.some((d) => d === null) ? null : { dims: dims as DimValue[] };
}

/** torch `repeat(*reps)` / numpy `tile(x, reps)`: sizes multiply, missing ones count as 1. */
export function tile(shape: ShapeValue, reps: readonly DimValue[], origin: Origin): ShapeValue | null {
  const rank = Math.max(shape.dims.length, reps.length);
  const dims: DimValue[] = [];
  for (let i = 0; i < rank; i++) {
    const d = shape.dims[shape.dims.length - rank + i];
    const r = reps[reps.length - rank + i];
    if (!r) dims.push(d);
    else if (!d) dims.push(r);
    else dims.push(constantValue(r.size) === 1 ? d : dim(multiplySizes(d.size, r.size), origin));
  }
  return { dims };
}

/** `a @ b`, `matmul`: 1-D operands are promoted and the added axis dropped; batch axes broadcast. */
export function matmul(a: ShapeValue, b: ShapeValue, origin: Origin): ShapeValue | null {
  if (a.dims.length === 0 || b.dims.length === 0) return null;
  if (a.dims.length === 1 && b.dims.length === 1) return { dims: [] };
  if (a.dims.length === 1) return { dims: b.dims.filter((_, i) => i !== b.dims.length - 2) };
  if (b.dims.length === 1) return { dims: a.dims.slice(0, -1) };
  const batch = broadcast([{ dims: a.dims.slice(0, -2) }, { dims: b.dims.slice(0, -2) }], origin);
  if (!batch) return null;
  return { dims: [...batch.dims, a.dims[a.dims.length - 2], b.dims[b.dims.length - 1]] };
}

/** numpy `dot`: matmul for up to 2-D; otherwise a sum over a's last and b's second-to-last axis. */
export function dot(a: ShapeValue, b: ShapeValue, origin: Origin): ShapeValue | null {
  if (a.dims.length === 0) return b;
  if (b.dims.length === 0) return a;
  if (a.dims.length <= 2 && b.dims.length <= 2) return matmul(a, b, origin);
  if (b.dims.length === 1) return { dims: a.dims.slice(0, -1) };
  return { dims: [...a.dims.slice(0, -1), ...b.dims.slice(0, -2), b.dims[b.dims.length - 1]] };
}

/** `tensordot(a, b, axes)`: axes an int k (a's last k with b's first k) or two axis lists. */
export function tensordot(a: ShapeValue, b: ShapeValue, axes: number | [readonly number[], readonly number[]]): ShapeValue | null {
  if (typeof axes === 'number') {
    if (axes < 0 || axes > a.dims.length || axes > b.dims.length) return null;
    return { dims: [...a.dims.slice(0, a.dims.length - axes), ...b.dims.slice(axes)] };
  }
  const [left, right] = axes;
  const fromA = left.map((x) => normalizeAxis(x, a.dims.length));
  const fromB = right.map((x) => normalizeAxis(x, b.dims.length));
  if (fromA.length !== fromB.length || fromA.some((x) => x === null) || fromB.some((x) => x === null)) return null;
  return { dims: [...a.dims.filter((_, i) => !fromA.includes(i)), ...b.dims.filter((_, i) => !fromB.includes(i))] };
}

/** `np.outer`: both inputs flattened. */
export function outer(a: ShapeValue, b: ShapeValue, origin: Origin): ShapeValue {
  return { dims: [dim(productOf(a.dims.map((d) => d.size)), origin), dim(productOf(b.dims.map((d) => d.size)), origin)] };
}

function minSize(a: DimValue, b: DimValue, origin: Origin): DimValue {
  if (sameSize(a.size, b.size)) return a;
  const x = constantValue(a.size);
  const y = constantValue(b.size);
  return x !== null && y !== null ? dim(constant(Math.min(x, y)), origin) : dim(null, origin);
}

/** The matrix dimensions of a (batched) matrix: [...batch, m, n]. */
function matrix(a: ShapeValue): { batch: DimValue[]; m: DimValue; n: DimValue } | null {
  if (a.dims.length < 2) return null;
  return { batch: a.dims.slice(0, -2), m: a.dims[a.dims.length - 2], n: a.dims[a.dims.length - 1] };
}

export type Decomposition = 'svd' | 'svd-reduced' | 'torch-svd' | 'eigh' | 'eig' | 'qr' | 'qr-complete' | 'eigvals' | 'svdvals';

/** The shapes a decomposition returns (a tuple for most, one shape for `eigvals`/`svdvals`). */
export function decomposition(a: ShapeValue, kind: Decomposition, origin: Origin): ShapeValue[] | null {
  const mat = matrix(a);
  if (!mat) return null;
  const { batch, m, n } = mat;
  const k = minSize(m, n, origin);
  const shape = (...dims: DimValue[]): ShapeValue => ({ dims: [...batch, ...dims] });
  switch (kind) {
    case 'svd':
      return [shape(m, m), shape(k), shape(n, n)];
    case 'svd-reduced':
      return [shape(m, k), shape(k), shape(k, n)];
    case 'torch-svd':
      return [shape(m, k), shape(k), shape(n, k)];
    case 'eigh':
    case 'eig':
      return [shape(n), shape(n, n)];
    case 'qr':
      return [shape(m, k), shape(k, n)];
    case 'qr-complete':
      return [shape(m, m), shape(m, n)];
    case 'eigvals':
      return [shape(n)];
    case 'svdvals':
      return [shape(k)];
  }
}

/** `inv`, `pinv`, `det`, `solve`, `cholesky`: square-matrix functions. */
export function matrixFunction(name: 'inv' | 'pinv' | 'det' | 'cholesky', a: ShapeValue): ShapeValue | null {
  const mat = matrix(a);
  if (!mat) return null;
  if (name === 'det') return { dims: mat.batch };
  if (name === 'pinv') return { dims: [...mat.batch, mat.n, mat.m] };
  return a;
}

/** `solve(a, b)`: b's shape (a vector or a matrix of right-hand sides, batches broadcast). */
export function solve(a: ShapeValue, b: ShapeValue, origin: Origin): ShapeValue | null {
  const mat = matrix(a);
  if (!mat) return null;
  if (b.dims.length === 1 || b.dims.length === mat.batch.length + 1) return b;
  const batch = broadcast([{ dims: mat.batch }, { dims: b.dims.slice(0, -2) }], origin);
  return batch && { dims: [...batch.dims, ...b.dims.slice(-2)] };
}

/** Whether two shapes are certainly equal. */
export function sameShape(a: ShapeValue | null, b: ShapeValue | null): boolean {
  if (!a || !b) return false;
  return a.dims.length === b.dims.length && a.dims.every((d, i) => sameSize(d.size, b.dims[i].size));
}
