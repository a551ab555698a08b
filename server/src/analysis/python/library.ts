/**
 * Library calls by dotted name: numpy (and jax.numpy), torch, jax.random, einops, tensorflow's
 * basics, math, builtins, and methods of arrays, lists, dicts and numpy generators.
 */
import { constant, constantValue, productOf } from '../shapes/sizes';
import { FLOAT, sameValue, UNKNOWN, type Value } from '../shapes/values';
import type { Library } from '../model';
import { arrayOperation, decompositionOf, einopsOperation, flattened, joinArrays, type Family } from './array-operations';
import { callBuiltin, containerMethod } from './builtins';
import type { Args } from './calls';
import { construct, jaxRandom, randomArray } from './constructors';
import type { Env, Frame } from './frame';
import { LibraryCall } from './library-call';
import { isModuleName, MODULE_LOADERS, moduleKeyword } from './resolve';
import type { ShapeAnalysis } from './shape-analysis';
import { callTorchModule, torchModule } from './torch-modules';
import type { PyNode } from './syntax';

interface Route {
  family: Family | 'random' | 'jax-random' | 'linalg' | 'torch-nn' | 'einops' | 'math' | 'tensorflow';
  library: Library | null;
  name: string;
}

const ROUTES: [prefix: string, family: Route['family'], library: Library | null][] = [
  ['numpy.random.', 'random', 'numpy'],
  ['numpy.linalg.', 'linalg', 'numpy'],
  ['numpy.', 'numpy', 'numpy'],
  ['jax.numpy.linalg.', 'linalg', 'jax'],
  ['jax.numpy.', 'numpy', 'jax'],
  ['jax.random.', 'jax-random', 'jax'],
  ['jax.nn.', 'numpy', 'jax'],
  ['jax.lax.', 'numpy', 'jax'],
  ['torch.nn.functional.', 'torch', 'torch'],
  ['torch.linalg.', 'linalg', 'torch'],
  ['torch.nn.', 'torch-nn', 'torch'],
  ['torch.special.', 'torch', 'torch'],
  ['torch.', 'torch', 'torch'],
  ['einops.', 'einops', null],
  ['math.', 'math', null],
  ['tensorflow.random.', 'tensorflow', 'tensorflow'],
  ['tensorflow.linalg.', 'tensorflow', 'tensorflow'],
  ['tensorflow.math.', 'tensorflow', 'tensorflow'],
  ['tensorflow.nn.', 'tensorflow', 'tensorflow'],
  ['tensorflow.', 'tensorflow', 'tensorflow'],
];

function route(name: string): Route | null {
  for (const [prefix, family, library] of ROUTES) {
    if (name.startsWith(prefix)) return { family, library, name: name.slice(prefix.length) };
  }
  return null;
}

/** The value a library call returns, or null when the function is not known. */
export function callLibrary(analysis: ShapeAnalysis, frame: Frame, env: Env, name: string, self: Value | null, args: Args, node: PyNode): Value | null {
  if (name.startsWith('builtins.')) return callBuiltin(analysis, frame, env, name.slice('builtins.'.length), args, node);
  if (name.startsWith('<array>.')) {
    const array = self?.t === 'array' ? self : null;
    if (!array) return null;
    const call = new LibraryCall(analysis, frame, env, node, args, array, array.library);
    const method = name.slice('<array>.'.length);
    if (array.library === 'torch') return arrayOperation(call, array, method, 'torch') ?? unknownArray(array);
    if (array.library === 'numpy' || array.library === 'jax') return arrayOperation(call, array, method, 'numpy') ?? unknownArray(array);
    return eitherLibrary(call, array, method);
  }
  if (name.startsWith('<')) return containerMethod(new LibraryCall(analysis, frame, env, node, args, self, null), name);
  if (name.startsWith('numpy.random.Generator.')) return randomArray(new LibraryCall(analysis, frame, env, node, args, self, 'numpy'), name.slice('numpy.random.Generator.'.length));
  if (name === 'numpy.random.default_rng' || name === 'numpy.random.RandomState') {
    return { t: 'object', cls: analysis.library('numpy.random.Generator'), exact: true, fields: new Map() };
  }
  if (MODULE_LOADERS.has(name)) return loadedModule(analysis, name, args);
  if (name.startsWith('torch.nn.Module.')) return torchModuleMethod(new LibraryCall(analysis, frame, env, node, args, self, 'torch'), name.slice('torch.nn.Module.'.length));
  const found = route(name);
  if (!found) return null;
  const call = new LibraryCall(analysis, frame, env, node, args, self, found.library);
  switch (found.family) {
    case 'numpy':
    case 'torch':
      return functionForm(call, found.name, found.family);
    case 'random':
      return randomArray(call, found.name);
    case 'jax-random':
      return jaxRandom(call, found.name);
    case 'linalg':
      return linalg(call, found.name, found.library === 'torch' ? 'torch' : 'numpy');
    case 'torch-nn':
      return torchModule(call, found.name);
    case 'einops':
      return ['rearrange', 'repeat', 'reduce'].includes(found.name) ? einopsOperation(withoutFirst(call), call.arg(0, 'tensor') ?? UNKNOWN) : null;
    case 'math':
      return mathFunction(call, found.name);
    case 'tensorflow':
      return tensorflowFunction(call, found.name);
  }
}

