/**
 * Einsum and scaling nodes over labeled values. onnxruntime's Einsum reads ASCII letters only,
 * so each node gets its own letters, assigned in order of appearance: label names (`batch`,
 * ellipsis dimensions `…0`) never reach the model.
 */
import { MeasureError } from './problem';
import { elementCount, type GraphBuilder, type GraphValue } from './graph-builder';

/**
 * A graph value holding a tensor over the contraction's label ids, in order. Its `shape` may
 * be a flattened form of the labels' sizes (a MatMul result, [M, N]): `natural` restores it.
 */
export interface LabeledValue extends GraphValue {
  labels: number[];
}

/** The value shaped as its labels say, one dimension per label (a Reshape when it is not). */
export function natural(g: GraphBuilder, value: LabeledValue, sizes: readonly number[]): LabeledValue {
  const shape = value.labels.map((l) => sizes[l]);
  if (shape.length === value.shape.length && shape.every((d, i) => d === value.shape[i])) return value;
  return { ...g.node('Reshape', [value.name, g.int64Constant(shape)], shape), labels: value.labels };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `[[0,1],[1,2]] → [0,2]` as `ab,bc->ac`. */
export function einsumEquation(operands: readonly (readonly number[])[], result: readonly number[]): string {
  const letters = new Map<number, string>();
  const letterOf = (label: number): string => {
    let letter = letters.get(label);
    if (letter === undefined) {
      if (letters.size === LETTERS.length) {
        throw new MeasureError('invalid', `one einsum node would need more than ${LETTERS.length} distinct labels, onnxruntime's limit`);
      }
      letter = LETTERS[letters.size];
      letters.set(label, letter);
    }
    return letter;
  };
  const terms = operands.map((term) => term.map(letterOf).join(''));
  return `${terms.join(',')}->${result.map(letterOf).join('')}`;
}

/** One Einsum node; `internalElements` is what the kernel allocates on the way (see GraphBuilder.node). */
export function emitEinsum(
  g: GraphBuilder,
  operands: readonly LabeledValue[],
  result: number[],
  sizes: readonly number[],
  internalElements = 0,
): LabeledValue {
  const equation = einsumEquation(
    operands.map((o) => o.labels),
    result,
  );
  const shape = result.map((label) => sizes[label]);
  // onnxruntime's Einsum permutes each operand into its own layout first: a copy of each.
  const permutedCopies = operands.reduce((sum, o) => sum + elementCount(o.shape), 0);
  const value = g.node(
    'Einsum',
    operands.map((o) => natural(g, o, sizes).name),
    shape,
    { equation },
    internalElements + permutedCopies,
  );
  return { ...value, labels: result };
}

/** `value * factor` (or `value / factor`), as a Mul or Div by a constant scalar. */
export function emitScale(g: GraphBuilder, value: LabeledValue, factor: number, operation: 'multiply' | 'divide'): LabeledValue {
  const constant = g.floatScalar(factor);
  const scaled = g.node(operation === 'divide' ? 'Div' : 'Mul', [value.name, constant], value.shape);
  return { ...scaled, labels: value.labels };
}
