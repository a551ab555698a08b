/**
 * The language-neutral model of the contractions in one source file. Front ends (Python now,
 * TypeScript later) produce `SiteSyntax` and `FlowFacts`; `evaluate.ts` binds shapes, prices
 * the library's baseline against the best path and derives chains, scalar placements and
 * findings. Everything here is plain data so the language server can cache and ship it.
 */
import type { Contraction, Dim } from '../core/contraction';
import type { PathStep } from '../core/cost';
import type { LinearPath, MemoryLimit, OptimizerName } from '../core/paths/types';
import type { CostComparison } from '../core/dominance';
import type { FileObservations } from './observed/store';

/** Offsets [start, end) in the analysed text, in UTF-16 code units (what editors and JS use). */
export interface SourceRange {
  start: number;
  end: number;
}

export type Library = 'numpy' | 'torch' | 'jax' | 'tensorflow' | 'opt_einsum' | 'einops' | 'tfjs' | 'unknown';

export type ShapeSourceKind =
  | 'hint'
  | 'annotation'
  | 'constructor'
  | 'constant'
  | 'dims'
  | 'einsum-result'
  /** Sizes that differ between branches or call sites: a symbol stands for them. */
  | 'merge'
  /** An argument of a call, which gave a function's parameter its value. */
  | 'argument'
  | 'observed'
  | 'unknown';

/** Where a shape, or one size in it, came from: the editor shows it on hover. */
export interface ShapeSource {
  kind: ShapeSourceKind;
  /** The hint, annotation, constructor call, constant definition…; null for the dims table. */
  range: SourceRange | null;
  /** Short human text, e.g. `torch.randn(7, 4, 5)` or `B = 64`. */
  detail: string;
  /** Where it is when that is another file than the one analysed: `train.py:40`. */
  location?: string;
  /** The call through which the size reached a function's parameter (`model(x)`). */
  via?: ShapeSource;
}

export interface KnownShape {
  /** A concrete size, a symbolic name, or null where unknown. */
  dims: Dim[];
  source: ShapeSource;
  /** One source per dimension (a size from `B = 64` points at that constant). */
  dimSources: ShapeSource[];
}

export interface OperandInfo {
  /** The argument exactly as written, and where: quick fixes rewrite it. */
  text: string;
  range: SourceRange;
  shape: KnownShape | null;
}

/** `string`: a literal or a name bound to one; `sublist`: numpy's interleaved form. */
export type EquationForm = 'string' | 'sublist' | 'einops' | 'matmul';

export interface EquationInfo {
  form: EquationForm;
  /** The equation as the library reads it (decoded), or null when it is computed at run time. */
  text: string | null;
  dynamic: boolean;
  /** The equation argument(s) in the source; null for a matmul chain, which has none. */
  range: SourceRange | null;
  /**
   * For each character of `text`, the source span that produced it (an escape such as `\x41`
   * spans several characters), so errors inside the equation land on the right characters.
   */
  charRanges: SourceRange[] | null;
  /** Why a written equation was not read (longer than einsight decodes); `dynamic` is then set too. */
  notRead?: string;
  /** numpy's interleaved form: the sublist items, which `text` spells in letters. */
  sublists?: {
    operands: (number | '...')[][];
    output: (number | '...')[] | null;
    /** Source range of each item, in the same layout (operands, then the output when given). */
    itemRanges: SourceRange[][];
  };
}

/** How the library was told to order the contraction (`optimize=`, `memory_limit=`). */
export interface SiteOptions {
  /** The `optimize=` argument: a boolean, an optimizer name, an explicit path, or an expression we cannot read. */
  optimize?: { text: string; range: SourceRange; value: boolean | string | LinearPath | null };
  memoryLimit?: { text: string; range: SourceRange; value: number | 'max_input' | null };
}

export interface SiteContext {
  /** Dotted name of the enclosing function or class method; `<module>` at top level. */
  scope: string;
  /** Inside a `for`/`while` body or a comprehension of the same function. */
  inLoop: boolean;
  /** Inside `forward` / `__call__`, which run once per batch. */
  inForward: boolean;
  /**
   * Why the call runs once while a graph is built or traced, not at every call (a torch.fx
   * graph under construction, `torch.jit.script`, `torch.compile`, `jax.jit`, `tf.function`).
   */
  traced?: string | null;
  /** Inside `pytest.raises(...)`, `assertRaises(...)` and the like: an error here is deliberate. */
  expectsError?: boolean;
}

export type SiteKind = 'einsum' | 'matmul-chain';

/** The parenthesization of a matmul chain as written: a leaf is an operand index. */
export type MatmulTree = number | [MatmulTree, MatmulTree];

