/**
 * `greedy` and `random-greedy`. The core is a faithful port of opt_einsum's
 * `ssa_greedy_optimize` (same candidates, same tie-breaking, same eager Hadamard products),
 * so with its default cost it returns opt_einsum's greedy path exactly. `greedy` then also
 * tries a few other local costs and keeps whichever path has the fewest FLOPs;
 * `random-greedy` samples Boltzmann-weighted choices from a seeded generator.
 */
import { seededRandom } from '../random';
import { MinHeap } from './heap';
import { deadlineFrom, labelSets, sizeOf } from './labelsets';
import { pathScore } from './evaluate';
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

/** Local score of contracting k1 and k2 into k12; lower is tried first. */
export type GreedyCost = (size12: number, size1: number, size2: number) => number;

export const memoryRemoved: GreedyCost = (s12, s1, s2) => s12 - s1 - s2;

interface Candidate {
  cost: number;
  id1: number;
  id2: number;
  k1: LabelSetKey;
  k2: LabelSetKey;
  k12: number[];
}

/** Whether a candidate (cost, ids) comes before another: the cheaper, then the lower second id, then the lower first. */
function precedes(cost: number, id2: number, id1: number, otherCost: number, otherId2: number, otherId1: number): boolean {
  return cost !== otherCost ? cost < otherCost : id2 !== otherId2 ? id2 < otherId2 : id1 < otherId1;
}

const candidateOrder = (a: Candidate, b: Candidate) => precedes(a.cost, a.id2, a.id1, b.cost, b.id2, b.id1);

/** Picks the next contraction from the queue; null when the popped candidates were stale. */
export type Chooser = (queue: MinHeap<Candidate>, remaining: Map<LabelSetKey, number>) => Candidate | null;

const simpleChooser: Chooser = (queue, remaining) => {
  const c = queue.pop() as Candidate;
  return remaining.has(c.k1) && remaining.has(c.k2) ? c : null;
};

/** Identifies a sorted label set: its bitmask when the labels fit in one (nearly always), else its text. */
type LabelSetKey = number | string;

function keyFunction(labelCount: number): (labels: readonly number[]) => LabelSetKey {
  if (labelCount > 31) return (labels) => labels.join(',');
  return (labels) => {
    let mask = 0;
    for (const l of labels) mask |= 1 << l;
    return mask;
  };
}

/**
 * What every greedy run on a problem starts from, whatever its local cost: label sets, output
 * and sizes. Computed once and shared by the variants and trials of one search.
 */
export interface GreedySetup {
  inputs: number[][];
  /** isOutput[l] is 1 for the declared output's labels and those every operand carries. */
  isOutput: Uint8Array;
  sizes: readonly number[];
  keyOf: (labels: readonly number[]) => LabelSetKey;
}

export function greedySetup(problem: PathProblem): GreedySetup {
  const { inputs, output } = labelSets(problem);
  const sizes = problem.sizes;
  const isOutput = new Uint8Array(sizes.length);
  for (const dim of output) isOutput[dim] = 1;
  // An index carried by every operand cannot be contracted before the last step, so it is
  // treated as an output index: this avoids an all-pairs search over batch dimensions. Each
  // input's labels are a set, so an index every operand carries is counted once per operand.
  if (carriedBy.length < sizes.length) carriedBy = new Int32Array(sizes.length);
  const carried = carriedBy.fill(0, 0, sizes.length);
  for (const labels of inputs) for (const dim of labels) if (++carried[dim] === inputs.length) isOutput[dim] = 1;
  return { inputs, isOutput, sizes, keyOf: keyFunction(sizes.length) };
}

/** `greedySetup`'s counts, reused (setups never nest). */
let carriedBy = new Int32Array(64);