/**
 * `np = pytest.importorskip("numpy")`, `importlib.import_module("numpy")`: the module named, as
 * `import numpy as np` binds it (a dotted name gives that submodule itself). A name not written
 * as a literal is unknown.
 */
function loadedModule(analysis: ShapeAnalysis, loader: string, args: Args): Value {
  const named = args.positional[0] ?? args.keywords.get(moduleKeyword(loader));
  if (named?.t !== 'str' || named.value === null || !isModuleName(named.value)) return UNKNOWN;
  const project = analysis.program.moduleNamed(named.value);
  return { t: 'ref', ref: project ? project.reference : analysis.library(named.value) };
}

function unknownArray(array: Extract<Value, { t: 'array' }>): Value {
  return { t: 'array', shape: null, library: array.library };
}

/**
 * A method of an array whose library is not known (a hinted parameter): what numpy and torch
 * agree on; where only one of them has the method, what that one does.
 */
function eitherLibrary(call: LibraryCall, array: Extract<Value, { t: 'array' }>, method: string): Value | null {
  const torch = arrayOperation(call, array, method, 'torch');
  const numpy = arrayOperation(call, array, method, 'numpy');
  if (!torch || !numpy) return torch ?? numpy;
  return sameValue(torch, numpy) ? torch : torch.t === 'array' ? unknownArray(array) : UNKNOWN;
}

/** A call whose first argument is the array: the rest are the operation's arguments. */
function withoutFirst(call: LibraryCall): LibraryCall {
  const args: Args = { ...call.args, positional: call.args.positional.slice(1) };
  for (const key of ['a', 'input', 'x', 'tensor', 'arr', 'array', 'A']) {
    if (call.args.positional.length === 0 && call.args.keywords.has(key)) {
      const keywords = new Map(call.args.keywords);
      keywords.delete(key);
      return new LibraryCall(call.analysis, call.frame, call.env, call.node, { ...args, keywords }, call.self, call.library);
    }
  }
  return new LibraryCall(call.analysis, call.frame, call.env, call.node, args, call.self, call.library);
}

function firstArray(call: LibraryCall): Value {
  if (call.args.positional.length > 0) return call.args.positional[0];
  for (const key of ['a', 'input', 'x', 'tensor', 'arr', 'array', 'A']) if (call.args.keywords.has(key)) return call.args.keywords.get(key)!;
  return UNKNOWN;
}

function functionForm(call: LibraryCall, name: string, family: Family): Value | null {
  const made = construct(call, family === 'torch' ? 'torch' : 'numpy', name);
  if (made) return made;
  switch (name) {
    case 'concatenate':
    case 'concat':
    case 'cat':
    case 'stack':
    case 'hstack':
    case 'vstack':
    case 'row_stack':
      return joinArrays(call, name, family);
    case 'where':
      if (call.args.positional.length === 1) return UNKNOWN;
      break;
    case 'svd':
    case 'qr':
    case 'eig':
    case 'eigh': {
      const shape = call.shape(0, 'input');
      return shape ? decompositionOf(withoutFirst(call), shape, name, family === 'torch' && name === 'svd' ? 'torch-legacy' : family) : UNKNOWN;
    }
    case 'linear': {
      const [x, w] = [call.shape(0, 'input'), call.shape(1, 'weight')];
      return call.result(x && w && x.dims.length >= 1 && w.dims.length === 2 ? { dims: [...x.dims.slice(0, -1), w.dims[0]] } : null);
    }
    case 'embedding': {
      const [index, w] = [call.shape(0, 'input'), call.shape(1, 'weight')];
      return call.result(index && w?.dims.length === 2 ? { dims: [...index.dims, w.dims[1]] } : null);
    }
    case 'one_hot': {
      const index = call.shape(0, 'tensor') ?? call.shape(0, 'x');
      const classes = call.arg(1, 'num_classes');
      return call.result(index && classes ? { dims: [...index.dims, call.size(1, 'num_classes')] } : null);
    }
    case 'scaled_dot_product_attention': {
      const [q, v] = [call.shape(0, 'query'), call.shape(2, 'value')];
      return call.result(q && v && q.dims.length >= 1 && v.dims.length >= 1 ? { dims: [...q.dims.slice(0, -1), v.dims[v.dims.length - 1]] } : null);
    }
    case 'load':
    case 'loadtxt':
    case 'genfromtxt':
    case 'fromfile':
    case 'frombuffer':
      // An array read at run time: of unknown shape, but an array.
      return family === 'numpy' ? call.result(null) : UNKNOWN;
    case 'sort':
    case 'argsort':
      // numpy's only: torch.sort gives (values, indices); the method `x.sort()` sorts in place.
      if (family === 'numpy') return sortedAlong(call);
      break;
    case 'einsum_path':
    case 'nonzero':
    case 'unique':
    case 'split':
    case 'chunk':
    case 'pad':
      return UNKNOWN;
  }
  const x = firstArray(call);
  return arrayOperation(withoutFirst(call), x, name, family);
}

