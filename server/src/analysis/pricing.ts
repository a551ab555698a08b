/**
 * The cost side of evaluation, memoized: a site's contraction, baseline and best path depend
 * only on its equation, shapes, library and options, so they are computed once per distinct
 * site and reused across sites and across analyses of an edited document.
 */
import { refusedLabel } from './labels';
import type { Contraction } from '../core/contraction';
import { costOfPath, toPathProblem, type PathCost } from '../core/cost';
import { optimizePath } from '../core/paths/index';
import type { LinearPath, OptimizerName } from '../core/paths/types';
import { EquationError, bindShapes, formatEquation, parseEquation, parseSublists, sublistLabel, type ParsedEquation, type SublistOptions } from '../core/equation';
import { SEARCH_BUDGET_MS, baselineCost, baselineSpec, summarize, type BaselineEnvironment, type BaselineSpec } from './baseline';
import type { AnalysisOptions, Baseline, BestCost, ContractionSite, KnownShape, RuleCode, SiteSyntax, SizeVerdict } from './model';
import type { Dim } from '../core/contraction';
import { siteSizeVerdict } from './size-verdict';
import { ChainCost } from './matmul-cost';
import { pathOfTree } from './matmul';
import { flopRatio } from '../core/counts';

/** Where a site-level error points: inside the equation text, or at a part of the call. */
export type ErrorAnchor =
  | { kind: 'equation'; start: number; end: number }
  | { kind: 'sublist-item' }
  | { kind: 'optimize' };

export interface SiteCore {
  contraction: Contraction | null;
  normalizedEquation: string | null;
  baseline: Baseline | null;
  best: BestCost | null;
  speedup: number | null;
  symbolic: boolean;
  sizeVerdict: SizeVerdict | null;
  unknownEllipsis: boolean;
  error: { code: RuleCode; message: string; at: ErrorAnchor } | null;
}

/** Gives an analysed site the costs of its core (the error, which needs the site's ranges, aside). */
export function assignCore(site: ContractionSite, core: SiteCore): void {
  site.contraction = core.contraction;
  site.normalizedEquation = core.normalizedEquation;
  site.baseline = core.baseline;
  site.best = core.best;
  site.speedup = core.speedup;
  site.symbolic = core.symbolic;
  site.sizeVerdict = core.sizeVerdict;
  site.unknownEllipsis = core.unknownEllipsis;
}

interface PricedContraction {
  baseline: Baseline;
  best: BestCost;
}

const CACHE_LIMIT = 20_000;
/**
 * Longer keys (a megabyte equation) are not kept: the limit counts entries, and a few such
 * entries would hold hundreds of megabytes; pricing them again costs no more than the first time.
 */
const MAX_CACHED_KEY = 100_000;

/** Prices by contraction and baseline, shared across analyses so re-analysis after an edit is cheap. */
export class CostCache {
  private readonly entries = new Map<string, PricedContraction | RangeError>();
  private readonly bests = new Map<string, BestCost>();
  private readonly sites = new Map<string, SiteCore>();

  /** The cost side of a site, computed once per distinct `key` (see `siteKey` and `optionsKey`). */
  site(s: SiteSyntax, options: AnalysisOptions, env: BaselineEnvironment, key: string): SiteCore {
    let core = this.sites.get(key);
    if (!core) {
      core = computeCore(s, options, env, this);
      if (this.sites.size >= CACHE_LIMIT) this.sites.clear();
      if (key.length <= MAX_CACHED_KEY) this.sites.set(key, core);
    }
    return core;
  }

  price(c: Contraction, spec: BaselineSpec, search: BestSearch, symbolic: boolean): PricedContraction | RangeError {
    const key = priceKey(c, spec, search);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = computePrice(c, spec, search, symbolic);
      if (this.entries.size >= CACHE_LIMIT) this.entries.clear();
      if (key.length <= MAX_CACHED_KEY) this.entries.set(key, entry);
    }
    return entry;
  }

  best(c: Contraction, search: BestSearch, symbolic: boolean): BestCost {
    const key = JSON.stringify([c.inputs, c.output, c.sizes, 'best', search.bestOptimizer, search.memoryLimit]);
    let entry = this.bests.get(key);
    if (!entry) {
      const best = bestPath(c, search);
      entry = { ...summarize(best, null, best.path, symbolic), optimizer: best.optimizer };
      if (this.bests.size >= CACHE_LIMIT) this.bests.clear();
      if (key.length <= MAX_CACHED_KEY) this.bests.set(key, entry);
    }
    return entry;
  }
}