export function greedySsa(problem: PathProblem, cost: GreedyCost = memoryRemoved, chooser?: Chooser, setup: GreedySetup = greedySetup(problem)): SsaPath {
  const { inputs, isOutput, sizes, keyOf } = setup;
  if (inputs.length === 1) return [[0]];
  // opt_einsum pushes only each batch's best candidate unless a custom chooser wants them all.
  const pushAll = chooser !== undefined;
  const choose = chooser ?? simpleChooser;

  const remaining = new Map<LabelSetKey, number>();
  const labelsOfKey = new Map<LabelSetKey, number[]>();
  const path: SsaPath = [];
  let nextId = inputs.length;
  inputs.forEach((labels, ssaId) => {
    const key = keyOf(labels);
    labelsOfKey.set(key, labels);
    const twin = remaining.get(key);
    if (twin !== undefined) {
      path.push([twin, ssaId]);
      remaining.set(key, nextId++);
    } else {
      remaining.set(key, ssaId);
    }
  });

  // How many remaining keys carry each summable dim, as of its last update (opt_einsum keeps
  // the same information as its `dim_ref_counts` sets for counts 2 and 3).
  if (refCounts.length < sizes.length) refCounts = new Int32Array(sizes.length);
  const refCount = refCounts.fill(0, 0, sizes.length);
  // The remaining keys carrying each summable dim, in the order they were added (as opt_einsum's
  // sets iterate); small arrays, as a dim is carried by a few operands.
  const keysByDim: LabelSetKey[][] = new Array(sizes.length);
  // Summable dims in the order they first appear: candidates are scored in this order.
  const dims: number[] = [];
  // Counted first, so that each dim's list is made at its length (a list grown by pushes from
  // one key reserves room for 17). forEach, not for-of: a Map's iterator allocates a result per entry.
  remaining.forEach((_, key) => {
    for (const dim of labelsOfKey.get(key) as number[]) if (!isOutput[dim] && refCount[dim]++ === 0) dims.push(dim);
  });
  for (const dim of dims) {
    keysByDim[dim] = new Array<LabelSetKey>(refCount[dim]);
    refCount[dim] = 0;
  }
  // Filled in the same order; each count ends at its list's length.
  remaining.forEach((_, key) => {
    for (const dim of labelsOfKey.get(key) as number[]) if (!isOutput[dim]) keysByDim[dim][refCount[dim]++] = key;
  });
  const removeKey = (dim: number, key: LabelSetKey) => {
    const keys = keysByDim[dim];
    const at = keys.indexOf(key);
    if (at < 0) return;
    // Shifting by hand: splice allocates the removed part.
    for (let i = at; i < keys.length - 1; i++) keys[i] = keys[i + 1];
    keys.pop();
  };
  const updateRefCounts = (labels: readonly number[]) => {
    for (const dim of labels) if (!isOutput[dim]) refCount[dim] = keysByDim[dim].length;
  };

  /**
   * The size of contracting k1 with k2, merging their sorted label lists: a dim survives if it
   * is output, or still carried by a third key (when both carry it) or by another key (when
   * one does). With `collect`, the surviving dims are collected for `keptLabels`.
   */
  // What `merge` collects, copied out at its exact length (a list grown by pushes from empty
  // reserves room for 16 labels: most of a small search's garbage).
  const mergedLabels = mergedScratch;
  let merged = 0;
  const keptLabels = (): number[] => mergedLabels.slice(0, merged);
  const merge = (l1: readonly number[], l2: readonly number[], collect: boolean): number => {
    merged = 0;
    let size12 = 1;
    for (let i = 0, j = 0; i < l1.length || j < l2.length; ) {
      let dim: number;
      let both = false;
      if (j >= l2.length || (i < l1.length && l1[i] < l2[j])) dim = l1[i++];
      else if (i >= l1.length || l2[j] < l1[i]) dim = l2[j++];
      else {
        dim = l1[i++];
        j++;
        both = true;
      }
      if (isOutput[dim] || refCount[dim] >= (both ? 3 : 2)) {
        if (collect) mergedLabels[merged++] = dim;
        size12 *= sizes[dim];
      }
    }
    return size12;
  };

  const candidate = (k1: LabelSetKey, k2: LabelSetKey): Candidate => {
    const l1 = labelsOfKey.get(k1) as number[];
    const l2 = labelsOfKey.get(k2) as number[];
    const score = cost(merge(l1, l2, true), sizeOf(l1, sizes), sizeOf(l2, sizes));
    const k12 = keptLabels();
    let id1 = remaining.get(k1) as number;
    let id2 = remaining.get(k2) as number;
    if (id1 > id2) {
      [k1, k2] = [k2, k1];
      [id1, id2] = [id2, id1];
    }
    return { cost: score, id1, id2, k1, k2, k12 };
  };

  const queue = new MinHeap<Candidate>(candidateOrder);
  /** Candidates of k1 with k2s[from..end): all of them, or only the best (whose labels alone are collected). */
  const pushCandidates = (k1: LabelSetKey, k2s: readonly LabelSetKey[], from: number, end: number) => {
    if (pushAll) {
      for (let i = from; i < end; i++) queue.push(candidate(k1, k2s[i]));
      return;
    }
    const l1 = labelsOfKey.get(k1) as number[];
    const f1 = sizeOf(l1, sizes);
    const r1 = remaining.get(k1) as number;
    let best = -1;
    let bestCost = 0;
    let bestId1 = 0;
    let bestId2 = 0;
    for (let i = from; i < end; i++) {
      const k2 = k2s[i];
      const l2 = labelsOfKey.get(k2) as number[];
      const score = cost(merge(l1, l2, false), f1, sizeOf(l2, sizes));
      const r2 = remaining.get(k2) as number;
      const id1 = r1 < r2 ? r1 : r2;
      const id2 = r1 < r2 ? r2 : r1;
      // The queue's order, without a candidate object each; a tie keeps the earlier candidate.
      if (best < 0 || precedes(score, id2, id1, bestCost, bestId2, bestId1)) {
        best = i;
        bestCost = score;
        bestId1 = id1;
        bestId2 = id2;
      }
    }
    // The cost is not asked again: a custom one may draw random numbers.
    const k2 = k2s[best];
    merge(l1, labelsOfKey.get(k2) as number[], true);
    const k12 = keptLabels();
    const k1First = r1 === bestId1;
    queue.push({ cost: bestCost, id1: bestId1, id2: bestId2, k1: k1First ? k1 : k2, k2: k1First ? k2 : k1, k12 });
  };
  for (const dim of dims) {
    const sorted = byId(keysByDim[dim], remaining);
    for (let i = 0; i < sorted.length - 1; i++) pushCandidates(sorted[i], sorted, i + 1, sorted.length);
  }

  // The keys sharing a summable dim with the latest result: one list, refilled each step.
  const partners = partnersScratch;
  while (queue.size > 0) {
    const chosen = choose(queue, remaining);
    if (chosen === null) continue;
    const { k1, k2, k12: k12Labels } = chosen;
    const id1 = remaining.get(k1) as number;
    const id2 = remaining.get(k2) as number;
    remaining.delete(k1);
    remaining.delete(k2);
    const l1 = labelsOfKey.get(k1) as number[];
    const l2 = labelsOfKey.get(k2) as number[];
    for (const dim of l1) if (!isOutput[dim]) removeKey(dim, k1);
    for (const dim of l2) if (!isOutput[dim]) removeKey(dim, k2);
    path.push([id1, id2]);
    const k12 = keyOf(k12Labels);
    labelsOfKey.set(k12, k12Labels);
    const twin = remaining.get(k12);
    if (twin !== undefined) path.push([twin, nextId++]);
    else for (const dim of k12Labels) if (!isOutput[dim] && !keysByDim[dim].includes(k12)) keysByDim[dim].push(k12);
    remaining.set(k12, nextId++);
    updateRefCounts(l1);
    updateRefCounts(l2);

    let partnerCount = 0;
    for (const dim of k12Labels) {
      if (isOutput[dim]) continue;
      for (const key of keysByDim[dim]) if (key !== k12 && !isAmong(partners, partnerCount, key)) partners[partnerCount++] = key;
    }
    if (partnerCount > 0) pushCandidates(k12, partners, 0, partnerCount);
  }

  // One operand left (nearly always): the path is complete.
  if (remaining.size === 1) return path;
  // Whatever is left shares nothing summable: outer products, smallest first.
  type Part = { size: number; id: number; labels: number[] };
  const parts = new MinHeap<Part>((a, b) => (a.size !== b.size ? a.size < b.size : a.id < b.id));
  remaining.forEach((id, key) => {
    const labels = (labelsOfKey.get(key) as number[]).filter((d) => isOutput[d] === 1);
    parts.push({ size: sizeOf(labels, sizes), id, labels });
  });
  let acc = parts.pop() as Part;
  while (parts.size > 0) {
    const other = parts.pop() as Part;
    path.push([Math.min(acc.id, other.id), Math.max(acc.id, other.id)]);
    const labels = [...new Set([...acc.labels, ...other.labels])].filter((d) => isOutput[d] === 1);
    parts.push({ size: sizeOf(labels, sizes), id: nextId++, labels });
    acc = parts.pop() as Part;
  }
  return path;
}

