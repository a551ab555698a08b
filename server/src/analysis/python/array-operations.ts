/**
 * Array operations by their shape functions, written once for the function form
 * (`np.sum(x, axis=1)`) and the method form (`x.sum(1)`): the call's arguments are those after
 * the array. numpy's and torch's differences (axis vs dim, squeeze, repeat, max) follow the family.
 */
import { indexShape } from '../shapes/indexing';
import { einopsResult } from '../shapes/patterns';
import {
  broadcast, concatenate, decomposition, dot, expand, flatten, insertAxis, matmul, matrixFunction, moveAxes, normalizeAxis,
  outer, permuteAxes, reduce, reshape, reverseAxes, solve, squeeze, stack, swapAxes, tensordot, tile, type Decomposition, type ReshapeTarget,
} from '../shapes/shape-functions';
import { constant, constantValue, multiplySizes, productOf } from '../shapes/sizes';
import { UNKNOWN, type DimValue, type ShapeValue, type Value } from '../shapes/values';
import { dimFrom, intConstant } from './abstract';
import type { LibraryCall } from './library-call';

export type Family = 'numpy' | 'torch';

/** Shape-keeping functions (elementwise, normalizations, in-place fills, dtype and device moves). */
export const SHAPE_KEEPING = new Set([
  'exp', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'abs', 'absolute', 'fabs', 'tanh', 'sinh', 'cosh', 'sin', 'cos', 'tan',
  'arcsin', 'arccos', 'arctan', 'asin', 'acos', 'atan', 'negative', 'neg', 'conj', 'conjugate', 'real', 'imag', 'sign', 'square', 'floor',
  'ceil', 'round', 'around', 'rint', 'trunc', 'reciprocal', 'exp2', 'isnan', 'isinf', 'isfinite', 'logical_not', 'nan_to_num', 'clip',
  'clamp', 'clamp_', 'clip_', 'relu', 'relu_', 'gelu', 'silu', 'sigmoid', 'softplus', 'elu', 'selu', 'leaky_relu', 'mish', 'hardtanh',
  'softmax', 'log_softmax', 'dropout', 'layer_norm', 'normalize', 'rms_norm', 'group_norm', 'batch_norm', 'cumsum', 'cumprod', 'logcumsumexp',
  'contiguous', 'float', 'double', 'half', 'bfloat16', 'int', 'long', 'bool', 'to', 'cuda', 'cpu', 'detach', 'detach_', 'clone', 'copy',
  'requires_grad_', 'type', 'astype', 'numpy', 'masked_fill', 'masked_fill_', 'fill_', 'zero_', 'normal_', 'uniform_', 'add_', 'sub_',
  'mul_', 'div_', 'copy_', 'triu', 'tril', 'flip', 'fliplr', 'flipud', 'roll', 'conj_physical', 'resolve_conj', 'angle', 'erf', 'erfc',
  'sort_values', 'pin_memory', 'share_memory_', 'block_until_ready', 'view_as_real_copy', 'stop_gradient', 'lax_stop_gradient', 'square_',
  'sqrt_', 'exp_', 'log_', 'tanh_', 'sigmoid_', 'abs_', 'neg_', 'reciprocal_', 'index_fill', 'index_fill_', 'scatter', 'scatter_', 'scatter_add',
  'nan_to_num_', 'renorm', 'softsign', 'tanhshrink', 'hardsigmoid', 'hardswish', 'logsigmoid', 'celu', 'threshold', 'fft', 'ifft', 'fftn', 'ifftn', 'fft2', 'ifft2',
]);

const BROADCASTING = new Set([
  'add', 'subtract', 'sub', 'multiply', 'mul', 'divide', 'div', 'true_divide', 'floor_divide', 'power', 'pow', 'maximum', 'minimum', 'fmax',
  'fmin', 'mod', 'remainder', 'fmod', 'arctan2', 'atan2', 'hypot', 'logical_and', 'logical_or', 'logical_xor', 'equal', 'not_equal', 'less',
  'greater', 'less_equal', 'greater_equal', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'heaviside', 'bitwise_and', 'bitwise_or', 'lerp', 'xlogy',
  'copysign', 'isclose', 'logaddexp',
]);

