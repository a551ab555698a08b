/**
 * The shape an einsum returns, read from its equation and whatever operand shapes are known.
 * Front ends use it to follow a result into later contractions; it never throws (a shape that
 * does not fit its term is simply not used).
 */
import type { Dim } from '../core/contraction';
import type { ParsedEquation } from '../core/equation';
import type { KnownShape, ShapeSource } from './model';

interface Sized {
  dim: Dim;
  source: ShapeSource;
}

/** Keeps the most informative size: concrete beats symbolic beats unknown, and 1 yields (broadcast). */
function better(current: Sized | undefined, next: Sized): Sized {
  if (!current || current.dim === null) return next;
  if (next.dim === null) return current;
  if (typeof current.dim === 'number' && current.dim !== 1) return current;
  if (typeof next.dim === 'number') return next.dim === 1 && typeof current.dim === 'number' ? current : next;
  return current;
}

export function einsumOutputShape(eq: ParsedEquation, shapes: (KnownShape | null)[], source: ShapeSource): KnownShape | null {
  const byLabel = new Map<string, Sized>();
  /** Broadcast dimensions, right-aligned: index 0 is the last one. */
  const ellipsis: (Sized | undefined)[] = [];
  let ellipsisKnown = true;
  eq.inputs.forEach((term, k) => {
    const shape = shapes[k] ?? null;
    if (!shape) {
      if (term.ellipsis >= 0) ellipsisKnown = false;
      return;
    }
    const width = shape.dims.length - term.labels.length;
    if (term.ellipsis < 0 ? width !== 0 : width < 0) {
      if (term.ellipsis >= 0) ellipsisKnown = false;
      return;
    }
    term.labels.forEach((label, i) => {
      const at = term.ellipsis >= 0 && i >= term.ellipsis ? i + width : i;
      byLabel.set(label, better(byLabel.get(label), { dim: shape.dims[at], source: shape.dimSources[at] }));
    });
    for (let j = 0; j < (term.ellipsis >= 0 ? width : 0); j++) {
      const at = term.ellipsis + width - 1 - j;
      ellipsis[j] = better(ellipsis[j], { dim: shape.dims[at], source: shape.dimSources[at] });
    }
  });
  const output = eq.output;
  if (output.ellipsis >= 0 && !ellipsisKnown) return null;
  const sized: Sized[] = output.labels.map((label) => byLabel.get(label) ?? { dim: null, source });
  if (output.ellipsis >= 0) {
    const broadcast = [...ellipsis].reverse().map((s) => s ?? { dim: null, source });
    sized.splice(output.ellipsis, 0, ...broadcast);
  }
  return {
    dims: sized.map((s) => s.dim),
    source: { ...source, kind: 'einsum-result' },
    dimSources: sized.map((s) => s.source),
  };
}