/** What a front end knows about one contraction site before any cost is computed. */
export interface SiteSyntax {
  id: number;
  kind: SiteKind;
  /** The library whose semantics run the call (for einops: the backend it dispatches to). */
  library: Library;
  /** The callee as written (`T.einsum`, `oe.contract`, `@`) and what it resolves to (`torch.einsum`). */
  callee: string;
  qualifiedName: string;
  calleeRange: SourceRange;
  /** The whole call, or the whole matmul expression. */
  range: SourceRange;
  /** The statement holding the call (chain fixes delete or rewrite whole statements). */
  statementRange: SourceRange;
  equation: EquationInfo;
  operands: OperandInfo[];
  /** The equation or the operand list (`*tensors`) is only known at run time: no cost, no finding. */
  dynamic: boolean;
  options: SiteOptions;
  context: SiteContext;
  /** For matmul chains: the parenthesization written. */
  matmulTree: MatmulTree | null;
  /** `contract_expression(eq, *shapes)`: the path is searched once, when the expression is built. */
  precompiled: boolean;
  /** Codes silenced by `# einsight: ignore[...]` on the call's lines; an empty list silences all. */
  ignored: string[] | null;
  /**
   * The wrapper the call goes through (`functools.partial of numpy.einsum`, a forwarding
   * function, a declared einsum function); absent for a direct call. Rewrites leave such calls alone.
   */
  via?: string | null;
}

/** How the library orders the contraction when the code runs as written. */
export type BaselineMethod = 'naive' | 'left-to-right' | 'optimizer' | 'explicit-path' | 'written-order';

export interface CostSummary {
  path: LinearPath;
  /** Null for a naive loop, which has no pairwise steps. */
  steps: PathStep[] | null;
  /** Exact FLOPs (opt_einsum's count); symbolic sizes count as their numeric stand-in. */
  flops: bigint;
  /** The count over symbolic sizes, e.g. `2·B·N^3`. */
  flopsExpression: string;
  /** Big-O of the leading terms, e.g. `O(B·N^3)`. */
  scaling: string;
  /** Degree of the leading term: compares symbolic costs. */
  degree: number;
}

/**
 * With symbolic sizes: how the best path compares with the baseline over every size the code
 * allows (each at least 1, or in the ranges given), decided exactly on the cost polynomials;
 * `run-time-search` when the library picks its path at run time from the real sizes, which
 * nothing fixed in advance can be shown to beat.
 */
export type SizeVerdict = CostComparison | { kind: 'run-time-search' };

export interface Baseline extends CostSummary {
  method: BaselineMethod;
  /** The optimizer the library runs, for `optimizer`. */
  optimizer: OptimizerName | null;
  /** One line: what the library does, e.g. `numpy.einsum without optimize: one loop over every index`. */
  description: string;
  /** The library searches for a path each time the call runs (cost paid per call). */
  perCallSearch: boolean;
}

export interface BestCost extends CostSummary {
  optimizer: OptimizerName;
}

export type RuleCode = 'EIN001' | 'EIN002' | 'EIN003' | 'EIN004' | 'EIN005' | 'EIN006' | 'EIN007' | 'EIN008' | 'EIN009' | 'EIN010';

export interface SiteDiagnostic {
  code: RuleCode;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  /** Exact range: inside the equation literal for equation errors. */
  range: SourceRange;
}

/** Why moving code is not known to keep what it computes, and the code to blame. */
export interface Unsafe {
  /** `` `A` may be modified by `sgd_step(...)` ``. */
  reason: string;
  /** Where the blamed code is, when elsewhere than the site. */
  at: SourceRange | null;
}

/** Where a scalar factor is (or could be) applied. */
export type ScalarTarget = { kind: 'operand'; index: number } | { kind: 'output' };

export interface ScalarFactor {
  value: number;
  /** The scalar expression (`math.sqrt(64)`) and the expression applying it (`x * math.sqrt(64)`). */
  text: string;
  range: SourceRange;
  applicationRange: SourceRange;
  operation: 'multiply' | 'divide';
  appliedTo: ScalarTarget;
  /**
   * Set when the factor scales a tensor that reaches the operand through another product
   * (`(x * c) @ w` as an operand): that tensor, and its size when known.
   */
  nestedIn?: { text: string; range: SourceRange; elements: bigint | null };
  /** Set when moving the factor could change a result elsewhere (`qs = q * c` would alias q, which is then modified). */
  unsafe?: Unsafe;
}

export interface ScalarPlacement {
  factors: ScalarFactor[];
  /** The product of all factors (a divide contributes 1/value). */
  combined: number;
  /** Elementwise multiplications now: the size of each tensor a factor is applied to, summed. */
  currentCost: bigint | null;
  best: ScalarTarget;
  /** One multiplication by `combined` on the smallest tensor. */
  bestCost: bigint | null;
}

