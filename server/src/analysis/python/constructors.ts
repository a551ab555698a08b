/**
 * Array constructors of numpy, torch, jax and tensorflow by their real semantics: shape
 * arguments (an int, a tuple or list, `[n] * k`, `x.shape[1:]`, `size=`/`shape=`), `*_like`,
 * ranges, and `array`/`tensor` of nested lists (numpy stacks arrays; torch takes scalars).
 */
import type { Library } from '../model';
import { constant } from '../shapes/sizes';
import { stack } from '../shapes/shape-functions';
import { UNKNOWN, type DimValue, type ShapeValue, type Value } from '../shapes/values';
import type { LibraryCall } from './library-call';

const OBJECT_DTYPES = new Set(['object', "'O'", '"O"', "'object'", '"object"', 'np.object_', 'numpy.object_', 'np.dtype(object)', 'numpy.dtype(object)']);

/** Creates an array, or returns null when `name` is no constructor. */
export function construct(call: LibraryCall, family: 'numpy' | 'torch' | 'tensorflow', name: string): Value | null {
  // An array of Python objects: an element taken out of it may be an array of any shape
  // (pyscf keeps one block per k-point pair in `np.empty((nk, nk), dtype=object)`).
  if (family === 'numpy' && OBJECT_DTYPES.has(call.keywordText('dtype')?.replace(/\s/g, '') ?? '')) return UNKNOWN;
  const shaped = (dims: DimValue[] | null) => call.result(dims && { dims });
  switch (name) {
    case 'zeros':
    case 'ones':
    case 'empty':
      return shaped(family === 'torch' ? call.sizes(0, 'size') : call.shapeArgument(0, 'shape'));
    case 'full':
    case 'fill':
      return shaped(call.shapeArgument(0, family === 'torch' ? 'size' : family === 'tensorflow' ? 'dims' : 'shape'));
    case 'randn':
    case 'rand':
      return shaped(call.sizes(0, family === 'torch' ? 'size' : undefined));
    case 'zeros_like':
    case 'ones_like':
    case 'empty_like':
    case 'full_like':
    case 'rand_like':
    case 'randn_like':
    case 'randint_like':
      return call.args.keywords.has('shape') ? shaped(call.shapeArgument(-1, 'shape')) : call.same(call.arg(0, family === 'torch' ? 'input' : 'a'));
    case 'eye':
    case 'identity': {
      const n = call.size(0, 'N');
      const m = call.arg(1, 'M') ?? call.arg(-1, 'm');
      return shaped([n, m && m.t !== 'none' ? call.size(1, 'M') : n]);
    }
    case 'arange':
    case 'range':
      return rangeOf(call);
    case 'linspace':
    case 'logspace':
    case 'geomspace': {
      const num = call.arg(2, family === 'torch' ? 'steps' : 'num');
      return shaped([num ? call.size(2, family === 'torch' ? 'steps' : 'num') : { size: constant(50), origin: call.origin }]);
    }
    case 'randint':
      return family === 'torch' ? torchRandint(call) : null;
    case 'array':
    case 'asarray':
    case 'asanyarray':
    case 'ascontiguousarray':
    case 'tensor':
    case 'as_tensor':
    case 'constant':
    case 'convert_to_tensor':
    case 'Variable':
      return literal(call, name === 'tensor' || name === 'as_tensor' ? 'scalars' : 'stack');
    case 'from_numpy':
    case 'copy':
      return call.same(call.arg(0));
    default:
      return null;
  }
}

/** `arange(n)`, `arange(a, b, step)`: one dimension, sized when the bounds are constants. */
function rangeOf(call: LibraryCall): Value {
  const given = call.args.positional;
  if (call.args.open || given.length === 0) return call.result(null);
  if (given.length === 1 && given[0].t === 'int') return call.result({ dims: [call.size(0)] });
  const [start, stop, step] = [call.int(0), call.int(1), given.length > 2 ? call.int(2) : 1];
  const count = start !== null && stop !== null && step !== null && step !== 0 ? Math.max(0, Math.ceil((stop - start) / step)) : null;
  return call.result({ dims: [{ size: count === null ? null : constant(count), origin: call.origin }] });
}