/**
 * The counts of `greedySsa`, reused: a typed array per run was a large share of a small
 * search's cost. Runs never nest (a chooser or a local cost does not start another).
 */
let refCounts = new Int32Array(64);
/** `greedySsa`'s merged labels and partner keys, read only up to their counts (reused likewise). */
const mergedScratch: number[] = [];
const partnersScratch: LabelSetKey[] = [];

/** Whether `key` is among keys[0..count). */
function isAmong(keys: readonly LabelSetKey[], count: number, key: LabelSetKey): boolean {
  for (let i = 0; i < count; i++) if (keys[i] === key) return true;
  return false;
}

/** The keys ordered by their SSA ids (an insertion sort: there are a few). */
function byId(keys: readonly LabelSetKey[], remaining: ReadonlyMap<LabelSetKey, number>): LabelSetKey[] {
  const sorted = keys.slice();
  for (let i = 1; i < sorted.length; i++) {
    const key = sorted[i];
    const id = remaining.get(key) as number;
    let k = i;
    while (k > 0 && (remaining.get(sorted[k - 1]) as number) > id) sorted[k] = sorted[--k];
    sorted[k] = key;
  }
  return sorted;
}

/** Local costs `greedy` tries besides opt_einsum's own; each is cheap, the best one wins. */
const GREEDY_VARIANTS: GreedyCost[] = [
  memoryRemoved,
  (s12, s1, s2) => s12 - 0.5 * (s1 + s2),
  (s12) => s12,
  (s12, s1, s2) => s12 * Math.max(s1, s2) / Math.min(s1, s2) - s1 - s2,
];

