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

/** The product of the sizes of `labels`, times `factor`. */
export function sizeProduct(c: Contraction, labels: Iterable<number>, factor = 1): bigint {
  // In doubles first: exact while the product stays below 2^53 (sizes and factor are integers
  // ≥ 0, so every partial product is at most the whole), and far cheaper than BigInt.
  // Indexed: iterating an arbitrary iterable allocates an iterator and a result per label.
  const list = Array.isArray(labels) ? (labels as readonly number[]) : [...labels];
  let approximate = factor;
  for (let i = 0; i < list.length; i++) approximate *= c.sizes[list[i]].value;
  if (approximate <= Number.MAX_SAFE_INTEGER) return BigInt(approximate);
  let product = BigInt(factor);
  for (let i = 0; i < list.length; i++) product *= BigInt(c.sizes[list[i]].value);
  return product;
}

/** Takes the operands at `positions` out of `terms`, highest position first (opt_einsum's order). */
function popOperands(terms: number[][], positions: readonly number[]): number[][] {
  const order = positions.length === 2 ? (positions[0] > positions[1] ? positions : [positions[1], positions[0]]) : [...positions].sort((a, b) => b - a);
  // Sized up front: the steps keep these lists, and one grown by pushes reserves room for 16.
  const taken: number[][] = new Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    taken[k] = terms[p];
    // Shifting by hand: splice allocates the removed part.
    for (let i = p; i < terms.length - 1; i++) terms[i] = terms[i + 1];
    terms.pop();
  }
  return taken;
}

function stepFactor(terms: number, summed: boolean): number {
  return Math.max(1, terms - 1) + (summed ? 1 : 0);
}

/** Throws RangeError when the path is not a valid sequence of steps for this contraction. */
export function validatePath(operandCount: number, path: LinearPath): void {
  let live = operandCount;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    let valid = step.length > 0;
    for (let k = 0; valid && k < step.length; k++) {
      const p = step[k];
      valid = Number.isInteger(p) && p >= 0 && p < live;
    }
    // Steps are short: a scan for repeats beats building a set, up to a point.
    if (valid) valid = step.length <= 32 ? noRepeats(step) : new Set(step).size === step.length;
    if (!valid) throw new RangeError(`step ${i + 1} (${JSON.stringify(step)}) must name distinct positions below ${live}`);
    live = live - step.length + 1;
  }
  if (live !== 1) throw new RangeError(`the path leaves ${live} operands instead of one`);
}

function noRepeats(step: readonly number[]): boolean {
  for (let k = 1; k < step.length; k++) if (step.indexOf(step[k]) !== k) return false;
  return true;
}

export function costOfPath(c: Contraction, path: LinearPath): PathCost {
  validatePath(c.inputs.length, path);
  // One copy of the caller's path, shared by the result and its steps.
  const copied = path.map((step) => step.slice());
  const symbolic = c.sizes.some((size) => size.symbol !== null);
  // Steps share the input arrays (nothing mutates a step's operands).
  const terms: number[][] = c.inputs.slice();
  // carriers[l]: how many live terms carry label l (each once), plus one if the output does;
  // a label of a step is summed away when no carrier is left outside the step.
  const labelCount = c.sizes.length;
  if (scratch.carriers.length < labelCount) scratch = scratchFor(labelCount);
  const carriers = scratch.carriers.fill(0, 0, labelCount);
  // seen[l] === stamp: label l was already counted for the current term or step.
  const seen = scratch.seen.fill(0, 0, labelCount);
  const owners = scratch.owners;
  let stamp = 0;
  const carry = (labels: readonly number[], delta: number) => {
    stamp++;
    for (const l of labels) {
      if (seen[l] === stamp) continue;
      seen[l] = stamp;
      carriers[l] += delta;
    }
  };
  for (const term of terms) carry(term, 1);
  carry(c.output, 1);
  // Sized up front: the result keeps it (a list grown by pushes reserves room for 16).
  const steps: PathStep[] = new Array(path.length);
  let flops = 0n;
  let largest = 0n;
  let scaling = 0;
  for (let cnum = 0; cnum < path.length; cnum++) {
    const positions = copied[cnum];
    const taken = popOperands(terms, positions);
    for (const term of taken) carry(term, -1);
    // Labels in order of first appearance in the taken operands: the result keeps that order.
    // Collected in reused lists, then copied at their exact lengths (a list grown by pushes
    // from empty reserves room for 16 labels).
    keptScratch.length = 0;
    removedScratch.length = 0;
    // For can_blas: owners[l] has bit t when the t-th of two operands carries l.
    let repeats = false;
    stamp++;
    for (let t = 0; t < taken.length; t++) {
      const bit = t < 2 ? 1 << t : 0;
      for (const l of taken[t]) {
        if (seen[l] !== stamp) {
          seen[l] = stamp;
          owners[l] = 0;
          (carriers[l] > 0 ? keptScratch : removedScratch).push(l);
        }
        if (owners[l] & bit) repeats = true;
        owners[l] |= bit;
      }
    }
    const kept = keptScratch.slice();
    const removed = removedScratch.slice();
    // Each label once per operand, and neither summed while in one operand only (an implicit
    // sum) nor kept while in both (a diagonal).
    let blasFits = taken.length === 2 && !repeats;
    for (const l of kept) if (owners[l] === 3) blasFits = false;
    for (const l of removed) if (owners[l] !== 3) blasFits = false;
    const result = cnum === path.length - 1 ? [...c.output] : kept;
    terms.push(result);
    carry(result, 1);
    const factor = stepFactor(taken.length, removed.length > 0);
    const resultSize = sizeProduct(c, kept);
    const stepFlops = resultSize * sizeProduct(c, removed, factor);
    let equation = '';
    for (let t = 0; t < taken.length; t++) equation += (t === 0 ? '' : ',') + formatTerm(c, taken[t]);
    const scale = kept.length + removed.length;
    steps[cnum] = {
      positions,
      operands: taken,
      result,
      removed,
      flops: stepFlops,
      flopsPolynomial: symbolic ? sizeProductPolynomial(c.sizes, [...kept, ...removed]).scale(factor) : Polynomial.constant(stepFlops),
      resultSize,
      scaling: scale,
      blas: blasFits ? blasKind(taken[0], taken[1], removed) : 'EINSUM',
      equation: `${equation}->${formatTerm(c, result)}`,
    };
    flops += stepFlops;
    if (resultSize > largest) largest = resultSize;
    if (scale > scaling) scaling = scale;
  }
  return {
    path: copied,
    steps,
    flops,
    flopsPolynomial: symbolic ? steps.reduce((sum, s) => sum.add(s.flopsPolynomial), Polynomial.constant(0)) : Polynomial.constant(flops),
    largest: steps.length ? largest : 1n,
    scaling,
  };
}

