/**
 * Exact costs of a path, counted as opt_einsum 3.4 counts them so figures compare one to
 * one: per step, the product of the sizes of every index involved × (max(1, terms − 1), plus
 * one if anything is summed away). Counts are BigInt: real networks overflow 2^53.
 */
import { numericSizes, type Contraction } from './contraction';
import { formatTerm } from './equation';
import { ssaToLinear } from './paths/ssa';
import type { LinearPath, PathProblem } from './paths/types';
import { Polynomial, sizeProductPolynomial } from './symbolic';

/** opt_einsum's `can_blas` verdicts as its PathInfo prints them; EINSUM where it prints False. */
export type BlasKind = 'GEMM' | 'TDOT' | 'DOT' | 'DOT/EINSUM' | 'GEMV/EINSUM' | 'OUTER/EINSUM' | 'EINSUM';

export interface PathStep {
  /** Positions popped from the current operand list (opt_einsum convention). */
  positions: number[];
  /** Label ids of the operands taken, in opt_einsum's order (highest position first). */
  operands: number[][];
  /** Label ids of the result, in tensordot-friendly order (the output order on the last step). */
  result: number[];
  /** Label ids summed away in this step. */
  removed: number[];
  flops: bigint;
  flopsPolynomial: Polynomial;
  resultSize: bigint;
  /** Number of distinct indices involved (opt_einsum's `scale_list` entry). */
  scaling: number;
  blas: BlasKind;
  /** The step as an einsum equation, e.g. `jk,ij->ik`. */
  equation: string;
}

export interface PathCost {
  path: LinearPath;
  steps: PathStep[];
  flops: bigint;
  flopsPolynomial: Polynomial;
  /** Largest intermediate (result of any step), in elements. */
  largest: bigint;
  scaling: number;
}

export interface NaiveCost {
  flops: bigint;
  flopsPolynomial: Polynomial;
  scaling: number;
}

export function toPathProblem(c: Contraction): PathProblem {
  return { inputs: c.inputs, output: c.output, sizes: numericSizes(c) };
}

export function sizeProduct(c: Contraction, labels: Iterable<number>): bigint {
  let product = 1n;
  for (const l of labels) product *= BigInt(c.sizes[l].value);
  return product;
}

function stepFactor(terms: number, summed: boolean): number {
  return Math.max(1, terms - 1) + (summed ? 1 : 0);
}

/** Throws RangeError when the path is not a valid sequence of steps for this contraction. */
export function validatePath(operandCount: number, path: LinearPath): void {
  let live = operandCount;
  path.forEach((step, i) => {
    const unique = new Set(step);
    if (step.length === 0 || unique.size !== step.length || step.some((p) => !Number.isInteger(p) || p < 0 || p >= live)) {
      throw new RangeError(`step ${i + 1} (${JSON.stringify(step)}) must name distinct positions below ${live}`);
    }
    live = live - step.length + 1;
  });
  if (live !== 1) throw new RangeError(`the path leaves ${live} operands instead of one`);
}

export function costOfPath(c: Contraction, path: LinearPath): PathCost {
  validatePath(c.inputs.length, path);
  const terms: number[][] = c.inputs.map((t) => [...t]);
  const outputSet = new Set(c.output);
  const steps: PathStep[] = [];
  path.forEach((positions, cnum) => {
    const popOrder = [...positions].sort((a, b) => b - a);
    const taken = popOrder.map((p) => terms.splice(p, 1)[0]);
    const involved = new Set(taken.flat());
    const needed = new Set([...outputSet, ...terms.flat()]);
    const kept = [...involved].filter((l) => needed.has(l));
    const removed = [...involved].filter((l) => !needed.has(l));
    const concatenated = taken.flat();
    const result =
      cnum === path.length - 1 ? [...c.output] : kept.sort((a, b) => concatenated.indexOf(a) - concatenated.indexOf(b));
    terms.push(result);
    const factor = stepFactor(taken.length, removed.length > 0);
    steps.push({
      positions: [...positions],
      operands: taken,
      result,
      removed,
      flops: sizeProduct(c, involved) * BigInt(factor),
      flopsPolynomial: sizeProductPolynomial(c.sizes, involved).scale(factor),
      resultSize: sizeProduct(c, kept),
      scaling: involved.size,
      blas: blasKind(taken, new Set(kept), removed),
      equation: `${taken.map((t) => formatTerm(c, t)).join(',')}->${formatTerm(c, result)}`,
    });
  });
  return {
    path: path.map((s) => [...s]),
    steps,
    flops: steps.reduce((sum, s) => sum + s.flops, 0n),
    flopsPolynomial: steps.reduce((sum, s) => sum.add(s.flopsPolynomial), Polynomial.constant(0)),
    largest: steps.reduce((max, s) => (s.resultSize > max ? s.resultSize : max), steps.length ? 0n : 1n),
    scaling: Math.max(0, ...steps.map((s) => s.scaling)),
  };
}

/** opt_einsum's naive cost: every index in one loop over all operands at once. */
export function naiveCost(c: Contraction): NaiveCost {
  const indices = new Set(c.inputs.flat());
  const setSizes = c.inputs.reduce((sum, t) => sum + new Set(t).size, 0);
  // opt_einsum calls it an inner product when any index is shared between operands.
  const factor = stepFactor(c.inputs.length, setSizes - indices.size > 0);
  return {
    flops: sizeProduct(c, indices) * BigInt(factor),
    flopsPolynomial: sizeProductPolynomial(c.sizes, indices).scale(factor),
    scaling: indices.size,
  };
}

/** ((a·b)·c)·d: what runs when operands are contracted in source order. */
export function leftToRightPath(operandCount: number): LinearPath {
  if (operandCount <= 1) return [[0]];
  const ssa: number[][] = [[0, 1]];
  for (let k = 2; k < operandCount; k++) ssa.push([operandCount + k - 2, k]);
  return ssaToLinear(ssa, operandCount);
}

/** opt_einsum's `can_blas`, over label ids instead of characters. */
function blasKind(operands: number[][], result: Set<number>, removed: number[]): BlasKind {
  if (operands.length !== 2) return 'EINSUM';
  const [left, right] = operands;
  for (const label of new Set([...left, ...right])) {
    const nl = left.filter((l) => l === label).length;
    const nr = right.filter((l) => l === label).length;
    if (nl > 1 || nr > 1 || nl + nr > 2) return 'EINSUM';
    if (nl + nr - 1 === (result.has(label) ? 1 : 0)) return 'EINSUM';
  }
  if (removed.length === 0) return 'OUTER/EINSUM';
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const removedSet = new Set(removed);
  const keepLeft = left.filter((l) => !removedSet.has(l));
  const keepRight = right.filter((l) => !removedSet.has(l));
  const rs = removed.length;
  if (same(left, right)) return 'DOT';
  if (left.every((l) => right.includes(l)) && right.every((l) => left.includes(l))) return 'DOT/EINSUM';
  const head = (t: number[]) => t.slice(0, rs);
  const tail = (t: number[]) => t.slice(t.length - rs);
  if (same(tail(left), head(right)) || same(head(left), tail(right)) || same(tail(left), tail(right)) || same(head(left), head(right))) {
    return 'GEMM';
  }
  if (keepLeft.length === 0 || keepRight.length === 0) return 'GEMV/EINSUM';
  return 'TDOT';
}
