/**
 * The shape functions on the model's `KnownShape` (sizes as numbers, symbol names or null, each
 * with its source), for front ends that keep shapes in that form (TypeScript): converted to the
 * analysis' shapes, computed once by the language-neutral functions, converted back.
 */
import type { Dim } from '../../core/contraction';
import type { ParsedEquation } from '../../core/equation';
import type { KnownShape, ShapeSource } from '../model';
import { einsumResult } from './patterns';
import { broadcast, matmul, permuteAxes, reshape, reverseAxes, swapAxes, type ReshapeTarget } from './shape-functions';
import { constant, SymbolTable, symbolSize, type Size } from './sizes';
import type { DimValue, Origin, ShapeValue } from './values';

/** One conversion: symbol names to symbols and back. */
class Conversion {
  private readonly symbols = new SymbolTable();

  shape(known: KnownShape): ShapeValue {
    return { dims: known.dims.map((d, i) => this.dim(d, known.dimSources[i] ?? known.source)) };
  }

  dim(d: Dim, source: ShapeSource): DimValue {
    const size: Size = typeof d === 'number' ? constant(d) : typeof d === 'string' ? symbolSize(this.symbols.intern(d, d)) : null;
    return { size, origin: originOf(source) };
  }

  known(shape: ShapeValue | null, source: ShapeSource): KnownShape | null {
    if (!shape) return null;
    return { dims: shape.dims.map((d) => this.back(d.size)), source, dimSources: shape.dims.map((d) => sourceOf(d.origin)) };
  }

  private back(size: Size): Dim {
    if (size === null) return null;
    if (size.symbols.length === 0) return size.coefficient;
    const names = size.symbols.map(([s, p]) => (p === 1 ? this.symbols.name(s) : `${this.symbols.name(s)}^${p}`));
    return size.coefficient === 1 ? names.join('·') : `${size.coefficient}·${names.join('·')}`;
  }
}

/** The model's sources carry a range in the analysed text; the analysis' origins an anchor. */
function originOf(source: ShapeSource): Origin {
  return { kind: source.kind, at: source.range ? { file: '', node: source.range } : null, detail: source.detail };
}

function sourceOf(origin: Origin): ShapeSource {
  return { kind: origin.kind, range: origin.at ? { start: origin.at.node.start, end: origin.at.node.end } : null, detail: origin.detail };
}

function resultSource(source: ShapeSource): ShapeSource {
  return { ...source, kind: 'einsum-result' };
}

/** `reshape`: -1 is inferred from the other sizes. */
export function reshapeKnown(base: KnownShape, targets: { dim: Dim; source: ShapeSource }[]): KnownShape | null {
  const c = new Conversion();
  const shaped: ReshapeTarget[] = targets.map((t) => (t.dim === -1 ? 'infer' : c.dim(t.dim, t.source)));
  return c.known(reshape(c.shape(base), shaped, originOf(base.source)), base.source);
}

/** `a @ b` with numpy/torch matmul rules. */
export function matmulKnown(a: KnownShape | null, b: KnownShape | null, source: ShapeSource): KnownShape | null {
  if (!a || !b) return null;
  const c = new Conversion();
  return c.known(matmul(c.shape(a), c.shape(b), originOf(source)), resultSource(source));
}

/** Elementwise broadcasting; null when a size clash makes it fail. */
export function broadcastKnown(a: KnownShape | null, b: KnownShape | null): KnownShape | null {
  if (!a || !b) return null;
  const c = new Conversion();
  const base = a.dims.length >= b.dims.length ? a : b;
  return c.known(broadcast([c.shape(a), c.shape(b)], originOf(base.source)), base.source);
}

/** A permutation of the axes (`transpose(x, perm)`); null when `axes` is not one. */
export function permuteKnown(base: KnownShape, axes: number[]): KnownShape | null {
  const c = new Conversion();
  return c.known(permuteAxes(c.shape(base), axes), base.source);
}

/** `.T`: every axis reversed. */
export function reverseKnown(base: KnownShape): KnownShape {
  const c = new Conversion();
  return c.known(reverseAxes(c.shape(base)), base.source)!;
}

/** The last two axes swapped (a batch of matrices transposed); null below rank 2. */
export function matrixTransposeKnown(base: KnownShape): KnownShape | null {
  if (base.dims.length < 2) return null;
  const c = new Conversion();
  return c.known(swapAxes(c.shape(base), -1, -2), base.source);
}

/** The shape an einsum returns, from its equation and the operand shapes known. */
export function einsumResultKnown(eq: ParsedEquation, shapes: (KnownShape | null)[], source: ShapeSource): KnownShape | null {
  const c = new Conversion();
  return c.known(einsumResult(eq, shapes.map((s) => s && c.shape(s)), originOf(source)), resultSource(source));
}
