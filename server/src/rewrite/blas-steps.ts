/**
 * Pairwise numpy steps spelled as direct BLAS calls. A numpy call that passed `optimize=`
 * hands its BLAS-shaped steps to tensordot/matmul after planning the path on every call
 * (10-20 µs); a step written `np.tensordot` or `np.matmul` skips that planning and is as fast
 * or faster at the sizes measured, with pip's OpenBLAS and Debian's reference BLAS alike
 * (`npm run bench:dispatch`, BENCHMARKS.md). A call without `optimize=` keeps numpy's plain
 * loop: with the reference BLAS a BLAS call is up to 3x slower than that loop at large sizes,
 * and its rounding is not what the call computed.
 *
 * Only steps whose result is exactly what einsum computes are spelled so: two operands, each
 * label at most once per operand, every label of one operand alone kept (none summed from one
 * side), no `...`, floating or complex types, and every operand's shape equal to its labels'
 * sizes (einsum broadcasts a size-1 dimension, tensordot refuses it).
 *
 * `np.tensordot` converts its operands with `asarray` and copies them into BLAS's layout, so a
 * subclass (`np.matrix`) or a strided view gives what einsum gives, as fast. `np.matmul` costs
 * 5-8 µs less per call, but keeps a subclass (`np.matrix`, masked arrays) and, in numpy 1.24,
 * runs a strided view through a slow loop (6x on a 512 matrix); so it is written only for
 * operands known to be fresh C-ordered ndarrays: numpy's constructors and draws, or the
 * rewrite's own BLAS intermediates. It is the only spelling of a batched product.
 */
import type { ContractionSite, OperandInfo } from '../analysis/model';
import type { Dim } from '../core/contraction';
import { field, textOf, unwrap, type PyNode } from '../analysis/python/syntax';
import type { FixContext } from './context';
import type { StepNode } from './plan';

/** The contraction a rewrite writes and its operands: the site's own, or a fused chain's. */
interface Contracted {
  contraction: ContractionSite['contraction'];
  operands: readonly OperandInfo[];
}

export interface BlasDispatch {
  /** The numpy module as the call names it, with its dot: `np.`. */
  module: string;
  /** Per operand: known to be a fresh C-ordered plain ndarray, which `np.matmul` takes as fast as tensordot. */
  fresh: boolean[];
}

/** Functions of numpy that return a new plain ndarray, C-ordered unless told `order=`. */
const FRESH_CONSTRUCTORS = new Set(
  'ascontiguousarray zeros ones empty full arange linspace eye identity random.rand random.randn random.random random.random_sample random.standard_normal random.normal random.uniform'
    .split(' ')
    .map((name) => `numpy.${name}`),
);
/** `np.random.default_rng(...)` and `RandomState(...)`: their draws are fresh C-ordered ndarrays. */
const GENERATORS = new Set(['numpy.random.default_rng', 'numpy.random.RandomState', 'numpy.random.Generator']);
/** ndarray methods that, on a C-ordered array, return a C-ordered array of its class (`reshape` a view, the others a copy). */
const C_ORDER_METHODS = new Set('astype copy reshape conj'.split(' '));

/**
 * How the site's steps may dispatch to BLAS, or null where every step stays an einsum call:
 * only `numpy.einsum` calls that passed a truthy `optimize=`, under the module's own name, on
 * floating or complex operands.
 */
