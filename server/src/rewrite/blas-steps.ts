/**
 * Pairwise numpy steps spelled as direct BLAS calls. A numpy call that passed `optimize=`
 * hands its BLAS-shaped steps to tensordot/matmul after planning the path on every call
 * (10-20 µs); a step written `np.tensordot` or `np.matmul` skips that planning and is as fast
 * or faster at every size measured, with pip's OpenBLAS and Debian's reference BLAS alike
 * (`npm run bench:dispatch`, BENCHMARKS.md). A call without `optimize=` keeps numpy's plain
 * loop: with the reference BLAS a BLAS call is up to 3x slower than that loop at large sizes,
 * and its rounding is not what the call computed.
 *
 * Only steps whose result is exactly what einsum computes are spelled so: two operands, each
 * label at most once per operand, every label of one operand alone kept (none summed from one
 * side), no `...`, floating or complex types, and every operand's shape equal to its labels'
 * sizes (einsum broadcasts a size-1 dimension, tensordot refuses it). `np.tensordot` converts its
 * operands with `asarray`, so a subclass (`np.matrix`) gives the plain ndarray einsum gives;
 * `np.matmul` keeps the subclass, so a batched step uses it only on operands known to be plain
 * ndarrays (numpy's constructors, or intermediates of the rewrite). Everything else stays an
 * einsum step with `optimize=True`.
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
  /** Per operand: known to be a plain ndarray, so `np.matmul` returns one too. */
  plainArray: boolean[];
}

/** Functions of numpy that return a new, plain ndarray whatever their arguments. */
const PLAIN_CONSTRUCTORS = new Set(
  'array asarray ascontiguousarray zeros ones empty full arange linspace eye identity einsum tensordot random.rand random.randn random.random random.random_sample random.standard_normal random.normal random.uniform'
    .split(' ')
    .map((name) => `numpy.${name}`),
);
/** `np.random.default_rng(...)` and `RandomState(...)` draws: plain ndarrays. */
const GENERATORS = new Set(['numpy.random.default_rng', 'numpy.random.RandomState', 'numpy.random.Generator']);
/** ndarray methods that return an array of the receiver's own class. */
const SAME_CLASS_METHODS = new Set('astype copy reshape transpose swapaxes conj ravel squeeze'.split(' '));

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
  const plain = new PlainArrays(context);
  return { module, plainArray: operands.map((node) => node !== null && plain.is(node, 0)) };
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

/**
 * The step as `np.tensordot(x, y, axes=...)` (no label kept by both operands) or `np.matmul(x, y)`
 * (a batched matrix product in matmul's layout), with `.transpose(...)` when the step's label order
 * is not the call's natural one (only the final result, whose order the call fixes); null where
 * the step is not a plain BLAS contraction. The operands keep their order, so their evaluation
 * order is the einsum step's.
 */
export function blasStep(dispatch: BlasDispatch, step: StepNode, args: readonly string[]): string | null {
  if (step.children.length !== 2 || !step.children.every((child) => new Set(child.labels).size === child.labels.length)) return null;
  const [a, b] = step.children.map((child) => child.labels);
  const kept = new Set(step.labels);
  const contracted = a.filter((l) => b.includes(l) && !kept.has(l));
  const batch = a.filter((l) => b.includes(l) && kept.has(l));
  const aFree = a.filter((l) => !b.includes(l));
  const bFree = b.filter((l) => !a.includes(l));
  // Every label of one side alone must be kept: one summed from one operand is not a product.
  if (contracted.length === 0 || ![...aFree, ...bFree].every((l) => kept.has(l)) || step.labels.length !== batch.length + aFree.length + bFree.length) return null;
  let call: string;
  let natural: number[];
  if (batch.length === 0) {
    const axes = (labels: readonly number[]) => tuple(contracted.map((l) => labels.indexOf(l)));
    call = `${dispatch.module}tensordot(${args[0]}, ${args[1]}, axes=(${axes(a)}, ${axes(b)}))`;
    natural = [...aFree, ...bFree];
  } else {
    const plain = step.children.every((child) => child.kind === 'step' || dispatch.plainArray[child.operand]);
    const matmulLayout =
      contracted.length === 1 &&
      aFree.length === 1 &&
      bFree.length === 1 &&
      sameOrder(a, [...batch, aFree[0], contracted[0]]) &&
      sameOrder(b, [...batch, contracted[0], bFree[0]]);
    if (!plain || !matmulLayout) return null;
    call = `${dispatch.module}matmul(${args[0]}, ${args[1]})`;
    natural = [...batch, aFree[0], bFree[0]];
  }
  return sameOrder(step.labels, natural) ? call : `${call}.transpose(${step.labels.map((l) => natural.indexOf(l)).join(', ')})`;
}

function sameOrder(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((l, i) => l === y[i]);
}

function tuple(items: readonly number[]): string {
  return items.length === 1 ? String(items[0]) : `(${items.join(', ')})`;
}

/** Whether an expression is known to be a plain ndarray (not np.matrix, a masked array, …). */
class PlainArrays {
  private readonly visiting = new Set<PyNode>();

  constructor(private readonly context: FixContext) {}

  is(expression: PyNode, depth: number): boolean {
    if (depth > 12) return false;
    const node = unwrap(expression);
    const resolver = this.context.source.resolver();
    switch (node.type) {
      case 'identifier': {
        const binding = resolver.resolve(node);
        if (!binding || binding.kind === 'parameter' || this.visiting.has(node)) return false;
        const bindings = (binding.scope.bindings.get(binding.name) ?? []).filter((b) => b.kind !== 'augmented' && b.kind !== 'delete');
        this.visiting.add(node);
        try {
          return bindings.length > 0 && bindings.every((b) => (b.kind === 'assign' || b.kind === 'walrus') && b.value !== null && !b.annotation && this.is(b.value, depth + 1));
        } finally {
          this.visiting.delete(node);
        }
      }
      case 'subscript':
        return this.is(field(node, 'value')!, depth + 1);
      case 'attribute':
        return textOf(this.context.source.text, field(node, 'attribute')!) === 'T' && this.is(field(node, 'object')!, depth + 1);
      case 'call': {
        const callee = field(node, 'function');
        const qualified = resolver.qualifiedName(callee);
        if (qualified) return PLAIN_CONSTRUCTORS.has(qualified);
        if (callee?.type !== 'attribute') return false;
        const receiver = field(callee, 'object')!;
        const method = textOf(this.context.source.text, field(callee, 'attribute')!);
        return SAME_CLASS_METHODS.has(method) ? this.is(receiver, depth + 1) : this.isGenerator(receiver, depth + 1);
      }
      default:
        return false;
    }
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