/** `torch.randint(high, size)` / `torch.randint(low, high, size)`. */
function torchRandint(call: LibraryCall): Value {
  if (call.args.keywords.has('size')) return call.result(shapeOrNull(call.shapeArgument(-1, 'size')));
  const last = call.args.positional.length - 1;
  if (last < 1) return call.result(null);
  return call.result(shapeOrNull(call.shapeArgument(last)));
}

function shapeOrNull(dims: DimValue[] | null): ShapeValue | null {
  return dims && { dims };
}

/**
 * `np.array(data)`: nested lists of scalars, or (`stack`) of arrays of one shape. Null when an
 * element is neither a known scalar nor an array of known rank: its rank is not known.
 */
function literal(call: LibraryCall, mode: 'stack' | 'scalars'): Value {
  const data = call.arg(0, 'data') ?? call.arg(0, 'object') ?? call.arg(0, 'value');
  if (!data) return call.result(null);
  if (data.t === 'array') return call.same(data);
  if (data.t === 'int' || data.t === 'float' || data.t === 'bool') return call.result({ dims: [] });
  return call.result(nesting(data, mode, call));
}

function nesting(value: Value, mode: 'stack' | 'scalars', call: LibraryCall): ShapeValue | null {
  if (value.t === 'int' || value.t === 'float' || value.t === 'bool') return { dims: [] };
  if (value.t === 'array') return mode === 'stack' ? value.shape : null;
  const items = value.t === 'tuple' ? value.items : value.t === 'list' ? value.items : null;
  if (!items) return null;
  if (items.length === 0) return { dims: [{ size: constant(0), origin: call.origin }] };
  const inner = items.map((item) => nesting(item, mode, call));
  if (inner.some((s) => s === null)) return null;
  return stack(inner as ShapeValue[], 0, call.origin);
}

/** numpy's and jax's random functions: where each takes its `size`. */
export function randomArray(call: LibraryCall, name: string): Value | null {
  const sized = (position: number, keyword = 'size') => {
    const given = call.arg(position, keyword);
    if (!given || given.t === 'none') return call.result({ dims: [] });
    return call.result(shapeOrNull(call.shapeArgument(position, keyword)));
  };
  switch (name) {
    case 'rand':
    case 'randn':
      return call.result(shapeOrNull(call.sizes(0)));
    case 'random':
    case 'random_sample':
    case 'sample':
    case 'ranf':
    case 'standard_normal':
    case 'standard_exponential':
      return sized(0);
    case 'normal':
    case 'uniform':
    case 'lognormal':
    case 'laplace':
    case 'logistic':
    case 'gumbel':
    case 'randint':
    case 'integers':
    case 'binomial':
    case 'beta':
    case 'gamma':
      return sized(2);
    case 'choice':
    case 'poisson':
    case 'exponential':
    case 'standard_gamma':
    case 'chisquare':
      return sized(1);
    case 'permutation': {
      const n = call.arg(0, 'x');
      return n?.t === 'int' ? call.result({ dims: [n.dim] }) : call.same(n);
    }
    case 'seed':
    case 'shuffle':
      return { t: 'none' };
    default:
      return null;
  }
}

/** `jax.random.normal(key, shape)` and friends: the shape follows the key. */
export function jaxRandom(call: LibraryCall, name: string): Value | null {
  switch (name) {
    case 'PRNGKey':
    case 'key':
      return call.result({ dims: [{ size: constant(2), origin: call.origin }] });
    case 'split': {
      const num = call.arg(1, 'num');
      return call.result({ dims: [num ? call.size(1, 'num') : { size: constant(2), origin: call.origin }, { size: constant(2), origin: call.origin }] });
    }
    case 'normal':
    case 'uniform':
    case 'randint':
    case 'truncated_normal':
    case 'gumbel':
    case 'rademacher': {
      const position = name === 'truncated_normal' ? 3 : 1;
      const given = call.arg(position, 'shape');
      if (!given) return name === 'randint' || name === 'truncated_normal' ? call.result(null) : call.result({ dims: [] });
      return call.result(shapeOrNull(call.shapeArgument(position, 'shape')));
    }
    case 'bernoulli': {
      const given = call.arg(2, 'shape');
      return given ? call.result(shapeOrNull(call.shapeArgument(2, 'shape'))) : call.same(call.arg(1, 'p'));
    }
    default:
      return null;
  }
}

/** The library a dotted name belongs to. */
export function libraryOf(qualified: string): Library | null {
  switch (qualified.split('.')[0]) {
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