export function blasDispatch(context: FixContext, site: ContractionSite, contracted: Contracted = site): BlasDispatch | null {
  const optimize = site.options.optimize?.value;
  if (site.library !== 'numpy' || site.qualifiedName !== 'numpy.einsum' || optimize === undefined || optimize === null || optimize === false) return null;
  const module = numpyModule(context, site);
  const c = contracted.contraction;
  if (!module || !c || (c.ellipsisLabels?.length ?? 0) > 0) return null;
  const operands = contracted.operands.map((operand) => context.source.nodeAt(operand.range));
  const dtypes = operands.map((node) => node && context.source.dtypes().infer(node, 'numpy'));
  if (!dtypes.every((d) => d && (d.kind === 'float' || d.kind === 'complex'))) return null;
  // A size-1 dimension einsum broadcasts would reach tensordot, which refuses it, through every
  // intermediate it flows into: so every operand's shape must be its labels' sizes exactly.
  const exact = c.inputs.every((labels, k) => {
    const dims = contracted.operands[k]?.shape?.dims;
    return dims !== undefined && dims.length === labels.length && labels.every((label, p) => sameSize(dims[p], c.sizes[label]));
  });
  if (!exact) return null;
  const fresh = new FreshArrays(context);
  return { module, fresh: operands.map((node) => node !== null && fresh.is(node, 0)) };
}

/**
 * `np.` when the call is `np.einsum` with `np` the numpy module itself; null for a bare
 * `einsum`, a wrapper declared as numpy.einsum (`pyscf.lib.einsum`: its module has no
 * tensordot of numpy's), or anything else.
 */
function numpyModule(context: FixContext, site: ContractionSite): string | null {
  const call = context.source.nodeAt(site.range);
  const callee = call?.type === 'call' ? field(call, 'function') : null;
  const object = callee?.type === 'attribute' ? unwrap(field(callee, 'object')!) : null;
  if (!object || object.type !== 'identifier' || textOf(context.source.text, field(callee!, 'attribute')!) !== 'einsum') return null;
  return context.source.resolver().qualifiedName(object) === 'numpy' ? `${textOf(context.source.text, object)}.` : null;
}

function sameSize(dim: Dim, size: { value: number; symbol: string | null }): boolean {
  return size.symbol === null ? dim === size.value : dim === size.symbol;
}

/** A step written as a BLAS call; `fresh` when its result is a C-ordered ndarray (no transpose). */
export interface BlasCall {
  code: string;
  fresh: boolean;
}

/**
 * The step as `np.matmul(x, y)` (matmul's layout on fresh operands: a matrix or vector product,
 * or a batched one) or else `np.tensordot(x, y, axes=...)` (no label kept by both operands),
 * with `.transpose(...)` when the step's label order is not the call's natural one (only the
 * final result, whose order the call fixes); null where the step is not a plain BLAS
 * contraction. `fresh` says, per child, whether it is a fresh C-ordered ndarray. The operands
 * keep their order, so they are evaluated as in the einsum step.
 */
export function blasStep(dispatch: BlasDispatch, step: StepNode, args: readonly string[], fresh: readonly boolean[]): BlasCall | null {
  if (step.children.length !== 2 || !step.children.every((child) => new Set(child.labels).size === child.labels.length)) return null;
  const [a, b] = step.children.map((child) => child.labels);
  const kept = new Set(step.labels);
  const contracted = a.filter((l) => b.includes(l) && !kept.has(l));
  const batch = a.filter((l) => b.includes(l) && kept.has(l));
  const aFree = a.filter((l) => !b.includes(l));
  const bFree = b.filter((l) => !a.includes(l));
  // Every label of one side alone must be kept: one summed from one operand is not a product.
  if (contracted.length === 0 || ![...aFree, ...bFree].every((l) => kept.has(l)) || step.labels.length !== batch.length + aFree.length + bFree.length) return null;
  let code: string;
  const natural = [...batch, ...aFree, ...bFree];
  if (fresh.every(Boolean) && matmulLayout(a, b, batch, contracted, aFree, bFree)) {
    code = `${dispatch.module}matmul(${args[0]}, ${args[1]})`;
  } else if (batch.length === 0) {
    const axes = (labels: readonly number[]) => tuple(contracted.map((l) => labels.indexOf(l)));
    code = `${dispatch.module}tensordot(${args[0]}, ${args[1]}, axes=(${axes(a)}, ${axes(b)}))`;
  } else {
    return null;
  }
  if (sameOrder(step.labels, natural)) return { code, fresh: true };
  return { code: `${code}.transpose(${step.labels.map((l) => natural.indexOf(l)).join(', ')})`, fresh: false };
}