/**
 * Counters reused by every `costOfPath` (it prices two paths per site, thousands per file);
 * calls never nest. `owners` is set before each read.
 */
let scratch = scratchFor(64);
const keptScratch: number[] = [];
const removedScratch: number[] = [];

function scratchFor(labels: number): { carriers: Int32Array; seen: Int32Array; owners: Int32Array } {
  return { carriers: new Int32Array(labels), seen: new Int32Array(labels), owners: new Int32Array(labels) };
}

/** opt_einsum's naive cost: every index in one loop over all operands at once. */
export function naiveCost(c: Contraction): NaiveCost {
  // Every label once, in order of first appearance (the order their sizes multiply in).
  const indices = [...new Set(c.inputs.flat())];
  const setSizes = c.inputs.reduce((sum, t) => sum + new Set(t).size, 0);
  // opt_einsum calls it an inner product when any index is shared between operands.
  const factor = stepFactor(c.inputs.length, setSizes - indices.length > 0);
  return {
    flops: sizeProduct(c, indices) * BigInt(factor),
    flopsPolynomial: sizeProductPolynomial(c.sizes, indices).scale(factor),
    scaling: indices.length,
  };
}

/** ((a·b)·c)·d: what runs when operands are contracted in source order. */
export function leftToRightPath(operandCount: number): LinearPath {
  if (operandCount <= 1) return [[0]];
  const ssa: number[][] = [[0, 1]];
  for (let k = 2; k < operandCount; k++) ssa.push([operandCount + k - 2, k]);
  return ssaToLinear(ssa, operandCount);
}

/**
 * opt_einsum's `can_blas`, over label ids, for two operands whose labels passed its first
 * test (each once per operand, no implicit sum, no diagonal: see `costOfPath`).
 */
function blasKind(left: readonly number[], right: readonly number[], removed: readonly number[]): BlasKind {
  const rs = removed.length;
  if (rs === 0) return 'OUTER/EINSUM';
  if (left.length === right.length && equalRuns(left, 0, right, 0, left.length)) return 'DOT';
  if (within(left, right) && within(right, left)) return 'DOT/EINSUM';
  // Every removed label is in both operands (else the first test failed), so rs fits in each.
  const lt = left.length - rs;
  const rt = right.length - rs;
  if (equalRuns(left, lt, right, 0, rs) || equalRuns(left, 0, right, rt, rs) || equalRuns(left, lt, right, rt, rs) || equalRuns(left, 0, right, 0, rs)) {
    return 'GEMM';
  }
  if (within(left, removed) || within(right, removed)) return 'GEMV/EINSUM';
  return 'TDOT';
}

/** Whether every label of `a` is in `b`. */
function within(a: readonly number[], b: readonly number[]): boolean {
  for (const l of a) if (!b.includes(l)) return false;
  return true;
}

/** Whether a[at..at+length) and b[bt..bt+length) hold the same labels. */
function equalRuns(a: readonly number[], at: number, b: readonly number[], bt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}