const REDUCTIONS = new Set([
  'sum', 'mean', 'prod', 'std', 'var', 'amax', 'amin', 'nansum', 'nanmean', 'nanstd', 'nanvar', 'nanmax', 'nanmin', 'argmax', 'argmin',
  'all', 'any', 'median', 'nanmedian', 'logsumexp', 'count_nonzero', 'ptp', 'average', 'norm', 'vector_norm', 'max', 'min', 'nanprod',
]);

/** `x.op(...)` / `lib.op(x, ...)`: the result, or null when the operation is not known. */
export function arrayOperation(call: LibraryCall, x: Value, name: string, family: Family): Value | null {
  if (SHAPE_KEEPING.has(name)) {
    if ((name === 'cumsum' || name === 'cumprod') && family === 'numpy' && !call.arg(0, 'axis')) return flattened(call, x);
    return call.same(x);
  }
  if (BROADCASTING.has(name)) return broadcastOf(call, [x, call.arg(0, 'other') ?? UNKNOWN]);
  if (REDUCTIONS.has(name)) return reduction(call, x, name, family);
  const shape = x.t === 'array' ? x.shape : x.t === 'int' || x.t === 'float' ? { dims: [] } : null;
  const library = x.t === 'array' ? (x.library ?? call.library) : call.library;
  const result = (s: ShapeValue | null): Value => call.result(s, library);
  // A reshape says the whole result shape, whatever the input's (but for `-1`).
  if (!shape && x.t === 'array' && (name === 'reshape' || name === 'view')) return result(reshapeTo(call, null));
  if (!shape) return x.t === 'array' ? (KNOWN_OPERATIONS.has(name) ? result(null) : null) : null;
  switch (name) {
    case 'reshape':
    case 'view':
    case 'resize':
      return result(reshapeTo(call, shape));
    case 'view_as':
    case 'reshape_as':
    case 'expand_as':
      return result(call.shape(0, 'other'));
    case 'transpose':
    case 'permute':
      return result(transposed(call, shape, name, family));
    case 'swapaxes':
    case 'swapdims': {
      const [a, b] = [call.int(0, 'axis1') ?? call.int(0, 'dim0'), call.int(1, 'axis2') ?? call.int(1, 'dim1')];
      return result(a !== null && b !== null ? swapAxes(shape, a, b) : null);
    }
    case 'moveaxis':
    case 'movedim': {
      const from = axisList(call.arg(0, 'source'));
      const to = axisList(call.arg(1, 'destination'));
      return result(from && to ? moveAxes(shape, from, to) : null);
    }
    case 't':
      return result(shape.dims.length <= 2 ? reverseAxes(shape) : null);
    case 'unsqueeze':
    case 'expand_dims': {
      const axes = axisList(call.arg(0, family === 'torch' ? 'dim' : 'axis'));
      if (!axes) return result(null);
      let out: ShapeValue | null = shape;
      for (const axis of [...axes].sort((a, b) => a - b)) out = out && insertAxis(out, axis, { size: constant(1), origin: call.origin });
      return result(out);
    }
    case 'squeeze': {
      const given = call.arg(0, family === 'torch' ? 'dim' : 'axis');
      const axes = given && given.t !== 'none' ? axisList(given) : null;
      if (given && given.t !== 'none' && !axes) return result(null);
      return result(squeeze(shape, axes, family === 'numpy'));
    }
    case 'flatten':
      if (family === 'numpy') return flattened(call, x);
      return flattenRange(call, shape, result);
    case 'ravel':
      return flattened(call, x);
    case 'expand':
    case 'broadcast_to':
      return result(expanded(call, shape, name));
    case 'repeat':
      return result(family === 'torch' ? tileBy(call, shape, 0) : repeated(call, shape));
    case 'tile':
      return result(tileBy(call, shape, 0));
    case 'matmul':
    case 'mm':
    case 'bmm':
    case '__matmul__': {
      const other = call.shape(0, 'other');
      return result(other ? matmul(shape, other, call.origin) : null);
    }
    case 'mv': {
      const other = call.shape(0, 'vec');
      return result(other ? matmul(shape, other, call.origin) : null);
    }
    case 'dot':
    case 'vdot':
    case 'inner': {
      const other = call.shape(0, 'b');
      if (!other) return result(null);
      if (name === 'vdot') return result({ dims: [] });
      if (name === 'inner') return result(shape.dims.length === 0 ? other : other.dims.length === 0 ? shape : { dims: [...shape.dims.slice(0, -1), ...other.dims.slice(0, -1)] });
      return result(family === 'torch' ? (shape.dims.length === 1 ? { dims: [] } : null) : dot(shape, other, call.origin));
    }
    case 'outer':
    case 'ger': {
      const other = call.shape(0, 'vec2');
      return result(other ? outer(shape, other, call.origin) : null);
    }
    case 'kron': {
      const other = call.shape(0, 'b');
      return result(other && other.dims.length === shape.dims.length ? { dims: shape.dims.map((d, i) => ({ size: multiplySizes(d.size, other.dims[i].size), origin: call.origin })) } : null);
    }
    case 'tensordot':
      return result(tensordotOf(call, shape));
    case 'diag':
    case 'diagonal':
      return result(diagonalOf(shape, name, call));
    case 'trace':
      return result(shape.dims.length === 2 ? { dims: [] } : null);
    case 'size':
      return sizeOf(call, shape);
    case 'numel':
      return { t: 'int', dim: { size: productOf(shape.dims.map((d) => d.size)), origin: call.origin } };
    case 'dim':
    case 'ndimension':
      return { t: 'int', dim: { size: constant(shape.dims.length), origin: call.origin } };
    case 'item':
      return UNKNOWN;
    case 'unbind':
    case 'unstack': {
      // The slices along one axis (0 by default), as a tuple as long as that size when it is known.
      const given = call.arg(0, family === 'torch' ? 'dim' : 'axis');
      const axis = given ? call.int(0, family === 'torch' ? 'dim' : 'axis') : 0;
      const at = axis === null ? null : normalizeAxis(axis, shape.dims.length);
      const count = at === null ? null : constantValue(shape.dims[at].size);
      if (at === null || count === null || count > MAX_UNBOUND) return null;
      const slice = result({ dims: shape.dims.filter((_, i) => i !== at) });
      return { t: 'tuple', items: Array.from({ length: count }, () => slice) };
    }
    case 'index_select': {
      const axis = call.int(0, 'dim');
      const index = call.shape(1, 'index');
      const at = axis === null ? null : normalizeAxis(axis, shape.dims.length);
      return result(at === null || index?.dims.length !== 1 ? null : { dims: shape.dims.map((d, i) => (i === at ? index.dims[0] : d)) });
    }
    case 'gather':
    case 'take_along_axis':
      return result(call.shape(family === 'torch' ? 1 : 0, family === 'torch' ? 'index' : 'indices'));
    case 'where':
      return broadcastOf(call, [x, call.arg(0) ?? UNKNOWN, call.arg(1) ?? UNKNOWN]);
    case 'new_zeros':
    case 'new_ones':
    case 'new_empty':
    case 'new_full':
      return call.result(shapeOrNull(call.sizes(0, 'size')), library);
    case 'svd':
    case 'eigh':
    case 'eig':
    case 'qr':
      return decompositionOf(call, shape, name, family, library);
    case 'inv':
    case 'pinv':
    case 'det':
    case 'cholesky':
      return result(matrixFunction(name, shape));
    case 'solve': {
      const b = call.shape(0, 'b') ?? call.shape(0, 'B');
      return result(b ? solve(shape, b, call.origin) : null);
    }
    default:
      return null;
  }
}

