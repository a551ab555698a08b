/**
 * The models a measurement runs. As written: each call one Einsum node over its operands in
 * source order (onnxruntime contracts them left to right), scalars applied where the source
 * applies them; a matmul chain (`a @ b @ c`) as MatMul nodes in its written order. Optimized:
 * one node per path step (Einsum, or MatMul with transposes where a step is GEMM-like), the
 * combined scalar applied once to the smallest tensor on the way.
 */
import type { Contraction } from '../core/contraction';
import { costOfPath, leftToRightPath, type PathCost } from '../core/cost';
import type { LinearPath } from '../core/paths/types';
import { emitEinsum, emitScale, type LabeledValue } from './emit-einsum';
import { emitMatmulStep } from './emit-matmul';
import { GraphBuilder, elementCount } from './graph-builder';
import { combinedScalar, inputShapes, type MeasureProblem, type OperandSource } from './problem';
import { inputName } from './protocol';

export type VariantKind = 'as-written' | 'einsum' | 'matmul';

export interface ModelVariant {
  kind: VariantKind;
  /** One line: what the model does. */
  description: string;
  model: Uint8Array;
  /** Op types of the nodes, in order. */
  nodes: string[];
  /** opt_einsum FLOPs of the contraction steps the model runs (scalar multiplications not included). */
  flops: bigint;
  /** Elements multiplied by scalar factors. */
  scalarMultiplies: bigint;
  /** Elements of every buffer the model allocates (node outputs and Einsum's own intermediates). */
  allocatedElements: number;
  /** Pairwise steps run as MatMul/Transpose/Reshape (none in an Einsum model). */
  loweredSteps: number;
}

export function buildAsWritten(problem: MeasureProblem): ModelVariant {
  if (problem.writtenPath) {
    const chain = buildPairwise(problem, problem.writtenPath, { lowerToMatmul: true, foldScalars: false });
    const steps = problem.writtenPath.length;
    return { ...chain, kind: 'as-written', description: `${steps} MatMul step${steps === 1 ? '' : 's'} in the written order` };
  }
  const g = new GraphBuilder('as_written');
  const leaves = leafInputs(g, problem);
  let scalarMultiplies = 0n;
  const scaled = (source: OperandSource, value: LabeledValue): LabeledValue => {
    let current = value;
    for (const s of problem.scalars.filter((f) => f.on.kind === source.kind && f.on.index === source.index)) {
      current = emitScale(g, current, s.value, s.operation);
      scalarMultiplies += BigInt(elementCount(current.shape));
    }
    return current;
  };
  const scaledLeaves = leaves.map((leaf, index) => scaled({ kind: 'input', index }, leaf));
  const results: LabeledValue[] = [];
  let flops = 0n;
  problem.calls.forEach((call, k) => {
    const c = call.contraction;
    const operands = call.operands.map((source, i) => {
      const value = source.kind === 'input' ? scaledLeaves[source.index] : results[source.index];
      // Each call names dimensions with its own label ids; relabel the value accordingly.
      return { ...value, labels: c.inputs[i] };
    });
    const leftToRight = costOfPath(c, leftToRightPath(c.inputs.length));
    flops += leftToRight.flops;
    const internal = Number(leftToRight.steps.slice(0, -1).reduce((sum, s) => sum + s.resultSize, 0n));
    const result = emitEinsum(g, operands, c.output, sizesOf(c), internal);
    results.push(scaled({ kind: 'call', index: k }, result));
  });
  g.output(results[results.length - 1]);
  const calls = problem.calls.length;
  const description =
    calls === 1
      ? `one Einsum node, operands in source order (onnxruntime contracts left to right)`
      : `${calls} Einsum nodes as the source chains them, each contracting left to right`;
  return variant(g, 'as-written', description, flops, scalarMultiplies, 0);
}

/**
 * The fused contraction along `path`: Einsum nodes, or with `lowerToMatmul` MatMul /
 * Transpose / Reshape for every GEMM-like pairwise step (Einsum for the rest).
 */
export function buildOptimized(problem: MeasureProblem, path: LinearPath, lowerToMatmul: boolean): ModelVariant {
  return buildPairwise(problem, path, { lowerToMatmul, foldScalars: true });
}

/**
 * One node (or MatMul group) per path step. `foldScalars` applies the product of the scalar
 * factors once, to the smallest tensor on the way; otherwise each factor goes where the source
 * puts it (an input, or the result).
 */
