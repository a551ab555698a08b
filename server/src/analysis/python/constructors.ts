/**
 * Library functions whose result shape can be read from their arguments, keyed by the dotted
 * name the callee resolves to.
 */
import { nameTable } from '../../core/name-table';
import type { Library } from '../model';

export type ShapeRule =
  /** `torch.randn(2, 3)`, `torch.randn((2, 3))`, `size=(2, 3)` */
  | { kind: 'variadic'; keyword: string }
  /** One shape argument (an int or a tuple) at `position` or under `keyword`. */
  | { kind: 'shape'; position: number; keyword: string }
  /** `eye(n)` or `eye(n, m)` */
  | { kind: 'eye' }
  /** `arange(n)`: one dimension of n */
  | { kind: 'range' }
  /** `zeros_like(x)`: the shape of the first argument */
  | { kind: 'like' }
  /** `Parameter(x)`, `relu(x)`: the first argument's shape, unchanged */
  | { kind: 'passthrough' }
  /**
   * `tensor([[1, 2], [3, 4]])`: the nesting of a literal, or the argument's shape; with `stacks`
   * (numpy's `array`), a list of arrays of one shape stacks them.
   */
  | { kind: 'literal'; stacks: boolean };

const variadic = (keyword = 'size'): ShapeRule => ({ kind: 'variadic', keyword });
const shapeAt = (position: number, keyword: string): ShapeRule => ({ kind: 'shape', position, keyword });
const EYE: ShapeRule = { kind: 'eye' };
const RANGE: ShapeRule = { kind: 'range' };
const LIKE: ShapeRule = { kind: 'like' };
const PASS: ShapeRule = { kind: 'passthrough' };
const LITERAL: ShapeRule = { kind: 'literal', stacks: false };
const STACKING_LITERAL: ShapeRule = { kind: 'literal', stacks: true };

const ARRAY_BASICS: Record<string, ShapeRule> = {
  zeros: shapeAt(0, 'shape'),
  ones: shapeAt(0, 'shape'),
  empty: shapeAt(0, 'shape'),
  full: shapeAt(0, 'shape'),
  eye: EYE,
  identity: EYE,
  arange: RANGE,
  zeros_like: LIKE,
  ones_like: LIKE,
  empty_like: LIKE,
  full_like: LIKE,
  array: STACKING_LITERAL,
  asarray: STACKING_LITERAL,
  copy: PASS,
};

const ELEMENTWISE = ['exp', 'log', 'tanh', 'abs', 'sqrt', 'sin', 'cos', 'negative', 'conj', 'real', 'sign', 'square'];

function table(prefix: string, entries: Record<string, ShapeRule>): [string, ShapeRule][] {
  return Object.entries(entries).map(([name, rule]) => [`${prefix}.${name}`, rule]);
}

function elementwise(prefix: string, names: string[]): [string, ShapeRule][] {
  return names.map((name) => [`${prefix}.${name}`, PASS]);
}

const RULES = new Map<string, ShapeRule>([
  ...table('torch', {
    randn: variadic(),
    rand: variadic(),
    zeros: variadic(),
    ones: variadic(),
    empty: variadic(),
    full: shapeAt(0, 'size'),
    randint: { kind: 'shape', position: -1, keyword: 'size' },
    eye: EYE,
    arange: RANGE,
    zeros_like: LIKE,
    ones_like: LIKE,
    rand_like: LIKE,
    randn_like: LIKE,
    empty_like: LIKE,
    full_like: LIKE,
    tensor: LITERAL,
    as_tensor: LITERAL,
    from_numpy: PASS,
  }),
  ['torch.nn.Parameter', PASS],
  ['torch.nn.parameter.Parameter', PASS],
  ...elementwise('torch', [...ELEMENTWISE, 'relu', 'sigmoid', 'softmax', 'log_softmax', 'dropout', 'neg', 'clone', 'detach']),
  ...elementwise('torch.nn.functional', ['relu', 'gelu', 'silu', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'dropout', 'normalize', 'layer_norm', 'elu', 'leaky_relu']),
  ...table('numpy', ARRAY_BASICS),
  ...table('numpy.random', {
    randn: variadic(),
    rand: variadic(),
    random: shapeAt(0, 'size'),
    random_sample: shapeAt(0, 'size'),
    standard_normal: shapeAt(0, 'size'),
    sample: shapeAt(0, 'size'),
    normal: shapeAt(2, 'size'),
    uniform: shapeAt(2, 'size'),
    randint: shapeAt(2, 'size'),
  }),
  ...elementwise('numpy', ELEMENTWISE),
  ...table('jax.numpy', ARRAY_BASICS),
  ...elementwise('jax.numpy', ELEMENTWISE),
  ...elementwise('jax.nn', ['relu', 'gelu', 'silu', 'sigmoid', 'softmax', 'log_softmax']),
  ...table('jax.random', { normal: shapeAt(1, 'shape'), uniform: shapeAt(1, 'shape'), randint: shapeAt(1, 'shape') }),
  ...table('tensorflow', {
    zeros: shapeAt(0, 'shape'),
    ones: shapeAt(0, 'shape'),
    fill: shapeAt(0, 'dims'),
    eye: EYE,
    range: RANGE,
    zeros_like: LIKE,
    ones_like: LIKE,
    constant: LITERAL,
    convert_to_tensor: LITERAL,
    Variable: PASS,
  }),
  ...table('tensorflow.random', { normal: shapeAt(0, 'shape'), uniform: shapeAt(0, 'shape') }),
  ...elementwise('tensorflow', ['exp', 'tanh', 'sigmoid', 'abs', 'sqrt']),
  ...elementwise('tensorflow.nn', ['relu', 'gelu', 'softmax', 'log_softmax', 'sigmoid', 'dropout']),
]);

/** Methods of numpy's `Generator` (`rng = np.random.default_rng()`). */
export const GENERATOR_METHODS = nameTable<ShapeRule>({
  standard_normal: shapeAt(0, 'size'),
  random: shapeAt(0, 'size'),
  normal: shapeAt(2, 'size'),
  uniform: shapeAt(2, 'size'),
  integers: shapeAt(2, 'size'),
});

/** Tensor methods that keep the shape. */
export const SHAPE_KEEPING_METHODS = new Set([
  'contiguous',
  'float',
  'double',
  'half',
  'bfloat16',
  'to',
  'cuda',
  'cpu',
  'detach',
  'clone',
  'copy',
  'requires_grad_',
  'type',
  'astype',
  'numpy',
  'relu',
  'sigmoid',
  'tanh',
  'exp',
  'softmax',
  'log_softmax',
  'abs',
  'neg',
  'sqrt',
  'conj',
]);

export function shapeRule(qualified: string): ShapeRule | null {
  return RULES.get(qualified) ?? null;
}

/** The library a dotted name belongs to. */
export function libraryOf(qualified: string): Library | null {
  const root = qualified.split('.')[0];
  switch (root) {
    case 'torch':
      return 'torch';
    case 'numpy':
      return 'numpy';
    case 'jax':
      return 'jax';
    case 'tensorflow':
      return 'tensorflow';
    default:
      return null;
  }
}
