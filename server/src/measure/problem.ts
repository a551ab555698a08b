/**
 * What a measurement runs: the computation as written (one or more einsum calls, as a chain
 * feeds one into the next, with scalar factors where the source applies them) and the same
 * computation as one contraction over the leaf inputs, which the optimized model orders.
 */
import type { Contraction } from '../core/contraction';
import { formatEquation } from '../core/equation';
import type { LinearPath, OptimizerName } from '../core/paths/types';
import { ELLIPSIS_SIZE } from '../analysis/pricing';

export type MeasureErrorCode = 'missing-sizes' | 'invalid' | 'memory' | 'cancelled' | 'timeout' | 'runtime';

/** A refusal or failure with a message meant for the user; `missingDims` lists sizes to ask for. */
export class MeasureError extends Error {
  constructor(
    readonly code: MeasureErrorCode,
    message: string,
    readonly missingDims: string[] = [],
  ) {
    super(message);
    this.name = 'MeasureError';
  }
}

/** An operand of a call: a leaf input of the whole computation, or an earlier call's result. */
export type OperandSource = { kind: 'input'; index: number } | { kind: 'call'; index: number };

export interface WrittenCall {
  contraction: Contraction;
  operands: OperandSource[];
}

export interface ScalarFactor {
  value: number;
  operation: 'multiply' | 'divide';
  /** The tensor the source scales: a leaf input, or a call's result. */
  on: OperandSource;
}

export interface MeasureProblem {
  /** One line naming what is measured, e.g. the equation or `chain of 2 calls`. */
  title: string;
  /** The whole computation as one contraction over the leaf inputs (a chain fused). */
  fused: Contraction;
  /** The calls as the source runs them, in order; the last one's result is the answer. */
  calls: WrittenCall[];
  scalars: ScalarFactor[];
  /**
   * For a matmul chain (`a @ b @ c`): the order the source multiplies in. As written then runs
   * the fused contraction pairwise along it (MatMul nodes) instead of as one Einsum.
   */
  writtenPath?: LinearPath;
  /** The path to run optimized (the editor's best path); searched when absent. */
  path?: LinearPath;
  optimizer?: OptimizerName;
}

/** A single einsum call, optionally with scalar factors on its operands or result. */
export function problemFromContraction(c: Contraction, scalars: ScalarFactor[] = []): MeasureProblem {
  const operands: OperandSource[] = c.inputs.map((_, index) => ({ kind: 'input', index }));
  return { title: formatEquation(c), fused: c, calls: [{ contraction: c, operands }], scalars };
}

/** Shape of each leaf input, from the fused contraction's sizes. */
export function inputShapes(problem: MeasureProblem): number[][] {
  return problem.fused.inputs.map((term) => term.map((label) => problem.fused.sizes[label].value));
}

function callOutputShape(call: WrittenCall): number[] {
  return call.contraction.output.map((label) => call.contraction.sizes[label].value);
}

/** The product of the scalar factors, as one multiplication applies it. */
export function combinedScalar(scalars: readonly ScalarFactor[]): number {
  return scalars.reduce((product, s) => (s.operation === 'divide' ? product / s.value : product * s.value), 1);
}

/**
 * Refuses what cannot run: symbolic sizes (named in `missingDims`), empty dimensions, and
 * calls whose operand shapes do not match what feeds them.
 */
export function checkProblem(problem: MeasureProblem): void {
  const contractions = [problem.fused, ...problem.calls.map((call) => call.contraction)];
  const missing = new Set<string>();
  for (const c of contractions) {
    c.sizes.forEach((size, label) => {
      if (size.symbol !== null) missing.add(size.symbol);
      else if (size.value === 0) {
        throw new MeasureError('invalid', `label '${c.labels[label]}' has size 0: there is nothing to measure`);
      }
    });
  }
  // No size given in --dims can say how many dimensions `...` covers: only a shape can.
  if (missing.has(ELLIPSIS_SIZE)) {
    throw new MeasureError('invalid', "measuring needs the shape of each operand with '...' (a shape hint such as '# einsight: x[B, N, D]'): how many dimensions '...' covers is not known");
  }
  if (missing.size > 0) {
    const names = [...missing];
    throw new MeasureError('missing-sizes', `measuring needs concrete sizes; give ${names.map((n) => `${n}=…`).join(', ')} (--dims)`, names);
  }
  if (problem.calls.length === 0) throw new MeasureError('invalid', 'nothing to measure: no einsum call');
  const leaves = inputShapes(problem);
  problem.calls.forEach((call, k) => {
    if (call.operands.length !== call.contraction.inputs.length) {
      throw new MeasureError('invalid', `call ${k + 1} has ${call.operands.length} operands for ${call.contraction.inputs.length} terms`);
    }
    call.operands.forEach((source, i) => {
      const fed = source.kind === 'input' ? leaves[source.index] : callOutputShape(problem.calls[source.index]);
      const wanted = call.contraction.inputs[i].map((label) => call.contraction.sizes[label].value);
      if (fed === undefined || (source.kind === 'call' && source.index >= k)) {
        throw new MeasureError('invalid', `call ${k + 1}, operand ${i}: its source is not computed before it`);
      }
      if (fed.join('x') !== wanted.join('x')) {
        throw new MeasureError(
          'invalid',
          `call ${k + 1} (${formatEquation(call.contraction)}), operand ${i}: shape ${wanted.join('x') || 'scalar'} but it is fed ${fed.join('x') || 'a scalar'}`,
        );
      }
    });
  });
  for (const s of problem.scalars) {
    if (!Number.isFinite(s.value) || (s.operation === 'divide' && s.value === 0)) {
      throw new MeasureError('invalid', `scalar factor ${s.operation === 'divide' ? '1/' : ''}${s.value} is not a finite number`);
    }
  }
}
