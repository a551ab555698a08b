/** The calls that are contraction sites, by the dotted name their callee resolves to. */
import { nameTable } from '../../core/name-table';
import type { Library } from '../model';

export type EinsumStyle =
  /** `einsum(equation, *operands)` or numpy's interleaved `einsum(a, [0, 1], b, [1, 2])` */
  | 'equation-first'
  /** `einops.einsum(*operands, pattern)` */
  | 'pattern-last'
  /** `opt_einsum.contract_expression(equation, *shapes)` */
  | 'expression';

export interface EinsumCallee {
  library: Library;
  style: EinsumStyle;
  /** Keyword arguments that change the path: `optimize`, `memory_limit`. */
  options: readonly string[];
}

const EINSUM_CALLEES = nameTable<EinsumCallee>({
  'torch.einsum': { library: 'torch', style: 'equation-first', options: [] },
  'torch.functional.einsum': { library: 'torch', style: 'equation-first', options: [] },
  'numpy.einsum': { library: 'numpy', style: 'equation-first', options: ['optimize'] },
  'jax.numpy.einsum': { library: 'jax', style: 'equation-first', options: ['optimize'] },
  'tensorflow.einsum': { library: 'tensorflow', style: 'equation-first', options: ['optimize'] },
  'tensorflow.linalg.einsum': { library: 'tensorflow', style: 'equation-first', options: ['optimize'] },
  'opt_einsum.contract': { library: 'opt_einsum', style: 'equation-first', options: ['optimize', 'memory_limit'] },
  'opt_einsum.contract_expression': { library: 'opt_einsum', style: 'expression', options: ['optimize', 'memory_limit'] },
  'einops.einsum': { library: 'einops', style: 'pattern-last', options: [] },
});

const MATMUL_FUNCTIONS = new Set([
  'torch.matmul',
  'torch.mm',
  'torch.bmm',
  'numpy.matmul',
  'numpy.dot',
  'jax.numpy.matmul',
  'jax.numpy.dot',
  'tensorflow.matmul',
  'tensorflow.linalg.matmul',
]);

/** Tensor methods that multiply matrices: `a.matmul(b)`, `a.dot(b)`. */
export const MATMUL_METHODS = new Set(['matmul', 'mm', 'bmm', 'dot']);

export function einsumCallee(qualified: string | null): EinsumCallee | null {
  return (qualified !== null && EINSUM_CALLEES.get(qualified)) || null;
}

export function isMatmulFunction(qualified: string | null): boolean {
  return qualified !== null && MATMUL_FUNCTIONS.has(qualified);
}

/** `torch.functional.einsum` is `torch.einsum`: one name per function in reports. */
export function canonicalName(qualified: string): string {
  return qualified === 'torch.functional.einsum' ? 'torch.einsum' : qualified === 'tensorflow.linalg.einsum' ? 'tensorflow.einsum' : qualified;
}
