/**
 * `dp`: dynamic programming over connected subgraphs (Pfeifer, Haegeman & Verstraete 2014),
 * the search opt_einsum's `dp` runs, with two differences that only ever lower the result:
 * candidates are scored with the true flop_count (opt_einsum's dp ignores the factor 2 of a
 * summation and indices it strips beforehand), and disconnected parts are joined by an
 * exact search instead of one final many-operand step.
 *
 * Operands are connected when they share a summed index (not an output index, which a
 * batch dimension would make connect everything). Solutions are only kept while their cost
 * is under a cap, which grows geometrically until the whole graph is solved: exact, and
 * fast because expensive partial solutions are never combined.
 */
import { BudgetExceeded, LabelSpace, NoPathWithinLimit, TooManyOperands, deadlineFrom, labelSets } from './labelsets';
import { optimalPath } from './optimal';
import { treeToSsa, type ContractionTree, type SsaPath } from './ssa';
import type { PathProblem } from './types';

export const DP_MAX_OPERANDS = 31;

export interface DpOptions {
  memoryLimit: number;
  objective: 'flops' | 'size';
  /** Also combine pairs that share no summed index (slower, finds outer-product paths). */
  searchOuter?: boolean;
  budgetMs?: number;
}

interface Entry {
  members: number;
  /** Labels this entry brings into a step (all of a raw input's labels). */
  indices: Uint32Array;
  /** Labels still needed outside it (an input's single-use labels are not). */
  legs: Uint32Array;
  cost: number;
  /** The largest intermediate of its tree, its own result included (0 for an input). */
  largest: number;
  tree: ContractionTree;
}

export function dpPath(problem: PathProblem, options: DpOptions): SsaPath {
  const n = problem.inputs.length;
  if (n > DP_MAX_OPERANDS) {
    throw new TooManyOperands(`dp supports at most ${DP_MAX_OPERANDS} operands (got ${n}); use greedy or random-greedy`);
  }
  const deadline = deadlineFrom(options.budgetMs);
  const search = new ConnectedSearch(problem, options.searchOuter ?? false, deadline);
  let limit = options.memoryLimit;
  if (options.objective === 'size') limit = Math.min(limit, search.solveAll('size', limit).worst);
  const { parts } = search.solveAll('flops', limit);
  return joinParts(problem, parts, search, limit);
}

class ConnectedSearch {
  readonly space: LabelSpace;
  readonly inputs: number[][];
  private readonly output: Uint32Array;
  private readonly summed: Uint32Array;
  /** occurrences[label]: bitset of the operands that carry the label. */
  private readonly occurrences: Uint32Array;
  readonly components: number[];

  constructor(
    problem: PathProblem,
    private readonly searchOuter: boolean,
    private readonly deadline: number,
  ) {
    const sets = labelSets(problem);
    this.inputs = sets.inputs;
    this.space = new LabelSpace(problem.sizes);
    this.output = this.space.fromLabels(sets.output);
    this.summed = this.space.alloc(1);
    this.occurrences = new Uint32Array(problem.sizes.length);
    this.inputs.forEach((labels, t) => {
      for (const l of labels) this.occurrences[l] |= 1 << t;
    });
    for (let l = 0; l < problem.sizes.length; l++) {
      if (!sets.output.includes(l)) this.summed[l >>> 5] |= 1 << (l & 31);
    }
    this.components = this.findComponents();
  }

  /** Groups of operands linked by shared summed indices (all one group with searchOuter). */
  private findComponents(): number[] {
    const n = this.inputs.length;
    const all = n === 0 ? 0 : (2 ** n - 1) >>> 0;
    if (this.searchOuter) return [all];
    const components: number[] = [];
    let unseen = all;
    while (unseen !== 0) {
      let component = unseen & -unseen;
      let frontier = component;
      while (frontier !== 0) {
        let next = 0;
        for (let f = frontier; f !== 0; f &= f - 1) {
          const t = 31 - Math.clz32(f & -f);
          for (const l of this.inputs[t]) if (this.isSummed(l)) next |= this.occurrences[l];
        }
        frontier = next & ~component;
        component |= frontier;
      }
      components.push(component >>> 0);
      unseen = (unseen & ~component) >>> 0;
    }
    return components;
  }

  private isSummed(label: number): boolean {
    return (this.summed[label >>> 5] & (1 << (label & 31))) !== 0;
  }

  solveAll(objective: 'flops' | 'size', limit: number): { parts: Entry[]; worst: number } {
    const parts = this.components.map((c) => this.solveComponent(c, objective, limit));
    return { parts, worst: Math.max(0, ...parts.map((p) => (objective === 'size' ? p.cost : 0))) };
  }