/** One distinct shape signature a recorded run saw at a site, priced. */
export interface ObservedVariant {
  /** The equation as called (for a site whose equation the code computes), else the site's. */
  equation: string | null;
  /** Each operand's shape as priced: the code's sizes where it fixes them, the recorded ones elsewhere. */
  shapes: (Dim[] | null)[];
  dtypes: (string | null)[];
  calls: number;
  timeNs: number;
  baselineFlops: bigint | null;
  bestFlops: bigint | null;
  speedup: number | null;
}

/** What `einsight record` saw at a site (see docs/observed.md). */
export interface SiteObservation {
  calls: number;
  timeNs: number;
  /** Share of the recording's einsum time (0..1); null for matrix products. */
  share: number | null;
  /** Runs merged into the recording. */
  runs: number;
  /** Most called first; only the signatures that fit the call (an unfitting one is a conflict). */
  variants: ObservedVariant[];
  /** Calls at shapes past the recorder's limit per site: counted, not priced. */
  otherCalls: number;
  /** Where the recording disagrees with what the code says: the code wins. */
  conflicts: string[];
  /** Recorded sizes filled sizes the code leaves unknown. */
  used: boolean;
}

export interface ContractionSite extends SiteSyntax {
  /** The bound contraction; null when the equation is dynamic or invalid. */
  contraction: Contraction | null;
  /** Explicit, normalized equation (`ij,jk->ik`). */
  normalizedEquation: string | null;
  baseline: Baseline | null;
  best: BestCost | null;
  /** baseline / best FLOPs; null when unknown or symbolic. */
  speedup: number | null;
  symbolic: boolean;
  /** Null when every size is known. */
  sizeVerdict: SizeVerdict | null;
  /**
   * An operand whose term has `...` has no known shape: how many dimensions `...` stands for is
   * unknown. The counts take `...` as one dimension `…` of unknown size (the same in every operand,
   * see pricing.ts), and no finding is made from them.
   */
  unknownEllipsis: boolean;
  diagnostics: SiteDiagnostic[];
  chain: number | null;
  scalars: ScalarPlacement | null;
  /** What a recorded run saw here; null without a recording of this call. */
  observed: SiteObservation | null;
}

/** One intermediate of a chain: an einsum whose only use is as an operand of the next. */
export interface ChainLink {
  producer: number;
  consumer: number;
  /** Operand index in the consumer that receives the producer's result. */
  operand: number;
  /** The variable carrying the result; null when the call is nested inline. */
  name: string | null;
  /** The statement binding the variable (deleted when fusing); null when inline. */
  statementRange: SourceRange | null;
  /** Set when code between the producer and the consumer may change the producer's operands. */
  blocked?: Unsafe;
  /** Constant factors on the producer's result (`h = einsum(x, y) / 3.0`), which fusing moves. */
  factors?: ScalarFactor[];
}

/** Facts a front end derives from data flow, before evaluation. */
export interface FlowFacts {
  links: ChainLink[];
  /** Scalar factors, by site id. */
  scalars: Map<number, ScalarFactor[]>;
}

export interface FusedContraction {
  equation: string;
  /** Leaf operands of the whole chain, in fused-equation order. */
  operands: OperandInfo[];
  contraction: Contraction;
}

export interface ChainInfo {
  id: number;
  /** Member sites in source order; the last is the root whose result leaves the chain. */
  members: number[];
  root: number;
  links: ChainLink[];
  fused: FusedContraction | null;
  /** What runs now: the sum of the members' baselines. */
  baselineFlops: bigint | null;
  best: BestCost | null;
  speedup: number | null;
  /** Why fusing could change what the code computes (the first blocked link); null when it cannot. */
  blocked: Unsafe | null;
  /** Factors on intermediates of the chain, applied once to the smallest tensor when fused. */
  factors: ScalarFactor[];
  /** With symbolic sizes: the fused best path against the members' own best paths. */
  sizeVerdict: CostComparison | null;
  /** With symbolic sizes: the members' best paths together, in the fused equation's size names. */
  ownBestScaling?: string | null;
}

export interface Finding {
  code: RuleCode;
  /** Stable rule name, e.g. `wasted-flops`. */
  rule: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  range: SourceRange;
  /**
   * The sizes the claim depends on, e.g. `nvir > nocc`: it holds when they do. Null when it
   * holds at every size the code allows, and for findings that are no cost claim.
   */
  condition?: string | null;
  site: number | null;
  chain: number | null;
  baselineFlops: bigint | null;
  bestFlops: bigint | null;
  speedup: number | null;
  /** The recorded weight of the site: how often it ran and its share of the einsum time. */
  observed?: { calls: number; timeNs: number; share: number | null };
}

