/**
 * `optimal`: exact minimum over every pairwise path, outer products included, by dynamic
 * programming over all subsets of operands (O(3^n) splits). Unlike opt_einsum's depth-first
 * search it has no result cache keyed on index sets alone, so it cannot miss the optimum.
 *
 * Among paths of equal FLOPs it returns one whose largest intermediate is smallest: the
 * minimum is lexicographic on (FLOPs, largest intermediate). Both compose monotonically (a
 * sum and a max), so keeping that minimum for every subset keeps the search exact.
 *
 * With a memory limit, intermediates above the limit are forbidden; as in opt_einsum the
 * search may then end with one multi-operand step over whatever is left, which is also
 * searched exactly (a partition of the operands into intermediates).
 */
import { BudgetExceeded, LabelSpace, TooManyOperands, deadlineFrom } from './labelsets';
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

export const OPTIMAL_MAX_OPERANDS = 20;
const TABLES_FROM_OPERANDS = 8;

export interface SubsetSearchOptions {
  /** Largest allowed intermediate, in elements (Infinity for none). */
  memoryLimit: number;
  objective: 'flops' | 'size';
  budgetMs?: number;
}

export function optimalPath(problem: PathProblem, options: SubsetSearchOptions): SsaPath {
  const n = problem.inputs.length;
  if (n > OPTIMAL_MAX_OPERANDS) {
    throw new TooManyOperands(`optimal searches at most ${OPTIMAL_MAX_OPERANDS} operands exactly (got ${n}); use dp, greedy or auto`);
  }
  const table = new SubsetTable(problem);
  const deadline = deadlineFrom(options.budgetMs);
  let limit = options.memoryLimit;
  if (options.objective === 'size') limit = Math.min(limit, table.minimaxLargest(deadline));
  return table.bestFlops(limit, deadline);
}

/**
 * The per-subset arrays of a search. Most searches are small, and allocating a dozen typed
 * arrays per call (those over 64 bytes live outside the heap) cost more than the search
 * itself, so the arrays for up to REUSED_MAX_OPERANDS operands are kept and reused: searches
 * never nest, and each pass initializes what it reads.
 */
class SubsetArrays {
  /** union[S]: every label of S. */
  readonly union: Uint32Array;
  /** legs[S]: labels of subset S still needed outside it (or in the output). */
  readonly legs: Uint32Array;
  /**
   * operand[S]: the labels S brings into a step: its legs once contracted, but all of an
   * input's own labels while it is still raw (flop_count counts indices summed on first use).
   */
  readonly operand: Uint32Array;
  readonly outputMask: Uint32Array;
  readonly legSize: Float64Array;
  readonly cost: Float64Array;
  /** largest[S]: the largest intermediate of S's best tree, S's own result included. */
  readonly largest: Float64Array;
  readonly split: Int32Array;
  /** The arrays of the rarer passes (the size objective, a memory limit), made when first used. */
  private extra: { worst: Float64Array; part: Float64Array; partLargest: Float64Array; choice: Int32Array } | null = null;

  constructor(
    private readonly count: number,
    words: number,
  ) {
    this.union = new Uint32Array(count * words);
    this.legs = new Uint32Array(count * words);
    this.operand = new Uint32Array(count * words);
    this.outputMask = new Uint32Array(words);
    this.legSize = new Float64Array(count);
    this.cost = new Float64Array(count);
    this.largest = new Float64Array(count);
    this.split = new Int32Array(count);
  }

  get rare(): { worst: Float64Array; part: Float64Array; partLargest: Float64Array; choice: Int32Array } {
    const count = this.count;
    this.extra ??= { worst: new Float64Array(count), part: new Float64Array(count), partLargest: new Float64Array(count), choice: new Int32Array(count) };
    return this.extra;
  }