/** Operations whose result is an array even when nothing is known of its shape. */
/** The longest tuple `unbind` is followed into: past it, unpacking is of no help to a shape. */
const MAX_UNBOUND = 64;

const KNOWN_OPERATIONS = new Set(['reshape', 'view', 'transpose', 'permute', 'swapaxes', 'unsqueeze', 'squeeze', 'flatten', 'expand', 'repeat', 'matmul', 'mm', 'bmm', 'tile', 'ravel']);

function shapeOrNull(dims: DimValue[] | null): ShapeValue | null {
  return dims && { dims };
}

function axisList(value: Value | undefined): number[] | null {
  if (!value) return null;
  const single = intConstant(value);
  if (single !== null) return [single];
  if ((value.t === 'tuple' || value.t === 'list') && value.items) {
    const axes = value.items.map(intConstant);
    return axes.every((a): a is number => a !== null) ? axes : null;
  }
  return null;
}

function broadcastOf(call: LibraryCall, values: readonly Value[]): Value {
  const shapes = values.map((v) => (v.t === 'array' ? v.shape : v.t === 'int' || v.t === 'float' || v.t === 'bool' ? { dims: [] } : null));
  const library = values.find((v): v is Extract<Value, { t: 'array' }> => v.t === 'array')?.library ?? call.library;
  if (shapes.some((s) => s === null)) return call.result(null, library);
  return call.result(broadcast(shapes as ShapeValue[], call.origin), library);
}