/** `np.sort(a, axis=-1)` / `np.argsort`: a's shape along any one axis; `axis=None` sorts the flattened array. */
function sortedAlong(call: LibraryCall): Value {
  const x = firstArray(call);
  if (x.t !== 'array') return UNKNOWN;
  const axis = call.arg(1, 'axis');
  if (axis === undefined || axis.t === 'int') return call.same(x);
  return axis.t === 'none' ? flattened(call, x) : call.result(null, x.library);
}

function linalg(call: LibraryCall, name: string, family: Family): Value | null {
  const shape = call.shape(0, family === 'torch' ? 'A' : 'a');
  const rest = withoutFirst(call);
  if (['svd', 'eigh', 'eig', 'qr', 'eigvalsh', 'eigvals', 'svdvals'].includes(name)) return shape ? decompositionOf(rest, shape, name, family) : UNKNOWN;
  if (name === 'norm' || name === 'vector_norm' || name === 'matrix_norm') {
    if (name === 'matrix_norm' && shape) return call.result({ dims: shape.dims.slice(0, -2) });
    const hasAxes = call.args.keywords.has('axis') || call.args.keywords.has('dim') || call.args.positional.length > 2;
    if (name === 'norm' && !hasAxes && family === 'numpy') return call.result({ dims: [] });
    return arrayOperation(rest, firstArray(call), 'norm', family);
  }
  if (name === 'multi_dot') return UNKNOWN;
  if (name === 'slogdet') return shape ? { t: 'tuple', items: [call.result({ dims: shape.dims.slice(0, -2) }), call.result({ dims: shape.dims.slice(0, -2) })] } : UNKNOWN;
  if (name === 'matrix_power' || name === 'expm' || name === 'matrix_exp') return call.same(call.arg(0));
  return arrayOperation(rest, firstArray(call), name, family);
}

function mathFunction(call: LibraryCall, name: string): Value | null {
  switch (name) {
    case 'prod': {
      const iterable = call.arg(0);
      const items = iterable && (iterable.t === 'tuple' || iterable.t === 'list') ? (iterable.t === 'tuple' ? iterable.items : iterable.items) : null;
      if (!items || !items.every((i) => i.t === 'int')) return UNKNOWN;
      return { t: 'int', dim: { size: productOf(items.map((i) => (i.t === 'int' ? i.dim.size : null))), origin: call.origin } };
    }
    case 'ceil':
    case 'floor':
    case 'trunc': {
      const x = call.arg(0);
      return x?.t === 'int' ? x : { t: 'int', dim: { size: null, origin: call.origin } };
    }
    case 'gcd':
    case 'lcm':
    case 'isqrt':
    case 'comb':
    case 'perm':
    case 'factorial': {
      const values = call.args.positional.map((v) => (v.t === 'int' ? constantValue(v.dim.size) : null));
      if (name === 'isqrt' && values[0] != null) return { t: 'int', dim: { size: constant(Math.floor(Math.sqrt(values[0]))), origin: call.origin } };
      return { t: 'int', dim: { size: null, origin: call.origin } };
    }
    default:
      return FLOAT;
  }
}

function tensorflowFunction(call: LibraryCall, name: string): Value | null {
  const made = construct(call, 'tensorflow', name);
  if (made) return made;
  if (name === 'normal' || name === 'uniform' || name === 'truncated_normal') return call.result(call.shapeArgument(0, 'shape') && { dims: call.shapeArgument(0, 'shape')! });
  if (name === 'matmul') return arrayOperation(withoutFirst(call), firstArray(call), 'matmul', 'numpy');
  if (name === 'transpose') {
    const perm = call.arg(1, 'perm');
    const rest = withoutFirst(call);
    return perm ? arrayOperation(new LibraryCall(call.analysis, call.frame, call.env, call.node, { ...rest.args, positional: [perm], keywords: new Map() }, null, call.library), firstArray(call), 'transpose', 'numpy') : arrayOperation(rest, firstArray(call), 'transpose', 'numpy');
  }
  if (name === 'reshape') return arrayOperation(withoutFirst(call), firstArray(call), 'reshape', 'numpy');
  return null;
}

/** Methods every torch module inherits: `register_buffer`/`register_parameter` set an attribute. */
function torchModuleMethod(call: LibraryCall, name: string): Value | null {
  if ((name === 'register_buffer' || name === 'register_parameter') && call.self?.t === 'object') {
    const attribute = call.arg(0, 'name');
    const value = call.arg(1, name === 'register_buffer' ? 'tensor' : 'param');
    if (attribute?.t === 'str' && attribute.value !== null && value) {
      const fields = new Map(call.self.fields);
      fields.set(attribute.value, value);
      call.updateReceiver({ ...call.self, fields });
    }
    return { t: 'none' };
  }
  if (['to', 'cuda', 'cpu', 'train', 'eval', 'float', 'double', 'half', 'requires_grad_'].includes(name)) return call.self ?? UNKNOWN;
  return null;
}

export { callTorchModule as callLibraryObject };
