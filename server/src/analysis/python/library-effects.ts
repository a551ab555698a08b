/**
 * What array-library functions and array methods do to their arguments, for the mutation
 * analysis: most compute a new array and touch nothing else; some return a view of an argument;
 * some write an argument in place (`out=`, the `*_` methods, `np.copyto`); some keep their
 * arguments or call back into user code (optimizers, modules, `np.vectorize`), which makes them
 * as unknown as any user function.
 */

const ARRAY_LIBRARIES = ['numpy.', 'torch.', 'jax.', 'tensorflow.', 'math.', 'opt_einsum.', 'einops.'];

/** Library functions that keep their arguments or run user code: unknown, like a user function. */
const NOT_PURE = [
  'torch.optim.',
  'torch.nn.',
  'torch.utils.',
  'torch.autograd.',
  'torch.distributed.',
  'torch.jit.',
  'torch.func.',
  'torch.vmap',
  'torch.compile',
  'torch.library.',
  'numpy.vectorize',
  'numpy.frompyfunc',
  'numpy.apply_along_axis',
  'numpy.apply_over_axes',
  'numpy.nditer',
  'numpy.piecewise',
  'jax.lax.',
  'tensorflow.Variable',
  'tensorflow.function',
];
/** ...except the functional namespaces, which are plain functions of their inputs. */
const PURE_INSIDE = ['torch.nn.functional.'];

/** Functions that write their first argument in place. */
const MUTATORS = new Set([
  'numpy.copyto',
  'numpy.put',
  'numpy.place',
  'numpy.putmask',
  'numpy.fill_diagonal',
  'numpy.put_along_axis',
  'numpy.random.shuffle',
]);

/** Functions whose result may share memory with an argument. */
const VIEW_FUNCTIONS = new Set(
  [
    'asarray asanyarray ascontiguousarray asfortranarray asarray_chkfinite reshape ravel transpose squeeze expand_dims moveaxis',
    'rollaxis swapaxes broadcast_to broadcast_arrays atleast_1d atleast_2d atleast_3d diagonal real imag split array_split',
    'hsplit vsplit dsplit as_tensor from_numpy view_as_real view_as_complex narrow select unbind chunk t permute flatten',
    'unsqueeze movedim swapdims detach tensor_split unflatten',
  ]
    .join(' ')
    .split(' '),
);

/** Builtins that neither write their arguments nor call code of the user's (without `key=`). */
export const PURE_BUILTINS = new Set(
  'len range print isinstance issubclass int float complex bool str repr abs round min max sum any all zip enumerate list tuple dict set frozenset sorted reversed divmod pow hash id type format hex oct bin chr ord'.split(' '),
);

/** Methods that write the object they are called on. */
const MUTATING_METHODS = new Set(
  'sort fill resize put itemset setfield setflags partition byteswap append extend insert remove pop clear reverse update setdefault add discard popitem'.split(' '),
);
/** Methods that store their arguments in the object (a list or dict now holding them). */
const STORING_METHODS = new Set('append extend insert update setdefault add'.split(' '));

/** Array methods that write nothing and return a new value (or a view: see `VIEW_METHODS`). */
export const FRESH_METHODS = new Set(
  [
    'copy clone sum mean prod std var max min amax amin argmax argmin any all norm item tolist dot matmul mm bmm mv outer',
    'abs exp log sqrt sin cos tanh sigmoid relu softmax log_softmax cumsum cumprod round clip clamp sign neg sub mul div',
    'pow eq ne lt le gt ge isnan isfinite nonzero argsort repeat tile flip roll masked_fill where gather index_select trace',
    'dim size numel nelement count index astype conj sum_to_size new_zeros new_ones new_empty new_full new_tensor',
  ]
    .join(' ')
    .split(' '),
);
/** Array methods that write nothing but may return the array itself or a view of it. */
export const VIEW_METHODS = new Set(
  'reshape view view_as transpose permute swapaxes swapdims movedim moveaxis squeeze unsqueeze flatten ravel expand expand_as narrow select unbind split chunk t diagonal detach contiguous to type type_as float double half bfloat16 int long bool cpu cuda numpy get keys values items'.split(
    ' ',
  ),
);

/** A library function that only reads its arguments (its result is new or a view). */
export function isKnownPure(qualified: string): boolean {
  if (!ARRAY_LIBRARIES.some((prefix) => qualified.startsWith(prefix))) return false;
  if (NOT_PURE.some((prefix) => qualified.startsWith(prefix)) && !PURE_INSIDE.some((prefix) => qualified.startsWith(prefix))) return false;
  return mutatedArgument(qualified) === null;
}

export function isViewFunction(qualified: string): boolean {
  return VIEW_FUNCTIONS.has(qualified.slice(qualified.lastIndexOf('.') + 1));
}

/** The positional argument a library function writes in place (`out=` aside), or null. */
export function mutatedArgument(qualified: string): number | null {
  const name = qualified.slice(qualified.lastIndexOf('.') + 1);
  // `torch.nn.init.normal_`, `np.add.at`: in place on their first argument.
  if (name.endsWith('_') && !name.startsWith('_')) return 0;
  if (MUTATORS.has(qualified) || (qualified.startsWith('numpy.') && name === 'at')) return 0;
  return null;
}

export function mutatesReceiver(method: string): boolean {
  return (method.endsWith('_') && !method.startsWith('_')) || MUTATING_METHODS.has(method);
}

export function storesArguments(method: string): boolean {
  return STORING_METHODS.has(method);
}
