/**
 * Scalar factors commute with a contraction, so one multiplication by their product on the
 * smallest tensor involved (an operand or the result) does the work of all of them.
 */
import type { Contraction } from '../core/contraction';
import { sizeProduct } from '../core/cost';
import type { ScalarFactor, ScalarPlacement, ScalarTarget } from './model';

function elements(c: Contraction, target: ScalarTarget): bigint {
  return sizeProduct(c, target.kind === 'output' ? c.output : c.inputs[target.index]);
}

export function placeScalars(c: Contraction, factors: ScalarFactor[]): ScalarPlacement {
  const combined = factors.reduce((product, f) => (f.operation === 'multiply' ? product * f.value : product / f.value), 1);
  const current = factors[0].appliedTo;
  // Ties keep the factor where it is, then prefer the result, then the first operand.
  const candidates: ScalarTarget[] = [current, { kind: 'output' }, ...c.inputs.map((_, index) => ({ kind: 'operand' as const, index }))];
  let best = candidates[0];
  for (const candidate of candidates) if (elements(c, candidate) < elements(c, best)) best = candidate;
  const symbolic = c.sizes.some((s) => s.symbol !== null);
  const sizes = factors.map((f) => (f.nestedIn ? f.nestedIn.elements : elements(c, f.appliedTo)));
  const known = !symbolic && sizes.every((size) => size !== null);
  return {
    factors,
    combined,
    currentCost: known ? sizes.reduce((sum: bigint, size) => sum + size!, 0n) : null,
    best,
    bestCost: symbolic ? null : elements(c, best),
  };
}