function reduction(call: LibraryCall, x: Value, name: string, family: Family): Value {
  const shape = x.t === 'array' ? x.shape : null;
  const library = x.t === 'array' ? (x.library ?? call.library) : call.library;
  const axes = call.axes(0, 'axis', 'dim');
  const keep = call.flag(['keepdims', 'keepdim'], false);
  const other = call.arg(0);
  // torch.max(a, b) and np.maximum-style two-array forms are elementwise.
  if ((name === 'max' || name === 'min') && family === 'torch' && other?.t === 'array') return broadcastOf(call, [x, other]);
  if (!shape || axes === 'unknown' || keep === null) return call.result(null, library);
  const reduced = reduce(shape, axes, keep, call.origin);
  // torch's max/min/median along a dim return (values, indices).
  if (family === 'torch' && axes !== null && ['max', 'min', 'median', 'mode', 'kthvalue'].includes(name)) {
    return { t: 'tuple', items: [call.result(reduced, library), call.result(reduced, library)] };
  }
  return call.result(reduced, library);
}

/** `x` as one dimension of all its elements (numpy's `axis=None`). */
export function flattened(call: LibraryCall, x: Value): Value {
  const shape = x.t === 'array' ? x.shape : null;
  return call.result(shape ? { dims: [{ size: productOf(shape.dims.map((d) => d.size)), origin: call.origin }] } : null, x.t === 'array' ? x.library : call.library);
}

function flattenRange(call: LibraryCall, shape: ShapeValue, result: (s: ShapeValue | null) => Value): Value {
  const start = call.arg(0, 'start_dim') ? call.int(0, 'start_dim') : 0;
  const end = call.arg(1, 'end_dim') ? call.int(1, 'end_dim') : -1;
  return result(start === null || end === null ? null : flatten(shape, start, end, call.origin));
}

function reshapeTo(call: LibraryCall, shape: ShapeValue | null): ShapeValue | null {
  const given = call.args.keywords.get('shape') ?? call.args.keywords.get('newshape');
  const values = given ? [given] : call.args.positional;
  if (call.args.open || values.length === 0) return null;
  const items = values.length === 1 && (values[0].t === 'tuple' || values[0].t === 'list') ? (values[0].t === 'tuple' ? values[0].items : values[0].items) : values.length === 1 && values[0].t !== 'int' ? null : values;
  if (!items) return null;
  const targets: ReshapeTarget[] = items.map((item) => (intConstant(item) === -1 ? 'infer' : placed(dimFrom(item, call.origin, call.mint), call)));
  return reshape(shape, targets, call.origin);
}

function placed(dim: DimValue, call: LibraryCall): DimValue {
  return dim.origin.at === null && dim.origin.detail === 'literal' ? { size: dim.size, origin: call.origin } : dim;
}

function transposed(call: LibraryCall, shape: ShapeValue, name: string, family: Family): ShapeValue | null {
  const values = call.args.keywords.get('axes') ?? call.args.keywords.get('dims');
  const given = values ? [values] : call.args.positional;
  if (given.length === 0 || (given.length === 1 && given[0].t === 'none')) return name === 'transpose' ? reverseAxes(shape) : null;
  const axes = given.length === 1 ? axisList(given[0]) : given.map(intConstant);
  if (!axes || axes.some((a) => a === null)) return null;
  const numbers = axes as number[];
  if (name === 'transpose' && family === 'torch') return numbers.length === 2 ? swapAxes(shape, numbers[0], numbers[1]) : null;
  return permuteAxes(shape, numbers);
}