function buildPairwise(problem: MeasureProblem, path: LinearPath, options: { lowerToMatmul: boolean; foldScalars: boolean }): ModelVariant {
  const { lowerToMatmul, foldScalars } = options;
  const c = problem.fused;
  const sizes = sizesOf(c);
  const cost = costOfPath(c, path);
  const g = new GraphBuilder(lowerToMatmul ? 'pairwise_matmul' : 'pairwise_einsum');
  const factor = combinedScalar(problem.scalars);
  const folded = foldScalars && problem.scalars.length > 0 && factor !== 1 ? smallestTensor(c, cost) : null;
  const lastStep = cost.steps.length - 1;
  let scalarMultiplies = 0n;
  const scale = (value: LabeledValue, where: ScaleTarget): LabeledValue => {
    let current = value;
    const factors = foldScalars
      ? folded && folded.kind === where.kind && folded.index === where.index
        ? [{ value: factor, operation: 'multiply' as const }]
        : []
      : problem.scalars.filter((s) => (s.on.kind === 'input' ? where.kind === 'input' && s.on.index === where.index : where.kind === 'step' && where.index === lastStep));
    for (const f of factors) {
      current = emitScale(g, current, f.value, f.operation);
      scalarMultiplies += BigInt(elementCount(current.shape));
    }
    return current;
  };
  const live = leafInputs(g, problem).map((leaf, index) => scale(leaf, { kind: 'input', index }));
  let lowered = 0;
  cost.steps.forEach((step, t) => {
    const taken = [...step.positions].sort((x, y) => y - x).map((p) => live.splice(p, 1)[0]);
    let result: LabeledValue | null = null;
    if (lowerToMatmul && taken.length === 2) {
      result = emitMatmulStep(g, taken[0], taken[1], step.result, t === lastStep, sizes);
      if (result) lowered++;
    }
    result ??= emitEinsum(g, taken, step.result, sizes);
    live.push(scale(result, { kind: 'step', index: t }));
  });
  g.output(live[0]);
  const steps = cost.steps.length;
  const where = folded ? `, scalar ${factor} applied once to the ${folded.kind === 'input' ? `input ${folded.index}` : `result of step ${folded.index + 1}`}` : '';
  const description = lowerToMatmul
    ? `${steps} pairwise step${steps === 1 ? '' : 's'} in path order, ${lowered} as MatMul/Transpose/Reshape, ${steps - lowered} as Einsum${where}`
    : `${steps} Einsum node${steps === 1 ? '' : 's'} in path order${where}`;
  return variant(g, lowerToMatmul ? 'matmul' : 'einsum', description, cost.flops, scalarMultiplies, lowered);
}

type ScaleTarget = { kind: 'input' | 'step'; index: number };

/** The smallest tensor the computation passes through: the cheapest place for one multiplication. */
function smallestTensor(c: Contraction, cost: PathCost): ScaleTarget {
  let best: ScaleTarget = { kind: 'step', index: cost.steps.length - 1 };
  let bestSize = cost.steps[cost.steps.length - 1].resultSize;
  c.inputs.forEach((term, index) => {
    const size = term.reduce((product, l) => product * BigInt(c.sizes[l].value), 1n);
    if (size < bestSize) [best, bestSize] = [{ kind: 'input', index }, size];
  });
  cost.steps.forEach((step, index) => {
    if (step.resultSize < bestSize) [best, bestSize] = [{ kind: 'step', index }, step.resultSize];
  });
  return best;
}

function leafInputs(g: GraphBuilder, problem: MeasureProblem): LabeledValue[] {
  return inputShapes(problem).map((shape, index) => ({ ...g.input(inputName(index), shape), labels: problem.fused.inputs[index] }));
}

function sizesOf(c: Contraction): number[] {
  return c.sizes.map((s) => s.value);
}

function variant(
  g: GraphBuilder,
  kind: VariantKind,
  description: string,
  flops: bigint,
  scalarMultiplies: bigint,
  loweredSteps: number,
): ModelVariant {
  return {
    kind,
    description,
    model: g.encode(`einsight measure: ${kind} (${description})`),
    nodes: g.opTypes,
    flops,
    scalarMultiplies,
    allocatedElements: g.allocatedElements,
    loweredSteps,
  };
}