/**
 * Everything a price depends on: the contraction (label ids, each size and its symbol), the
 * baseline's spec and the best path's search. Written by hand: serializing the size objects and
 * the spec was a tenth of pricing a small contraction. Unambiguous: only the description, last,
 * is free text; a symbol is written as a JSON string, which ends at its first unescaped quote.
 */
export function priceKey(c: Contraction, spec: BaselineSpec, search: BestSearch): string {
  let sizes = '';
  for (const size of c.sizes) sizes += size.symbol === null ? `${size.value} ` : `${size.value}${JSON.stringify(size.symbol)} `;
  const path = spec.path === null ? '' : JSON.stringify(spec.path);
  // `inputs.join(';')` writes each term's ids joined by commas.
  return `${c.inputs.join(';')}>${c.output.join(',')}|${sizes}|${spec.method}|${spec.optimizer}|${spec.memoryLimit}|${path}|${spec.perCallSearch}|${search.bestOptimizer}|${search.memoryLimit}|${spec.description}`;
}

/** What the best path is searched with. */
export type BestSearch = Pick<AnalysisOptions, 'bestOptimizer' | 'memoryLimit'>;

function computePrice(c: Contraction, spec: BaselineSpec, search: BestSearch, symbolic: boolean): PricedContraction | RangeError {
  let baseline: Baseline;
  try {
    baseline = baselineCost(c, spec, symbolic);
  } catch (error) {
    if (error instanceof RangeError) return error;
    throw error;
  }
  // A matrix chain's best is an order `@` can write: neighbours only.
  const found = spec.method === 'written-order' ? bestChainOrder(c) : bestPathOf(c, search);
  let best: BestCost;
  if (baseline.steps && samePath(found.path, baseline.path)) {
    // The library's own path is the best one (nearly always, on small contractions): priced once.
    const { steps, flops, flopsExpression, scaling, degree } = baseline;
    best = { path: found.path.map((step) => step.slice()), steps, flops, flopsExpression, scaling, degree, optimizer: found.optimizer };
  } else {
    const cost = costOfPath(c, found.path);
    best = { ...summarize(cost, null, cost.path, symbolic), optimizer: found.optimizer };
  }
  // A heuristic best can lose to the library's own path on very large contractions: keep the cheaper.
  if (baseline.flops < best.flops && baseline.steps) {
    const { path, steps, flops, flopsExpression, scaling, degree } = baseline;
    best = { path, steps, flops, flopsExpression, scaling, degree, optimizer: baseline.optimizer ?? best.optimizer };
  }
  return { baseline, best };
}

/** The optimizer's path (unpriced), and the optimizer that found it. */
function bestPathOf(c: Contraction, search: BestSearch): { path: LinearPath; optimizer: OptimizerName } {
  const options = { optimizer: search.bestOptimizer ?? 'auto-hq', memoryLimit: search.memoryLimit ?? null, timeBudgetMs: SEARCH_BUDGET_MS };
  return optimizePath(toPathProblem(c), options);
}

/** The optimizer's path and its cost (only what the model reports, unlike `analyzeContraction`). */
function bestPath(c: Contraction, search: BestSearch): PathCost & { optimizer: OptimizerName } {
  const { path, optimizer } = bestPathOf(c, search);
  return { ...costOfPath(c, path), optimizer };
}

/** The cheapest parenthesization of a matrix chain (the matrix-chain order is optimal among them). */
function bestChainOrder(c: Contraction): { path: LinearPath; optimizer: OptimizerName } {
  const { tree } = new ChainCost(c).bestTree(c.inputs.length);
  return { path: pathOfTree(tree, c.inputs.length), optimizer: 'optimal' };
}

function samePath(a: LinearPath, b: LinearPath): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  }
  return true;
}

/** The analysis options a site's costs depend on. */
export function optionsKey(options: AnalysisOptions, env: BaselineEnvironment): string {
  return JSON.stringify([
    env.torchUsesOptEinsum,
    env.torchVersion,
    options.dims,
    options.defaultSize,
    options.bestOptimizer,
    options.memoryLimit,
    options.minSpeedup,
    options.dimRanges,
  ]);
}

/** Everything about a site its costs depend on, apart from the analysis options. */
export function siteKey(s: SiteSyntax): string {
  return JSON.stringify([
    s.kind,
    s.library,
    s.qualifiedName,
    s.equation.form,
    s.equation.text,
    s.equation.sublists?.operands,
    s.equation.sublists?.output,
    s.operands.map((o) => o.shape?.dims ?? null),
    s.options.optimize?.value,
    s.options.memoryLimit?.value,
    s.precompiled,
    s.matmulTree,
  ]);
}