  private solveComponent(component: number, objective: 'flops' | 'size', limit: number): Entry {
    const members = bitsOf(component);
    const levels: Map<number, Entry>[] = [new Map()];
    for (let k = 1; k <= members.length; k++) levels.push(new Map());
    for (const t of members) {
      const indices = this.space.fromLabels(this.inputs[t]);
      const legs = this.space.fromLabels(this.inputs[t].filter((l) => !this.isSummed(l) || this.occurrences[l] !== (1 << t) >>> 0));
      levels[1].set(1 << t, { members: (1 << t) >>> 0, indices, legs, cost: 0, largest: 0, tree: t });
    }
    if (members.length === 1) return levels[1].values().next().value as Entry;
    const labelsHere = this.space.alloc(1);
    for (const t of members) this.space.fromLabels(this.inputs[t], labelsHere);
    let cap = Math.max(1, this.space.size(andWords(labelsHere, this.output), 0));
    let smallest = Infinity;
    for (const l of this.space.labelsOf(labelsHere, 0)) smallest = Math.min(smallest, this.space.sizes[l]);
    const growth = Math.max(2, Number.isFinite(smallest) ? smallest : 2);
    const top = levels[members.length];
    let exhausted = false;
    while (top.size === 0) {
      if (exhausted) throw new NoPathWithinLimit();
      if (cap === Infinity) exhausted = true;
      for (let size = 2; size <= members.length; size++) {
        for (let m = 1; m <= size >> 1; m++) this.combine(levels[m], levels[size - m], levels[size], m === size - m, objective, limit, cap);
      }
      cap = cap * growth;
      if (!Number.isFinite(cap) || cap > Number.MAX_VALUE / growth) cap = Infinity;
    }
    return top.values().next().value as Entry;
  }

  private combine(
    left: Map<number, Entry>,
    right: Map<number, Entry>,
    into: Map<number, Entry>,
    sameSize: boolean,
    objective: 'flops' | 'size',
    limit: number,
    cap: number,
  ): void {
    const w = this.space.words;
    const scratch = this.space.alloc(1);
    let checks = 0;
    for (const a of left.values()) {
      for (const b of right.values()) {
        // Counted before the overlap test: under a tight memory limit nearly every pair
        // overlaps, and a clock read only after it let the search run for seconds.
        if ((++checks & 4095) === 0 && performance.now() > this.deadline) throw new BudgetExceeded();
        if ((a.members & b.members) !== 0 || (sameSize && a.members > b.members)) continue;
        let linked = this.searchOuter;
        let summedAway = false;
        const members = (a.members | b.members) >>> 0;
        for (let i = 0; i < w; i++) {
          const shared = a.legs[i] & b.legs[i];
          if (shared & this.summed[i]) linked = true;
          // Labels on one side only are still needed elsewhere; shared ones only if some
          // operand outside the pair, or the output, carries them.
          let kept = a.legs[i] ^ b.legs[i];
          for (let s = shared; s !== 0; s &= s - 1) {
            const bit = s & -s;
            const label = i * 32 + 31 - Math.clz32(bit);
            if ((this.output[i] & bit) !== 0 || (this.occurrences[label] & ~members) !== 0) kept |= bit;
          }
          scratch[i] = kept;
          if ((a.indices[i] | b.indices[i]) !== kept) summedAway = true;
        }
        if (!linked) continue;
        const resultSize = this.space.size(scratch, 0);
        if (resultSize > limit) continue;
        const cost =
          objective === 'size'
            ? Math.max(a.cost, b.cost, resultSize)
            : a.cost + b.cost + this.space.unionSize(a.indices, 0, b.indices, 0) * (summedAway ? 2 : 1);
        if (cost > cap) continue;
        const largest = Math.max(a.largest, b.largest, resultSize);
        const known = into.get(members);
        if (known === undefined) {
          const legs = scratch.slice();
          into.set(members, { members, indices: legs, legs, cost, largest, tree: [a.tree, b.tree] });
        } else if (cost < known.cost || (cost === known.cost && largest < known.largest)) {
          // Of equal costs, the smaller largest intermediate (both compose monotonically).
          known.cost = cost;
          known.largest = largest;
          known.legs.set(scratch);
          known.tree = [a.tree, b.tree];
        }
      }
    }
  }
}

/** Joins the solved components with an exact search over their results. */
function joinParts(problem: PathProblem, parts: Entry[], search: ConnectedSearch, limit: number): SsaPath {
  const n = problem.inputs.length;
  if (parts.length === 1) return treeToSsa(parts[0].tree, n);
  const space = search.space;
  const partProblem: PathProblem = {
    inputs: parts.map((p) => space.labelsOf(p.indices, 0)),
    output: problem.output,
    sizes: problem.sizes,
  };
  const order =
    parts.length <= 12
      ? optimalPath(partProblem, { memoryLimit: limit, objective: 'flops' })
      : smallestFirst(parts, space);
  const trees: ContractionTree[] = parts.map((p) => p.tree);
  for (const step of order) trees.push(step.map((id) => trees[id]));
  return treeToSsa(trees[trees.length - 1], n);
}

/** Many disconnected parts: outer products from the smallest up, as opt_einsum does. */
function smallestFirst(parts: Entry[], space: LabelSpace): SsaPath {
  const ids = parts.map((_, i) => i).sort((x, y) => space.size(parts[x].indices, 0) - space.size(parts[y].indices, 0));
  const steps: SsaPath = [];
  let acc = ids[0];
  let next = parts.length;
  for (const id of ids.slice(1)) {
    steps.push([acc, id]);
    acc = next++;
  }
  return steps;
}

function bitsOf(mask: number): number[] {
  const bits: number[] = [];
  for (let m = mask; m !== 0; m &= m - 1) bits.push(31 - Math.clz32(m & -m));
  return bits;
}

function andWords(a: Uint32Array, b: Uint32Array): Uint32Array {
  return a.map((x, i) => x & b[i]);
}