  static for(n: number, words: number): SubsetArrays {
    const count = 2 ** n;
    if (n > REUSED_MAX_OPERANDS || words > REUSED_MAX_WORDS) return new SubsetArrays(count, words);
    const key = n * REUSED_MAX_WORDS + words - 1;
    return (reused[key] ??= new SubsetArrays(count, words));
  }
}

const REUSED_MAX_OPERANDS = 12;
const REUSED_MAX_WORDS = 2;
const reused: SubsetArrays[] = [];

/** Per-subset index bookkeeping shared by the passes of the search. */
class SubsetTable {
  readonly n: number;
  readonly full: number;
  readonly space: LabelSpace;
  readonly arrays: SubsetArrays;

  constructor(problem: PathProblem) {
    // Bitsets absorb repeated labels, so the inputs need no deduplication first.
    const inputs = problem.inputs;
    const n = (this.n = inputs.length);
    const full = (this.full = 2 ** n - 1);
    // Below 8 operands the search asks for at most a few thousand sizes: multiplying them bit
    // by bit costs less than building the lookup tables.
    const space = (this.space = new LabelSpace(problem.sizes, n >= TABLES_FROM_OPERANDS));
    const w = space.words;
    const arrays = (this.arrays = SubsetArrays.for(n, w));
    const { union, legs, operand, outputMask, legSize } = arrays;
    for (let i = 0; i < w; i++) union[i] = 0;
    for (let s = 1; s <= full; s++) {
      const low = 31 - Math.clz32(s & -s);
      const rest = s & (s - 1);
      for (let i = 0; i < w; i++) union[s * w + i] = union[rest * w + i];
      space.fromLabels(inputs[low], union, s);
    }
    for (let i = 0; i < w; i++) outputMask[i] = 0;
    space.fromLabels(problem.output, outputMask);
    for (let s = 1; s <= full; s++) {
      const complement = full ^ s;
      const single = (s & (s - 1)) === 0;
      for (let i = 0; i < w; i++) {
        const at = s * w + i;
        legs[at] = union[at] & (union[complement * w + i] | outputMask[i]);
        operand[at] = single ? union[at] : legs[at];
      }
      legSize[s] = space.size(legs, s);
    }
  }

  /** Exact minimum over paths of the largest intermediate (output included). */
  minimaxLargest(deadline: number): number {
    const { full, n } = this;
    const { legSize } = this.arrays;
    const worst = this.arrays.rare.worst.fill(Infinity);
    for (let i = 0; i < n; i++) worst[1 << i] = 0;
    for (let s = 1; s <= full; s++) {
      const rest = s & (s - 1);
      if (rest === 0) continue;
      if ((s & 1023) === 0 && performance.now() > deadline) throw new BudgetExceeded();
      const low = s & -s;
      let best = Infinity;
      for (let sub = (rest - 1) & rest; ; sub = (sub - 1) & rest) {
        const a = low | sub;
        const candidate = Math.max(worst[a], worst[s ^ a]);
        if (candidate < best) best = candidate;
        if (sub === 0) break;
      }
      worst[s] = Math.max(best, legSize[s]);
    }
    return worst[full];
  }