/**
 * The Python environment the code runs in, as far as it changes what a library does: whether
 * opt_einsum is importable (torch ≥ 1.13 then searches paths with it), and the versions.
 */
export interface PythonEnvironment {
  /** `interpreter`: asked the workspace's Python; `declared`: read from the project's dependency files. */
  source: 'interpreter' | 'declared';
  /** The interpreter (`/usr/bin/python3 (Python 3.11.2)`) or the files read (`requirements.txt`). */
  detail: string;
  optEinsum: boolean;
  /** Versions where known (`'unknown'` when installed without metadata); null when absent or not known. */
  versions: { numpy: string | null; torch: string | null; opt_einsum: string | null };
}

export interface AnalysisOptions {
  /** User dimension table (`--dims batch=1000,B=64`): values of symbolic sizes and labels. */
  dims?: Record<string, number>;
  /** Report a cost finding only when the best path is at least this many times cheaper (default 2). */
  minSpeedup?: number;
  /** Whether torch finds opt_einsum installed; true anyway in a file that imports opt_einsum. Overrides `environment`. */
  torchUsesOptEinsum?: boolean;
  /** The Python environment (interpreter asked, or dependencies declared); decides torchUsesOptEinsum when that is not given. */
  environment?: PythonEnvironment;
  /** The optimizer for the best path (default `auto-hq`). */
  bestOptimizer?: OptimizerName;
  /** Largest intermediate the best path may create (elements, or `max_input`); none by default. */
  memoryLimit?: MemoryLimit;
  /** Numeric stand-in for sizes that stay symbolic (default 64). */
  defaultSize?: number;
  /** Ranges of symbolic sizes (`--dims nocc=10..50`): cost claims need hold only within them. */
  dimRanges?: Record<string, { min: number; max: number | null }>;
  /** The file is test code: cost findings take `testSeverity`, and explicit `optimize=False` is deliberate. */
  testFile?: boolean;
  /** Severity of cost findings in test code (default `hint`); `off` drops them. */
  testSeverity?: 'error' | 'warning' | 'information' | 'hint' | 'off';
  /**
   * Python: functions that run an einsum, by dotted name, with the einsum they behave as
   * (`{"pyscf.lib.einsum": "numpy.einsum(optimize=True)"}`; `einsight.python.einsumFunctions`).
   */
  einsumFunctions?: Readonly<Record<string, string>>;
  /** TypeScript/JavaScript: modules whose `einsum` export is an einsum site (`einsight.typescript.einsumModules`). */
  einsumModules?: readonly string[];
  /** What `einsight record` saw in this file: fills sizes the code leaves unknown. */
  observed?: FileObservations | null;
  /** Wall-clock limit on the file's analysis, in ms (default `DEFAULT_TIME_LIMIT_MS`); past it, see `FileAnalysis.incomplete`. */
  timeLimitMs?: number;
  /**
   * The analysed document's URI in the language server: a Python file in the workspace index
   * is analysed with the shapes of the whole workspace.
   */
  documentUri?: string;
}

export interface FileAnalysis {
  language: 'python' | 'typescript';
  /** The environment the baselines assumed, for the hover to say where it came from. */
  environment?: PythonEnvironment;
  sites: ContractionSite[];
  chains: ChainInfo[];
  findings: Finding[];
  /** Where the parser gave up (ERROR or missing tokens); the rest of the file is still analysed. */
  syntaxErrors: SourceRange[];
  /**
   * Set when the file could not be analysed at all (nesting deeper than the parser can
   * follow): why, and where. Sites, chains and findings are then empty.
   */
  notAnalysed?: { reason: string; range: SourceRange };
  /** Set when recordings were given: how many matched a site, and how many fit none (stale). */
  observations?: { source: string; matched: number; stale: number };
  /**
   * Set when the analysis ran out of time (`AnalysisOptions.timeLimitMs`): calls from `range`
   * on were not read or not priced, so sites and findings there are missing. Why, and where.
   */
  incomplete?: { reason: string; range: SourceRange };
}

/** Maps a range inside an equation's text to the source span covering it. */
export function equationRangeToSource(equation: EquationInfo, range: { start: number; end: number }): SourceRange {
  const chars = equation.charRanges;
  const whole = equation.range ?? { start: 0, end: 0 };
  if (!chars || chars.length === 0) return whole;
  const clamp = (i: number) => Math.min(Math.max(i, 0), chars.length - 1);
  if (range.end <= range.start) {
    // An empty range (a missing term) sits before the character at `start`, or after the last one.
    const at = range.start >= chars.length ? chars[chars.length - 1].end : chars[clamp(range.start)].start;
    return { start: at, end: at };
  }
  return { start: chars[clamp(range.start)].start, end: chars[clamp(range.end - 1)].end };
}
