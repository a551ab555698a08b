/**
 * What each library really does with a contraction, as a path to price: the baseline every
 * finding is measured against. Language-neutral: front ends only name the library and the
 * options written at the call.
 */
import type { Contraction } from '../core/contraction';
import { costOfPath, leftToRightPath, naiveCost, sizeProduct, toPathProblem, type NaiveCost, type PathCost } from '../core/cost';
import { optEinsumAutoChoice, optimizePath } from '../core/paths/index';
import { OPTIMIZERS, type LinearPath, type MemoryLimit, type OptimizerName } from '../core/paths/types';
import { pathOfTree } from './matmul';
import type { AnalysisOptions, Baseline, BaselineMethod, CostSummary, Library, SiteOptions, SiteSyntax } from './model';

export interface BaselineSpec {
  method: BaselineMethod;
  optimizer: OptimizerName | null;
  /** `numpy` stands for numpy's limit: the largest of the inputs and the output. */
  memoryLimit: MemoryLimit | 'numpy';
  path: LinearPath | null;
  description: string;
  perCallSearch: boolean;
}

export interface BaselineEnvironment {
  torchUsesOptEinsum: boolean;
  /** torch's version where known: before 1.13 torch.einsum never searched a path. */
  torchVersion: string | null;
}

/**
 * What the libraries will find: an explicit `torchUsesOptEinsum` wins, else the environment
 * (interpreter asked, or dependencies declared); a file importing opt_einsum proves it installed.
 */
export function baselineEnvironment(options: AnalysisOptions, importsOptEinsum: boolean): BaselineEnvironment {
  const environment = options.environment;
  const torchVersion = environment?.versions.torch ?? null;
  const listed = options.torchUsesOptEinsum ?? environment?.optEinsum ?? false;
  return { torchUsesOptEinsum: torchSearchesPaths(torchVersion) && (listed || importsOptEinsum), torchVersion };
}

/** torch ≥ 1.13 (torch.backends.opt_einsum); an unknown version is taken as recent. */
function torchSearchesPaths(version: string | null): boolean {
  const match = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 13);
}

const LIBRARY_CALL: Record<Library, string> = {
  numpy: 'numpy.einsum',
  torch: 'torch.einsum',
  jax: 'jax.numpy.einsum',
  tensorflow: 'tf.einsum',
  opt_einsum: 'opt_einsum.contract',
  einops: 'einops.einsum',
  tfjs: 'tf.einsum (tfjs)',
  unknown: 'einsum',
};

/** How the site's library orders a contraction of `n` operands, given the options at the call. */
export function baselineSpec(site: SiteSyntax, n: number, env: BaselineEnvironment): BaselineSpec {
  if (site.kind === 'matmul-chain') {
    const written = spec('written-order', null, 'the parenthesization written (matrix products run in that order)', false);
    return { ...written, path: site.matmulTree === null ? leftToRightPath(n) : pathOfTree(site.matmulTree, n) };
  }
  const optimize = site.options.optimize?.value;
  const via = site.qualifiedName === 'einops.einsum' ? `einops.einsum (on ${site.library})` : LIBRARY_CALL[site.library];
  switch (site.library) {
    case 'numpy':
      if (optimize === undefined || optimize === false) return spec('naive', null, `${via} without optimize runs one loop over every index`, false);
      return optimizerSpec(via, optimize, n, { memoryLimit: 'numpy', perCall: true, trueMeans: 'greedy', defaultName: 'greedy' });
    case 'torch':
      if (!torchSearchesPaths(env.torchVersion)) return spec('left-to-right', null, `${via} (torch ${env.torchVersion}, before 1.13) contracts left to right`, false);
      if (!env.torchUsesOptEinsum) return spec('left-to-right', null, `${via} without opt_einsum installed contracts left to right`, false);
      return { ...optimizerSpec(via, 'auto', n, { perCall: true }), description: `${via} runs opt_einsum's 'auto' (${optEinsumAutoChoice(n)}) at every call` };
    case 'jax':
      return optimizerSpec(via, optimize ?? 'auto', n, { perCall: false, trueMeans: 'optimal', when: 'when traced' });
    case 'tensorflow':
      return optimizerSpec(via, optimize ?? 'greedy', n, { perCall: false, when: 'when traced' });
    case 'opt_einsum': {
      const limit = site.options.memoryLimit?.value ?? null;
      const precompiled = site.precompiled;
      return optimizerSpec(via, optimize ?? 'auto', n, { memoryLimit: limit, perCall: !precompiled, when: precompiled ? 'once' : 'at every call' });
    }
    case 'tfjs':
      return spec('left-to-right', null, `${via} contracts left to right`, false);
    case 'einops':
    case 'unknown':
      return spec('left-to-right', null, `${via} (backend unknown: assumed to contract left to right)`, false);
  }
}

