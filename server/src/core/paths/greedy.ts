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

const candidateOrder = (a: Candidate, b: Candidate) =>
  a.cost !== b.cost ? a.cost < b.cost : a.id2 !== b.id2 ? a.id2 < b.id2 : a.id1 < b.id1;

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

export function greedySsa(problem: PathProblem, cost: GreedyCost = memoryRemoved, chooser?: Chooser): SsaPath {
  const { inputs, output: declaredOutput } = labelSets(problem);
  const keyOf = keyFunction(problem.sizes.length);
  const sizes = problem.sizes;
  if (inputs.length === 1) return [[0]];
  // opt_einsum pushes only each batch's best candidate unless a custom chooser wants them all.
  const pushAll = chooser !== undefined;
  const choose = chooser ?? simpleChooser;

  // An index carried by every operand cannot be contracted before the last step, so it is
  // treated as an output index: this avoids an all-pairs search over batch dimensions.
  const common = inputs.reduce((acc, labels) => acc.filter((l) => labels.includes(l)));
  const output = new Set([...declaredOutput, ...common]);

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

  const dimToKeys = new Map<number, Set<LabelSetKey>>();
  const keysOf = (dim: number) => {
    let keys = dimToKeys.get(dim);
    if (!keys) dimToKeys.set(dim, (keys = new Set()));
    return keys;
  };
  for (const key of remaining.keys()) {
    for (const dim of labelsOfKey.get(key) as number[]) if (!output.has(dim)) keysOf(dim).add(key);
  }
  // How many remaining keys carry each summable dim, as of its last update (opt_einsum keeps
  // the same information as its `dim_ref_counts` sets for counts 2 and 3).
  const refCount = new Int32Array(sizes.length);
  const isOutput = new Uint8Array(sizes.length);
  for (const dim of output) isOutput[dim] = 1;
  const updateRefCounts = (dims: Iterable<number>) => {
    for (const dim of dims) refCount[dim] = keysOf(dim).size;
  };
  updateRefCounts(dimToKeys.keys());

  const footprint = new Map<LabelSetKey, number>();
  for (const key of remaining.keys()) footprint.set(key, sizeOf(labelsOfKey.get(key) as number[], sizes));

  const candidate = (k1: LabelSetKey, k2: LabelSetKey): Candidate => {
    const l1 = labelsOfKey.get(k1) as number[];
    const l2 = labelsOfKey.get(k2) as number[];
    // Merge the two sorted label lists: a dim survives if it is output, or still carried by a
    // third key (when both carry it) or by another key (when one does).
    const k12: number[] = [];
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
        k12.push(dim);
        size12 *= sizes[dim];
      }
    }
    let id1 = remaining.get(k1) as number;
    let id2 = remaining.get(k2) as number;
    const score = cost(size12, footprint.get(k1) as number, footprint.get(k2) as number);
    if (id1 > id2) {
      [k1, k2] = [k2, k1];
      [id1, id2] = [id2, id1];
    }
    return { cost: score, id1, id2, k1, k2, k12 };
  };

  const queue = new MinHeap<Candidate>(candidateOrder);
  const pushCandidates = (k1: LabelSetKey, k2s: LabelSetKey[]) => {
    const candidates = k2s.map((k2) => candidate(k1, k2));
    if (pushAll) for (const c of candidates) queue.push(c);
    else queue.push(candidates.reduce((best, c) => (candidateOrder(c, best) ? c : best)));
  };
  for (const keys of dimToKeys.values()) {
    const sorted = [...keys].sort((a, b) => (remaining.get(a) as number) - (remaining.get(b) as number));
    for (let i = 0; i < sorted.length - 1; i++) pushCandidates(sorted[i], sorted.slice(i + 1));
  }

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
    for (const dim of l1) if (!output.has(dim)) keysOf(dim).delete(k1);
    for (const dim of l2) if (!output.has(dim)) keysOf(dim).delete(k2);
    path.push([id1, id2]);
    const k12 = keyOf(k12Labels);
    labelsOfKey.set(k12, k12Labels);
    const twin = remaining.get(k12);
    if (twin !== undefined) path.push([twin, nextId++]);
    else for (const dim of k12Labels) if (!output.has(dim)) keysOf(dim).add(k12);
    remaining.set(k12, nextId++);
    updateRefCounts([...l1, ...l2].filter((d) => !output.has(d)));
    footprint.set(k12, sizeOf(k12Labels, sizes));

    const partners = new Set<LabelSetKey>();
    for (const dim of k12Labels) if (!output.has(dim)) for (const key of keysOf(dim)) partners.add(key);
    partners.delete(k12);
    if (partners.size > 0) pushCandidates(k12, [...partners]);
  }

  // Whatever is left shares nothing summable: outer products, smallest first.
  type Part = { size: number; id: number; labels: number[] };
  const parts = new MinHeap<Part>((a, b) => (a.size !== b.size ? a.size < b.size : a.id < b.id));
  for (const [key, id] of remaining) {
    const labels = (labelsOfKey.get(key) as number[]).filter((d) => output.has(d));
    parts.push({ size: sizeOf(labels, sizes), id, labels });
  }
  let acc = parts.pop() as Part;
  while (parts.size > 0) {
    const other = parts.pop() as Part;
    path.push([Math.min(acc.id, other.id), Math.max(acc.id, other.id)]);
    const labels = [...new Set([...acc.labels, ...other.labels])].filter((d) => output.has(d));
    parts.push({ size: sizeOf(labels, sizes), id: nextId++, labels });
    acc = parts.pop() as Part;
  }
  return path;
}

/** Local costs `greedy` tries besides opt_einsum's own; each is cheap, the best one wins. */
const GREEDY_VARIANTS: GreedyCost[] = [
  memoryRemoved,
  (s12, s1, s2) => s12 - 0.5 * (s1 + s2),
  (s12) => s12,
  (s12, s1, s2) => s12 * Math.max(s1, s2) / Math.min(s1, s2) - s1 - s2,
];

export function bestGreedySsa(problem: PathProblem, objective: 'flops' | 'size' = 'flops'): SsaPath {
  return bestOf(problem, objective, GREEDY_VARIANTS.map((variant) => greedySsa(problem, variant)));
}

/** The candidate path that is best for the objective (ties keep the earlier one). */
export function bestOf(problem: PathProblem, objective: 'flops' | 'size', paths: Iterable<SsaPath>): SsaPath {
  let best: SsaPath = [];
  let bestScore: [number, number] = [Infinity, Infinity];
  for (const path of paths) {
    const { flops, largest } = pathScore(problem, path);
    const score: [number, number] = objective === 'size' ? [largest, flops] : [flops, largest];
    if (score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) {
      best = path;
      bestScore = score;
    }
  }
  return best;
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
  function* trials(): Generator<SsaPath> {
    yield bestGreedySsa(problem, options.objective);
    // Trials stop at the deadline: the best path so far is as valid as any.
    for (let trial = 1; trial < options.repeats && performance.now() < deadline; trial++) {
      const temperature = 2 ** (random() * 4 - 3);
      const jitter: GreedyCost = (s12, s1, s2) => (1 + 0.01 * gauss()) * (s12 - s1 - s2);
      yield greedySsa(problem, jitter, thermalChooser(random, temperature, 8));
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