function expanded(call: LibraryCall, shape: ShapeValue, name: string): ShapeValue | null {
  const given = call.args.keywords.get('size') ?? call.args.keywords.get('shape');
  const values = given ? [given] : call.args.positional;
  const items = values.length === 1 && (values[0].t === 'tuple' || values[0].t === 'list') ? (values[0].t === 'tuple' ? values[0].items : values[0].items) : values;
  if (!items || call.args.open) return null;
  const targets: ReshapeTarget[] = items.map((item) => (intConstant(item) === -1 ? 'infer' : placed(dimFrom(item, call.origin, call.mint), call)));
  if (name === 'broadcast_to') return broadcast([shape, { dims: targets.map((t) => (t === 'infer' ? { size: null, origin: call.origin } : t)) }], call.origin);
  return expand(shape, targets);
}

/** torch `repeat(*reps)` / numpy `tile(x, reps)`. */
function tileBy(call: LibraryCall, shape: ShapeValue, from: number): ShapeValue | null {
  const reps = call.sizes(from, 'reps') ?? call.sizes(from, 'repeats');
  return reps ? tile(shape, reps, call.origin) : null;
}

/** numpy `repeat(x, k, axis=None)`: each element k times, along an axis or flattened. */
function repeated(call: LibraryCall, shape: ShapeValue): ShapeValue | null {
  const count = call.arg(0, 'repeats');
  if (!count || count.t !== 'int') return null;
  const axis = call.arg(1, 'axis');
  if (!axis || axis.t === 'none') return { dims: [{ size: multiplySizes(productOf(shape.dims.map((d) => d.size)), count.dim.size), origin: call.origin }] };
  const at = intConstant(axis);
  const index = at === null ? null : normalizeAxis(at, shape.dims.length);
  if (index === null) return null;
  return { dims: shape.dims.map((d, i) => (i === index ? { size: multiplySizes(d.size, count.dim.size), origin: call.origin } : d)) };
}

function tensordotOf(call: LibraryCall, shape: ShapeValue): ShapeValue | null {
  const other = call.shape(0, 'b');
  const axes = call.arg(1, 'axes') ?? call.arg(1, 'dims') ?? { t: 'int', dim: { size: constant(2), origin: call.origin } };
  if (!other) return null;
  const count = intConstant(axes);
  if (count !== null) return tensordot(shape, other, count);
  if ((axes.t === 'tuple' || axes.t === 'list') && axes.items?.length === 2) {
    const [left, right] = axes.items.map((a) => axisList(a));
    return left && right ? tensordot(shape, other, [left, right]) : null;
  }
  return null;
}

function diagonalOf(shape: ShapeValue, name: string, call: LibraryCall): ShapeValue | null {
  const offset = call.arg(0, 'k') ?? call.arg(0, 'offset') ?? call.arg(0, 'diagonal');
  const k = offset ? intConstant(offset) : 0;
  if (k === null) return null;
  if (name === 'diag' && shape.dims.length === 1) {
    const n = constantValue(shape.dims[0].size);
    const size = k === 0 ? shape.dims[0].size : n !== null ? constant(n + Math.abs(k)) : null;
    return { dims: [{ size, origin: call.origin }, { size, origin: call.origin }] };
  }
  if (shape.dims.length < 2) return null;
  const [m, n] = shape.dims.slice(-2).map((d) => constantValue(d.size));
  const same = k === 0 && shape.dims[shape.dims.length - 1].size !== null && JSON.stringify(shape.dims[shape.dims.length - 1].size) === JSON.stringify(shape.dims[shape.dims.length - 2].size);
  const length = same ? shape.dims[shape.dims.length - 1].size : m !== null && n !== null ? constant(Math.max(0, Math.min(k >= 0 ? m : m + k, k >= 0 ? n - k : n))) : null;
  if (name === 'diag' && shape.dims.length !== 2) return null;
  return { dims: [...shape.dims.slice(0, -2), { size: length, origin: call.origin }] };
}

function sizeOf(call: LibraryCall, shape: ShapeValue): Value {
  const axis = call.arg(0, 'dim');
  if (!axis) return { t: 'tuple', items: shape.dims.map((dim) => ({ t: 'int', dim })) };
  const at = intConstant(axis);
  const index = at === null ? null : normalizeAxis(at, shape.dims.length);
  return index === null ? { t: 'int', dim: { size: null, origin: call.origin } } : { t: 'int', dim: shape.dims[index] };
}