const EMPTY_CORE: SiteCore = {
  contraction: null,
  normalizedEquation: null,
  baseline: null,
  best: null,
  speedup: null,
  symbolic: false,
  sizeVerdict: null,
  unknownEllipsis: false,
  error: null,
};

function computeCore(s: SiteSyntax, options: AnalysisOptions, env: BaselineEnvironment, cache: CostCache): SiteCore {
  const core: SiteCore = { ...EMPTY_CORE };
  const fail = (code: RuleCode, message: string, at: ErrorAnchor): SiteCore => ({ ...core, error: { code, message, at } });
  let parsed: ParsedEquation;
  try {
    parsed = parseSite(s);
  } catch (error) {
    if (!(error instanceof EquationError)) throw error;
    return fail('EIN002', error.message, s.equation.sublists && hasInvalidItem(s) ? { kind: 'sublist-item' } : { kind: 'equation', ...error.range });
  }
  const refused = refusedLabel(parsed, s.library);
  if (refused) return fail('EIN002', refused.message, { kind: 'equation', ...refused.range });
  if (s.equation.form === 'einops' && !parsed.explicitOutput) {
    const end = parsed.text.length;
    return fail('EIN002', "einops.einsum needs an explicit output: add '-> ...' to the pattern", { kind: 'equation', start: end, end });
  }
  const bindOptions = { dims: options.dims, defaultSize: options.defaultSize, operandCount: s.operands.length };
  // Bound without shapes: a failure is an equation error (a wrong operand count, a bad size in
  // the dims table), which comes before any shape error; its equation is the one reported when
  // the shapes cannot be used. Without a dims table only the operand count can fail it, and the
  // binding with shapes checks that first, so it is bound only when needed.
  let unsized: Contraction | null = null;
  const bindUnsized = (): Contraction | SiteCore => {
    try {
      return (unsized ??= bindShapes(parsed, null, bindOptions));
    } catch (error) {
      if (!(error instanceof EquationError)) throw error;
      return fail('EIN002', error.message, { kind: 'equation', ...error.range });
    }
  };
  if (hasDimsTable(options)) {
    const bound = bindUnsized();
    if (!isContraction(bound)) return bound;
  }
  /** The core of a site whose shapes cannot be priced: the equation as written, `result` added. */
  const unpriced = (result: Partial<SiteCore>): SiteCore => {
    const bound = bindUnsized();
    if (!isContraction(bound)) return bound;
    return { ...core, normalizedEquation: formatEquation(bound), ...result };
  };
  const shapes = s.operands.map((o) => o.shape);
  // An error needs certain knowledge: bound with only the certain shapes first.
  const certain = shapes.map(certainDims);
  let contraction: Contraction;
  try {
    contraction = bindShapes(parsed, certain, bindOptions);
  } catch (error) {
    if (!(error instanceof EquationError)) throw error;
    return unpriced({ error: { code: 'EIN003', message: error.message, at: { kind: 'equation', ...error.range } } });
  }
  const known = shapes.map((shape) => shape?.dims ?? null);
  // Where every size is certain (nearly always), binding them all again would give the same contraction.
  if (!sameDims(certain, known)) {
    try {
      // Sizes known less surely refine the certain ones where they agree; where they conflict they are set aside.
      contraction = bindShapes(parsed, known, bindOptions);
    } catch (error) {
      if (!(error instanceof EquationError)) throw error;
    }
  }
  const unknownEllipsis = parsed.inputs.some((term, k) => term.ellipsis >= 0 && !shapes[k]);
  if (unknownEllipsis) {
    const stand = ellipsisAsOneSize(parsed, shapes, bindOptions);
    // Some operand's `...` known and another's not: how they broadcast, and so the cost, is unknown.
    if (!stand) return unpriced({ unknownEllipsis });
    contraction = stand;
  }
  const normalizedEquation = formatEquation(contraction);
  const symbolic = contraction.sizes.some((size) => size.symbol !== null);
  const priced = cache.price(contraction, baselineSpec(s, contraction.inputs.length, env), options, symbolic);
  if (priced instanceof RangeError) {
    return unpriced({ error: { code: 'EIN002', message: `the path given to optimize= does not fit this contraction: ${priced.message}`, at: { kind: 'optimize' } } });
  }
  return {
    contraction,
    normalizedEquation,
    baseline: priced.baseline,
    best: priced.best,
    speedup: symbolic ? null : flopRatio(priced.baseline.flops, priced.best.flops),
    symbolic,
    sizeVerdict: symbolic ? siteSizeVerdict(contraction, priced.baseline, priced.best, options) : null,
    unknownEllipsis,
    error: null,
  };
}