interface OptimizerOptions {
  memoryLimit?: MemoryLimit | 'numpy';
  perCall: boolean;
  trueMeans?: OptimizerName;
  defaultName?: OptimizerName;
  when?: string;
}

type OptimizeValue = NonNullable<SiteOptions['optimize']>['value'];

function optimizerSpec(via: string, optimize: OptimizeValue, n: number, o: OptimizerOptions): BaselineSpec {
  const when = o.when ?? 'at every call';
  const limit = o.memoryLimit ?? null;
  if (Array.isArray(optimize)) {
    return { ...spec('explicit-path', null, `${via} with the path given at the call`, false), path: optimize, memoryLimit: limit };
  }
  if (optimize === false) return spec('naive', null, `${via} with optimize=False runs one loop over every index`, false);
  if (optimize === null) {
    // A path computed elsewhere (`np.einsum_path(...)`), whose default search is greedy.
    return { ...spec('optimizer', o.defaultName ?? 'greedy', `${via} with a precomputed path (assumed ${o.defaultName ?? 'greedy'})`, false), memoryLimit: limit };
  }
  const requested = optimize === true ? (o.trueMeans ?? 'auto') : optimize;
  const name = optimizerName(requested, n);
  const description = `${via} runs ${name === requested ? `'${name}'` : `'${requested}' (${name})`} ${when}`;
  return { ...spec('optimizer', name, description, o.perCall && n > 2), memoryLimit: limit };
}

/** opt_einsum's names; 'auto' is what opt_einsum 3.4 picks for this operand count. */
function optimizerName(requested: string, n: number): OptimizerName {
  if (requested === 'auto') return optEinsumAutoChoice(n);
  if (requested.startsWith('random-greedy')) return 'random-greedy';
  return (OPTIMIZERS as readonly string[]).includes(requested) ? (requested as OptimizerName) : 'greedy';
}

function spec(method: BaselineMethod, optimizer: OptimizerName | null, description: string, perCallSearch: boolean): BaselineSpec {
  return { method, optimizer, memoryLimit: null, path: null, description, perCallSearch };
}

/** A cost as the model reports it: exact flops, the symbolic count and its scaling. */
export function summarize(cost: PathCost | null, naive: NaiveCost | null, path: LinearPath, symbolic: boolean): CostSummary {
  const source = cost ?? naive!;
  const polynomial = source.flopsPolynomial;
  return {
    path,
    steps: cost ? cost.steps : null,
    flops: source.flops,
    flopsExpression: polynomial.toString(),
    scaling: symbolic ? polynomial.scalingString() : `O(N^${source.scaling})`,
    degree: symbolic ? polynomial.degree() : source.scaling,
  };
}

/**
 * Each path search of the analysis may take this long before greedy takes over, so a huge
 * contraction (or `optimize='branch-all'` on many operands) never stalls the editor.
 */
export const SEARCH_BUDGET_MS = 250;

/** Prices the baseline. Throws RangeError for an explicit path that does not fit the contraction. */
export function baselineCost(c: Contraction, s: BaselineSpec, symbolic: boolean): Baseline {
  const n = c.inputs.length;
  if (s.method === 'naive') {
    return withSpec(summarize(null, naiveCost(c), [Array.from({ length: n }, (_, i) => i)], symbolic), s);
  }
  let path: LinearPath;
  if (s.method === 'explicit-path' || s.method === 'written-order') path = s.path!;
  else if (s.method === 'left-to-right') path = leftToRightPath(n);
  else {
    const options = { optimizer: s.optimizer!, memoryLimit: memoryLimit(c, s.memoryLimit), timeBudgetMs: SEARCH_BUDGET_MS };
    path = optimizePath(toPathProblem(c), options).path;
  }
  return withSpec(summarize(costOfPath(c, path), null, path, symbolic), s);
}

/** The baseline: its cost and how the library runs it (one object literal: spreads build it key by key). */
function withSpec(cost: CostSummary, s: BaselineSpec): Baseline {
  const { path, steps, flops, flopsExpression, scaling, degree } = cost;
  return { path, steps, flops, flopsExpression, scaling, degree, method: s.method, optimizer: s.optimizer, description: s.description, perCallSearch: s.perCallSearch };
}

/** numpy limits intermediates to the largest of its inputs and output. */
function memoryLimit(c: Contraction, limit: BaselineSpec['memoryLimit']): MemoryLimit {
  if (limit !== 'numpy') return limit;
  let largest = termSize(c, c.output);
  for (const labels of c.inputs) largest = Math.max(largest, termSize(c, labels));
  return largest;
}

/** The number of elements of a term, as a double (`Number` of the exact count where that is past 2^53). */
function termSize(c: Contraction, labels: readonly number[]): number {
  let size = 1;
  for (const l of labels) size *= c.sizes[l].value;
  return size <= Number.MAX_SAFE_INTEGER ? size : Number(sizeProduct(c, labels));
}