/** `svd`, `eigh`, `eig`, `qr` as methods or `linalg` functions: tuples of shapes. */
export function decompositionOf(call: LibraryCall, shape: ShapeValue, name: string, family: Family | 'torch-legacy', library = call.library): Value {
  let kind: Decomposition = name as Decomposition;
  if (name === 'svd') {
    const full = family === 'torch-legacy' ? !(call.flag(['some'], true) ?? true) : call.flag(['full_matrices'], true);
    if (full === null) return UNKNOWN;
    kind = family === 'torch-legacy' ? (full ? 'svd' : 'torch-svd') : full ? 'svd' : 'svd-reduced';
    const uv = call.flag(['compute_uv'], true);
    if (uv === false) return call.result(decomposition(shape, 'svdvals', call.origin)?.[0] ?? null, library);
  }
  if (name === 'qr') {
    const mode = call.arg(0, 'mode');
    if (mode && mode.t === 'str' && mode.value === 'complete') kind = 'qr-complete';
    else if (mode && !(mode.t === 'str' && mode.value === 'reduced')) return UNKNOWN;
  }
  if (name === 'eigvalsh' || name === 'eigvals' || name === 'svdvals') return call.result(decomposition(shape, name === 'svdvals' ? 'svdvals' : 'eigvals', call.origin)?.[0] ?? null, library);
  const shapes = decomposition(shape, kind, call.origin);
  return shapes ? { t: 'tuple', items: shapes.map((s) => call.result(s, library)) } : UNKNOWN;
}

/** `concatenate`/`cat`, `stack`, `hstack`, `vstack` of a sequence of arrays. */
export function joinArrays(call: LibraryCall, name: string, family: Family): Value {
  const sequence = call.arg(0, family === 'torch' ? 'tensors' : 'arrays');
  const items = sequence && (sequence.t === 'tuple' || sequence.t === 'list') ? (sequence.t === 'tuple' ? sequence.items : sequence.items) : null;
  const library = items?.find((i): i is Extract<Value, { t: 'array' }> => i.t === 'array')?.library ?? call.library;
  if (!items || items.length === 0) return call.result(null, library);
  const shapes = items.map((i) => (i.t === 'array' ? i.shape : null));
  if (shapes.some((s) => s === null)) return call.result(null, library);
  const known = shapes as ShapeValue[];
  const axis = call.arg(1, family === 'torch' ? 'dim' : 'axis');
  const at = axis ? intConstant(axis) : 0;
  if (axis?.t === 'none' && name !== 'stack') {
    return call.result({ dims: [{ size: productOf(known.map((s) => productOf(s.dims.map((d) => d.size)))), origin: call.origin }] }, library);
  }
  if (at === null) return call.result(null, library);
  switch (name) {
    case 'stack':
      return call.result(stack(known, at, call.origin), library);
    case 'hstack':
      return call.result(concatenate(known, known[0].dims.length === 1 ? 0 : 1, call.origin), library);
    case 'vstack':
    case 'row_stack':
      return call.result(concatenate(known.map((s) => (s.dims.length === 1 ? { dims: [{ size: constant(1), origin: call.origin }, ...s.dims] } : s)), 0, call.origin), library);
    default:
      return call.result(concatenate(known, at, call.origin), library);
  }
}

/** `einops.rearrange/repeat/reduce(x, pattern, **lengths)`. */
export function einopsOperation(call: LibraryCall, x: Value): Value {
  const pattern = call.arg(0, 'pattern');
  const library = x.t === 'array' ? x.library : null;
  if (pattern?.t !== 'str' || pattern.value === null) return call.result(null, library);
  const lengths = new Map<string, DimValue>();
  for (const [name, value] of call.args.keywords) if (name !== 'pattern' && name !== 'reduction') lengths.set(name, placed(dimFrom(value, call.origin, call.mint), call));
  const shape = x.t === 'array' ? x.shape : null;
  if (!shape && x.t !== 'unknown') return call.result(null, library);
  return call.result(einopsResult(pattern.value, shape, lengths, call.origin), library);
}

/** The index shape function, re-exported for methods such as `take`. */
export { indexShape };
