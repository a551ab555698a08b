/**
 * `optimal`: exact minimum over every pairwise path, outer products included, by dynamic
 * programming over all subsets of operands (O(3^n) splits). Unlike opt_einsum's depth-first
 * search it has no result cache keyed on index sets alone, so it cannot miss the optimum.
 *
 * With a memory limit, intermediates above the limit are forbidden; as in opt_einsum the
 * search may then end with one multi-operand step over whatever is left, which is also
 * searched exactly (a partition of the operands into intermediates).
 */
import { BudgetExceeded, LabelSpace, TooManyOperands, deadlineFrom, labelSets } from './labelsets';
import { treeToSsa, type ContractionTree, type SsaPath } from './ssa';
import type { PathProblem } from './types';

export const OPTIMAL_MAX_OPERANDS = 20;

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

/** Per-subset index bookkeeping shared by the passes of the search. */
class SubsetTable {
  readonly n: number;
  readonly full: number;
  readonly space: LabelSpace;
  /** legs[S]: labels of subset S still needed outside it (or in the output). */
  readonly legs: Uint32Array;
  /**
   * operand[S]: the labels S brings into a step: its legs once contracted, but all of an
   * input's own labels while it is still raw (flop_count counts indices summed on first use).
   */
  private readonly operand: Uint32Array;
  readonly legSize: Float64Array;
  /** Whether a single step over all of S sums something away. */
  private readonly allLabels: Uint32Array;
  private readonly outputMask: Uint32Array;

  constructor(problem: PathProblem) {
    const { inputs, output } = labelSets(problem);
    this.n = inputs.length;
    this.full = 2 ** this.n - 1;
    const space = (this.space = new LabelSpace(problem.sizes));
    const w = space.words;
    const count = this.full + 1;
    const union = space.alloc(count);
    for (let s = 1; s < count; s++) {
      const low = 31 - Math.clz32(s & -s);
      const rest = s & (s - 1);
      for (let i = 0; i < w; i++) union[s * w + i] = union[rest * w + i];
      space.fromLabels(inputs[low], union, s);
    }
    this.outputMask = space.fromLabels(output);
    this.allLabels = union.slice(this.full * w, (this.full + 1) * w);
    this.legs = space.alloc(count);
    this.legSize = new Float64Array(count);
    for (let s = 1; s < count; s++) {
      const complement = this.full ^ s;
      for (let i = 0; i < w; i++) {
        this.legs[s * w + i] = union[s * w + i] & (union[complement * w + i] | this.outputMask[i]);
      }
      this.legSize[s] = space.size(this.legs, s);
    }
    this.operand = this.legs.slice();
    inputs.forEach((labels, i) => {
      this.operand.fill(0, (1 << i) * w, ((1 << i) + 1) * w);
      space.fromLabels(labels, this.operand, 1 << i);
    });
  }

  /** Exact minimum over paths of the largest intermediate (output included). */
  minimaxLargest(deadline: number): number {
    const worst = new Float64Array(this.full + 1).fill(Infinity);
    for (let i = 0; i < this.n; i++) worst[1 << i] = 0;
    for (let s = 1; s <= this.full; s++) {
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
      worst[s] = Math.max(best, this.legSize[s]);
    }
    return worst[this.full];
  }

  bestFlops(limit: number, deadline: number): SsaPath {
    const { n, full, operand, legSize, space } = this;
    const w = space.words;
    const cost = new Float64Array(full + 1).fill(Infinity);
    const split = new Int32Array(full + 1);
    for (let i = 0; i < n; i++) cost[1 << i] = 0;
    for (let s = 1; s <= full; s++) {
      const rest = s & (s - 1);
      if (rest === 0 || legSize[s] > limit) continue;
      if ((s & 1023) === 0 && performance.now() > deadline) throw new BudgetExceeded();
      const low = s & -s;
      let best = Infinity;
      let bestA = 0;
      for (let sub = (rest - 1) & rest; ; sub = (sub - 1) & rest) {
        const a = low | sub;
        const b = s ^ a;
        const base = cost[a] + cost[b];
        if (base < best) {
          let flops = space.unionSize(operand, a, operand, b);
          if (this.sumsAway(a, b, s, w)) flops *= 2;
          if (base + flops < best) {
            best = base + flops;
            bestA = a;
          }
        }
        if (sub === 0) break;
      }
      cost[s] = best;
      split[s] = bestA;
    }
    const pairwise = cost[full];
    const fallback = limit < Infinity ? this.bestFinalStep(cost, deadline) : null;
    if (fallback && fallback.flops < pairwise) {
      const tree: ContractionTree = fallback.groups.map((g) => this.tree(g, split));
      return treeToSsa(tree, n);
    }
    if (pairwise === Infinity) throw new Error('no path found');
    return treeToSsa(this.tree(full, split), n);
  }

  private sumsAway(a: number, b: number, s: number, w: number): boolean {
    const { legs, operand } = this;
    for (let i = 0; i < w; i++) {
      if (((operand[a * w + i] | operand[b * w + i]) & ~legs[s * w + i]) !== 0) return true;
    }
    return false;
  }

  /**
   * The cheapest way to end with one step over k ≥ 2 groups, each an allowed intermediate:
   * that step costs P·(k−1+inner) with P the product of all sizes, so each group adds P.
   */
  private bestFinalStep(cost: Float64Array, deadline: number): { flops: number; groups: number[] } | null {
    const { full, n, space } = this;
    const everything = space.size(this.allLabels, 0);
    let inner = false;
    for (let i = 0; i < space.words; i++) if (this.allLabels[i] & ~this.outputMask[i]) inner = true;
    const part = new Float64Array(full + 1).fill(Infinity);
    const choice = new Int32Array(full + 1);
    part[0] = 0;
    for (let s = 1; s <= full; s++) {
      if ((s & 1023) === 0 && performance.now() > deadline) throw new BudgetExceeded();
      const low = s & -s;
      const rest = s ^ low;
      let best = Infinity;
      let bestGroup = 0;
      // Groups are the lowest operand plus any subset of the rest; the whole set is not a
      // partition into two or more groups, so it is skipped at the top.
      for (let sub = rest; ; sub = (sub - 1) & rest) {
        const group = low | sub;
        if (!(s === full && group === full)) {
          const candidate = cost[group] + everything + part[s ^ group];
          if (candidate < best) {
            best = candidate;
            bestGroup = group;
          }
        }
        if (sub === 0) break;
      }
      part[s] = best;
      choice[s] = bestGroup;
    }
    if (part[full] === Infinity || n < 2) return null;
    const groups: number[] = [];
    for (let s = full; s !== 0; s ^= choice[s]) groups.push(choice[s]);
    return { flops: part[full] + everything * ((inner ? 1 : 0) - 1), groups };
  }

  private tree(s: number, split: Int32Array): ContractionTree {
    if ((s & (s - 1)) === 0) return 31 - Math.clz32(s);
    const a = split[s];
    return [this.tree(a, split), this.tree(s ^ a, split)];
  }
}