export function bestGreedySsa(problem: PathProblem, objective: 'flops' | 'size' = 'flops', setup: GreedySetup = greedySetup(problem)): SsaPath {
  return bestGreedyScored(problem, objective, setup).path;
}

/** `bestGreedySsa` with its path's score, for callers that compare it further. */
export function bestGreedyScored(problem: PathProblem, objective: 'flops' | 'size', setup: GreedySetup = greedySetup(problem)): ScoredPath {
  return bestScored(problem, objective, GREEDY_VARIANTS.map((variant) => greedySsa(problem, variant, undefined, setup)));
}

/** The candidate path that is best for the objective (ties keep the earlier one). */
export function bestOf(problem: PathProblem, objective: 'flops' | 'size', paths: Iterable<SsaPath>): SsaPath {
  return bestScored(problem, objective, paths).path;
}

export interface ScoredPath {
  path: SsaPath;
  flops: number;
  largest: number;
}

export function bestScored(problem: PathProblem, objective: 'flops' | 'size', paths: Iterable<SsaPath>): ScoredPath {
  let best: ScoredPath = { path: [], flops: Infinity, largest: Infinity };
  for (const path of paths) {
    const { flops, largest } = pathScore(problem, path);
    const candidate = { path, flops, largest };
    if (scoresBetter(objective, candidate, best)) best = candidate;
  }
  return best;
}

/** Whether `a` beats `b` for the objective, the other measure breaking ties. */
export function scoresBetter(objective: 'flops' | 'size', a: Omit<ScoredPath, 'path'>, b: Omit<ScoredPath, 'path'>): boolean {
  const [a0, a1, b0, b1] = objective === 'size' ? [a.largest, a.flops, b.largest, b.flops] : [a.flops, a.largest, b.flops, b.largest];
  return a0 < b0 || (a0 === b0 && a1 < b1);
}

/**
 * opt_einsum's RandomGreedy: each trial perturbs the local cost slightly and picks among the
 * `nbranch` best candidates with Boltzmann weights. Trial 0 is the plain greedy, so the
 * result is never worse than `greedy`.
 */
export function randomGreedySsa(
  problem: PathProblem,
  options: { repeats: number; seed: number; objective: 'flops' | 'size'; budgetMs?: number },
): SsaPath {
  const deadline = deadlineFrom(options.budgetMs);
  const random = seededRandom(options.seed);
  const gauss = () => {
    const u = Math.max(random(), Number.MIN_VALUE);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const setup = greedySetup(problem);
  function* trials(): Generator<SsaPath> {
    yield bestGreedySsa(problem, options.objective, setup);
    // Trials stop at the deadline: the best path so far is as valid as any.
    for (let trial = 1; trial < options.repeats && performance.now() < deadline; trial++) {
      const temperature = 2 ** (random() * 4 - 3);
      const jitter: GreedyCost = (s12, s1, s2) => (1 + 0.01 * gauss()) * (s12 - s1 - s2);
      yield greedySsa(problem, jitter, thermalChooser(random, temperature, 8), setup);
    }
  }
  return bestOf(problem, options.objective, trials());
}

function thermalChooser(random: () => number, temperature: number, nbranch: number): Chooser {
  return (queue, remaining) => {
    const choices: Candidate[] = [];
    while (queue.size > 0 && choices.length < nbranch) {
      const c = queue.pop() as Candidate;
      if (remaining.has(c.k1) && remaining.has(c.k2)) choices.push(c);
    }
    if (choices.length === 0) return null;
    if (choices.length === 1) return choices[0];
    const cmin = choices[0].cost;
    const t = temperature * Math.max(1, Math.abs(cmin));
    const weights = choices.map((c) => Math.exp(-(c.cost - cmin) / t));
    let pick = random() * weights.reduce((a, b) => a + b, 0);
    let chosen = 0;
    while (chosen < choices.length - 1 && (pick -= weights[chosen]) > 0) chosen++;
    const [taken] = choices.splice(chosen, 1);
    for (const other of choices) queue.push(other);
    return taken;
  };
}
