/**
 * Whether a path search paid at every call is a real share of the call (EIN007): the search
 * runs in the library's Python code, tens of microseconds per operand, while the contraction
 * runs compiled kernels. The model errs on the side of silence: it takes the search at its
 * cheapest (measured on numpy 1.24 and 2.4 and opt_einsum 3.4: greedy 14-25 µs per operand,
 * exact searches 13-60 µs per operand) and the contraction at a modest speed (10 µs per pairwise call plus
 * 5 GFLOP/s in BLAS, 1 GFLOP/s in numpy's own einsum loop), and speaks only when even then
 * the search is a quarter of the call or more.
 */
import type { PathStep } from '../core/cost';

/** Below every measurement: numpy's greedy and optimal, opt_einsum's auto, for 3 to 8 operands. */
const SEARCH_MICROS_PER_OPERAND = 12;
const MICROS_PER_CALL = 10;
/** FLOPs per microsecond: 5 GFLOP/s where a step maps to BLAS (tensordot), 1 GFLOP/s in numpy's own einsum loop. */
const BLAS_FLOPS_PER_MICRO = 5_000;
const LOOP_FLOPS_PER_MICRO = 1_000;
/** The search is reported when it is at least this share of search plus contraction. */
const REPORTED_SHARE = 0.25;

export interface SearchShare {
  searchMicros: number;
  contractionMicros: number;
}

/** The estimate, when the search is a real share of a call running `steps`; else null. */
export function searchShare(operands: number, steps: readonly PathStep[]): SearchShare | null {
  const searchMicros = operands * SEARCH_MICROS_PER_OPERAND;
  let contractionMicros = 0;
  for (const step of steps) {
    const rate = step.blas === 'EINSUM' || step.blas.endsWith('/EINSUM') ? LOOP_FLOPS_PER_MICRO : BLAS_FLOPS_PER_MICRO;
    contractionMicros += MICROS_PER_CALL + Number(step.flops) / rate;
  }
  if (searchMicros / (searchMicros + contractionMicros) < REPORTED_SHARE) return null;
  return { searchMicros, contractionMicros };
}