function hasDimsTable(options: AnalysisOptions): boolean {
  if (!options.dims) return false;
  for (const name in options.dims) if (Object.hasOwn(options.dims, name)) return true;
  return false;
}

function isContraction(bound: Contraction | SiteCore): bound is Contraction {
  return 'inputs' in bound;
}

/** Shape sources that are facts of the code or declared by the user; anything else may be wrong. */
const CERTAIN_SOURCES: ReadonlySet<string> = new Set(['hint', 'annotation', 'constructor', 'constant', 'dims', 'einsum-result']);

/** The dims of a shape as far as they are certain: an uncertain rank makes the whole shape unknown. */
function certainDims(shape: KnownShape | null): Dim[] | null {
  if (!shape || !CERTAIN_SOURCES.has(shape.source.kind)) return null;
  const certain = (i: number) => CERTAIN_SOURCES.has(shape.dimSources[i]?.kind ?? shape.source.kind);
  // Every dimension certain (nearly always): the dims themselves, which are only read.
  for (let i = 0; i < shape.dims.length; i++) if (!certain(i)) return shape.dims.map((dim, k) => (certain(k) ? dim : null));
  return shape.dims;
}

/** Whether two lists of operand shapes hold the same dims. */
export function sameDims(a: readonly (readonly Dim[] | null)[], b: readonly (readonly Dim[] | null)[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x === null || y === null || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/**
 * The contraction when no operand with `...` has a known shape: `...` bound as one dimension of
 * unknown size `…`, the product of the dimensions it covers, in every operand that has it. The
 * counts are then exact where every operand's `...` covers the same dimensions (a broadcast
 * dimension counts at its full size, as opt_einsum counts it), and the equation keeps `...`.
 * Null when some operand's `...` has a known shape and another's does not.
 */
function ellipsisAsOneSize(parsed: ParsedEquation, shapes: (KnownShape | null)[], options: Parameters<typeof bindShapes>[2]): Contraction | null {
  if (parsed.inputs.some((term, k) => term.ellipsis >= 0 && shapes[k])) return null;
  const stand = parsed.inputs.map((term, k) => shapes[k]?.dims ?? (term.ellipsis >= 0 ? Array<Dim>(term.labels.length + 1).fill(null) : null));
  let bound: Contraction;
  try {
    bound = bindShapes(parsed, stand, options);
  } catch (error) {
    if (!(error instanceof EquationError)) throw error;
    return null;
  }
  const named = (name: string | null): string | null => (name === ELLIPSIS_LABEL ? ELLIPSIS_SIZE : name);
  return { ...bound, labels: bound.labels.map((label) => named(label)!), sizes: bound.sizes.map((size) => ({ ...size, symbol: named(size.symbol) })) };
}

/** The one dimension `...` is bound as, and the name of its unknown size. */
const ELLIPSIS_LABEL = '…0';
export const ELLIPSIS_SIZE = '…';

function parseSite(s: SiteSyntax): ParsedEquation {
  const sublists = s.equation.sublists;
  if (sublists) return parseSublists(sublists.operands, sublists.output ?? undefined, sublistOptions(s.library));
  return parseEquation(s.equation.text!, { style: s.equation.form === 'einops' ? 'named' : 'letters', anyCharacter: readsAnyCharacter(s.library) });
}

/** Libraries that parse equations with opt_einsum, which takes any character as a label. */
export function readsAnyCharacter(library: SiteSyntax['library']): boolean {
  return library === 'opt_einsum' || library === 'jax';
}

/** opt_einsum reads integer labels past 51; numpy does not. */
export function sublistOptions(library: SiteSyntax['library']): SublistOptions {
  return { wideLabels: library === 'opt_einsum' };
}

function hasInvalidItem(s: SiteSyntax): boolean {
  const sublists = s.equation.sublists!;
  return [...sublists.operands, sublists.output ?? []].some((items) => !items.every((item) => sublistLabel(item, sublistOptions(s.library)) !== null));
}

/** A sublist item that is no label has no letter in the equation text: the item itself. */
export function invalidSublistItem(s: SiteSyntax): { start: number; end: number } | null {
  const sublists = s.equation.sublists;
  if (!sublists) return null;
  const lists = sublists.output ? [...sublists.operands, sublists.output] : sublists.operands;
  for (const [k, items] of lists.entries()) {
    const bad = items.findIndex((item) => sublistLabel(item, sublistOptions(s.library)) === null);
    if (bad >= 0) return sublists.itemRanges[k][bad];
  }
  return null;
}
