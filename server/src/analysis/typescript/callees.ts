/** Which imported functions are contraction sites, shape constructors or scalings in tfjs. */
import { nameTable } from '../../core/name-table';
import type { ImportedName } from './names';

/** The packages that export the tfjs ops (`tf.einsum`, `tf.matMul`, …). */
export const TFJS_MODULES: ReadonlySet<string> = new Set([
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
]);

/** The tfjs op an imported name is (`einsum` for `tf.einsum`), or null. */
export function tfjsOp(name: ImportedName | null): string | null {
  return name && TFJS_MODULES.has(name.module) && name.path.length === 1 ? name.path[0] : null;
}

/** An `einsum` exported by a module the user listed (`einsight.typescript.einsumModules`). */
export function isUserEinsum(name: ImportedName | null, modules: readonly string[]): boolean {
  return name !== null && modules.includes(name.module) && name.path.length === 1 && name.path[0] === 'einsum';
}

/** `tf.matMul(a, b)` and `tf.dot(a, b)`; methods `a.matMul(b)`, `a.dot(b)`. */
export const MATMUL_OPS: ReadonlySet<string> = new Set(['matMul', 'dot']);

/** Scalings a constant factor commutes with: `tf.mul(x, 2)`, `x.div(8)`. */
export const SCALE_OPS = nameTable<'multiply' | 'divide'>({ mul: 'multiply', div: 'divide', realDiv: 'divide' });

/** Ops a scalar factor passes through unchanged. */
export const COMMUTING_OPS: ReadonlySet<string> = new Set(['transpose']);

/** Ops and methods that return a tensor of their input's shape. */
export const SHAPE_KEEPING_OPS: ReadonlySet<string> = new Set([
  'clone',
  'variable',
  'abs',
  'neg',
  'exp',
  'log',
  'sqrt',
  'square',
  'relu',
  'sigmoid',
  'tanh',
  'cast',
  'toFloat',
  'toInt',
  'softmax',
  'logSoftmax',
  'round',
  'sign',
]);

/** Constructors taking the shape as their first argument: `tf.zeros([2, 3])`. */
export const SHAPE_FIRST_CONSTRUCTORS: ReadonlySet<string> = new Set([
  'zeros',
  'ones',
  'fill',
  'randomNormal',
  'randomUniform',
  'randomStandardNormal',
  'truncatedNormal',
  'randomGamma',
]);

/** `tf.tensor2d(data, shape?)` and friends: the rank each fixes (`tensor` has any rank). */
export const TENSOR_CONSTRUCTORS = nameTable<number | null>({
  tensor: null,
  tensor1d: 1,
  tensor2d: 2,
  tensor3d: 3,
  tensor4d: 4,
  tensor5d: 5,
  tensor6d: 6,
});