/**
 * `[...batch, m, k] @ [...batch, k, n]`, or without batch a matrix-vector or vector-matrix
 * product (`[m, k] @ [k]`, `[k] @ [k, n]`). Two vectors are left to tensordot: matmul returns
 * a numpy scalar there, not the 0-d array einsum returns; a batched operand must have both
 * matrix dimensions (matmul reads a 1-D operand as a vector, not a batch).
 */
function matmulLayout(a: number[], b: number[], batch: number[], contracted: number[], aFree: number[], bFree: number[]): boolean {
  if (contracted.length !== 1 || aFree.length > 1 || bFree.length > 1 || aFree.length + bFree.length === 0) return false;
  if (batch.length > 0 && (aFree.length === 0 || bFree.length === 0)) return false;
  return sameOrder(a, [...batch, ...aFree, contracted[0]]) && sameOrder(b, [...batch, contracted[0], ...bFree]);
}

function sameOrder(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((l, i) => l === y[i]);
}

function tuple(items: readonly number[]): string {
  return items.length === 1 ? String(items[0]) : `(${items.join(', ')})`;
}

/** Whether an expression is known to be a fresh C-ordered plain ndarray (not np.matrix, a masked array, a strided view). */
class FreshArrays {
  private readonly visiting = new Set<PyNode>();

  constructor(private readonly context: FixContext) {}

  is(expression: PyNode, depth: number): boolean {
    if (depth > 12) return false;
    const node = unwrap(expression);
    const resolver = this.context.source.resolver();
    if (node.type === 'identifier') {
      const binding = resolver.resolve(node);
      if (!binding || binding.kind === 'parameter' || this.visiting.has(node)) return false;
      const bindings = (binding.scope.bindings.get(binding.name) ?? []).filter((b) => b.kind !== 'delete');
      this.visiting.add(node);
      try {
        // `A += 1` keeps A's array; any other binding must be fresh too.
        return bindings.some((b) => b.kind !== 'augmented') && bindings.every((b) => b.kind === 'augmented' || ((b.kind === 'assign' || b.kind === 'walrus') && b.value !== null && !b.annotation && this.is(b.value, depth + 1)));
      } finally {
        this.visiting.delete(node);
      }
    }
    if (node.type !== 'call' || this.hasOrderKeyword(node)) return false;
    const callee = field(node, 'function');
    const qualified = resolver.qualifiedName(callee);
    if (qualified) return FRESH_CONSTRUCTORS.has(qualified);
    if (callee?.type !== 'attribute') return false;
    const receiver = field(callee, 'object')!;
    const method = textOf(this.context.source.text, field(callee, 'attribute')!);
    return C_ORDER_METHODS.has(method) ? this.is(receiver, depth + 1) : this.isGenerator(receiver, depth + 1);
  }

  /** `order='F'` (or any order=) may lay the array out otherwise. */
  private hasOrderKeyword(call: PyNode): boolean {
    const args = field(call, 'arguments');
    return (args?.children ?? []).some((a) => a.type === 'keyword_argument' && textOf(this.context.source.text, field(a, 'name') ?? a) === 'order');
  }

  /** `np.random.default_rng(0)`, directly or through a name bound only to such calls. */
  private isGenerator(expression: PyNode, depth: number): boolean {
    if (depth > 12) return false;
    const node = unwrap(expression);
    const resolver = this.context.source.resolver();
    if (node.type === 'call') return GENERATORS.has(resolver.qualifiedName(field(node, 'function')) ?? '');
    if (node.type !== 'identifier') return false;
    const binding = resolver.resolve(node);
    if (!binding || binding.kind === 'parameter') return false;
    const bindings = binding.scope.bindings.get(binding.name) ?? [];
    return bindings.length > 0 && bindings.every((b) => b.kind === 'assign' && b.value !== null && this.isGenerator(b.value, depth + 1));
  }
}