  bestFlops(limit: number, deadline: number): SsaPath {
    const { n, full, space } = this;
    const { operand, legs, legSize, cost, largest, split } = this.arrays;
    const w = space.words;
    for (let s = 1; s <= full; s++) {
      const single = (s & (s - 1)) === 0;
      cost[s] = single ? 0 : Infinity;
      largest[s] = 0;
    }
    for (let s = 1; s <= full; s++) {
      const rest = s & (s - 1);
      if (rest === 0 || legSize[s] > limit) continue;
      if ((s & 1023) === 0 && performance.now() > deadline) throw new BudgetExceeded();
      const low = s & -s;
      let best = Infinity;
      let bestLargest = Infinity;
      let bestA = 0;
      for (let sub = (rest - 1) & rest; ; sub = (sub - 1) & rest) {
        const a = low | sub;
        const b = s ^ a;
        const base = cost[a] + cost[b];
        // An equal base can still tie on FLOPs when the step costs nothing (a size-0 index).
        if (base < best || (base === best && base !== Infinity)) {
          let flops = space.unionSize(operand, a, operand, b);
          for (let i = 0; i < w; i++) {
            // The step sums something away: flop_count's factor 2.
            if (((operand[a * w + i] | operand[b * w + i]) & ~legs[s * w + i]) !== 0) {
              flops *= 2;
              break;
            }
          }
          const total = base + flops;
          if (total <= best) {
            const inner = largest[a] > largest[b] ? largest[a] : largest[b];
            if (total < best || inner < bestLargest) {
              best = total;
              bestLargest = inner;
              bestA = a;
            }
          }
        }
        if (sub === 0) break;
      }
      cost[s] = best;
      largest[s] = bestLargest > legSize[s] ? bestLargest : legSize[s];
      split[s] = bestA;
    }
    const pairwise = cost[full];
    const fallback = limit < Infinity ? this.bestFinalStep(cost, largest, deadline) : null;
    const steps: SsaPath = [];
    if (fallback && (fallback.flops < pairwise || (fallback.flops === pairwise && fallback.largest < largest[full]))) {
      steps.push(fallback.groups.map((g) => this.emit(g, split, steps)));
      return steps;
    }
    if (pairwise === Infinity) throw new Error('no path found');
    this.emit(full, split, steps);
    return steps;
  }

  /**
   * The cheapest way to end with one step over k ≥ 2 groups, each an allowed intermediate:
   * that step costs P·(k−1+inner) with P the product of all sizes, so each group adds P.
   */
  private bestFinalStep(
    cost: Float64Array,
    largest: Float64Array,
    deadline: number,
  ): { flops: number; largest: number; groups: number[] } | null {
    const { full, n, space } = this;
    const { union, outputMask, legSize } = this.arrays;
    const everything = space.size(union, full);
    let inner = false;
    for (let i = 0; i < space.words; i++) if (union[full * space.words + i] & ~outputMask[i]) inner = true;
    const { part, partLargest, choice } = this.arrays.rare;
    part.fill(Infinity);
    part[0] = 0;
    partLargest[0] = 0;
    for (let s = 1; s <= full; s++) {
      if ((s & 1023) === 0 && performance.now() > deadline) throw new BudgetExceeded();
      const low = s & -s;
      const rest = s ^ low;
      let best = Infinity;
      let bestLargest = Infinity;
      let bestGroup = 0;
      // Groups are the lowest operand plus any subset of the rest; the whole set is not a
      // partition into two or more groups, so it is skipped at the top.
      for (let sub = rest; ; sub = (sub - 1) & rest) {
        const group = low | sub;
        if (!(s === full && group === full)) {
          const candidate = cost[group] + everything + part[s ^ group];
          const peak = Math.max(largest[group], partLargest[s ^ group]);
          if (candidate < best || (candidate === best && candidate !== Infinity && peak < bestLargest)) {
            best = candidate;
            bestLargest = peak;
            bestGroup = group;
          }
        }
        if (sub === 0) break;
      }
      part[s] = best;
      partLargest[s] = bestLargest;
      choice[s] = bestGroup;
    }
    if (part[full] === Infinity || n < 2) return null;
    const groups: number[] = [];
    for (let s = full; s !== 0; s ^= choice[s]) groups.push(choice[s]);
    const flops = part[full] + everything * ((inner ? 1 : 0) - 1);
    return { flops, largest: Math.max(partLargest[full], legSize[full]), groups };
  }

  /** Appends the steps of S's best tree in post-order (SSA); returns the SSA id of S's result. */
  private emit(s: number, split: Int32Array, steps: SsaPath): number {
    if ((s & (s - 1)) === 0) return 31 - Math.clz32(s);
    const a = split[s];
    const left = this.emit(a, split, steps);
    const right = this.emit(s ^ a, split, steps);
    steps.push([left, right]);
    return this.n + steps.length - 1;
  }
}
