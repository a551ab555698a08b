/**
 * `branch-all`, `branch-2`, `branch-1`: opt_einsum's branch and bound. At each level the
 * pairwise candidates are ranked by the memory-removed heuristic and the best `nbranch` of
 * them explored depth-first, pruned by the best complete path so far and by a cut-off
 * relative to the best partial cost seen at the same depth.
 *
 * opt_einsum caches each pair's result on the two index sets alone, although the result
 * also depends on which other operands remain; this port computes it afresh each time.
 */
import { BudgetExceeded, LabelSpace, deadlineFrom, labelSets } from './labelsets';
import { MinHeap } from './heap';
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

export interface BranchOptions {
  /** How many of the best candidates to explore per level; null explores all. */
  nbranch: number | null;
  memoryLimit: number;
  objective: 'flops' | 'size';
  cutoffFlopsFactor?: number;
  budgetMs?: number;
  /** Take one branch's candidate from the queue too, not by a scan: the scan's reference, for tests. */
  alwaysQueue?: boolean;
}

interface Candidate {
  cost: number;
  flops12: number;
  newFlops: number;
  newSize: number;
  i: number;
  j: number;
  k12: Uint32Array;
}

const candidateOrder = (a: Candidate, b: Candidate) =>
  a.cost !== b.cost
    ? a.cost < b.cost
    : a.flops12 !== b.flops12
      ? a.flops12 < b.flops12
      : a.newFlops !== b.newFlops
        ? a.newFlops < b.newFlops
        : a.newSize !== b.newSize
          ? a.newSize < b.newSize
          : a.i !== b.i
            ? a.i < b.i
            : a.j < b.j;

export function branchPath(problem: PathProblem, options: BranchOptions): SsaPath {
  const { inputs, output } = labelSets(problem);
  // Byte tables pay off only over many size lookups; without them, sizes multiply label by
  // label, in another order, which gives the same doubles while every product is exact.
  const exact = productIsExact(problem.sizes);
  const space = new LabelSpace(problem.sizes, !exact);
  const w = space.words;
  const outputMask = space.fromLabels(output);
  const tensors: Uint32Array[] = inputs.map((labels) => space.fromLabels(labels));
  const sizeOfSet = (set: Uint32Array) => space.size(set, 0);
  const cutoff = options.cutoffFlopsFactor ?? 4;
  const deadline = deadlineFrom(options.budgetMs);
  const better =
    options.objective === 'size'
      ? (f: number, s: number, bf: number, bs: number) => s < bs || (s === bs && f < bf)
      : (f: number, s: number, bf: number, bs: number) => f < bf || (f === bf && s < bs);

  // Each candidate's sets, worked out in place: only a surviving candidate keeps a copy of k12.
  const needed = new Uint32Array(w);
  const union = new Uint32Array(w);
  const k12 = new Uint32Array(w);
  let best: { flops: number; size: number; path: SsaPath } = { flops: Infinity, size: Infinity, path: [] };
  const bestProgress = new Map<number, number>();
  let visits = 0;

  const contractAll = (remaining: number[]): number => {
    const union = new Uint32Array(w);
    let inner = false;
    for (const id of remaining) for (let i = 0; i < w; i++) union[i] |= tensors[id][i];
    for (let i = 0; i < w; i++) if (union[i] & ~outputMask[i]) inner = true;
    return sizeOfSet(union) * (Math.max(1, remaining.length - 1) + (inner ? 1 : 0));
  };

  const iterate = (path: SsaPath, remaining: number[], flops: number, size: number): void => {
    if ((++visits & 255) === 0 && performance.now() > deadline) throw new BudgetExceeded();
    if (remaining.length === 1) {
      best = { flops, size, path };
      return;
    }
    const depth = tensors.length;
    const assess = (i: number, j: number): Candidate | null => {
      needed.set(outputMask);
      for (const id of remaining) if (id !== i && id !== j) for (let x = 0; x < w; x++) needed[x] |= tensors[id][x];
      let summed = false;
      for (let x = 0; x < w; x++) {
        union[x] = tensors[i][x] | tensors[j][x];
        k12[x] = union[x] & needed[x];
        if (union[x] !== k12[x]) summed = true;
      }
      const flops12 = sizeOfSet(union) * (summed ? 2 : 1);
      const size12 = sizeOfSet(k12);
      let newFlops = flops + flops12;
      const newSize = Math.max(size, size12);
      if (!better(newFlops, newSize, best.flops, best.size)) return null;
      const progress = bestProgress.get(depth) ?? Infinity;
      if (newFlops < progress) bestProgress.set(depth, newFlops);
      else if (newFlops > cutoff * progress) return null;
      if (size12 > options.memoryLimit) {
        // Too big to form: consider finishing with one step over everything left instead.
        newFlops = flops + contractAll(remaining);
        if (newFlops < best.flops) best = { flops: newFlops, size: best.size, path: [...path, [...remaining]] };
        return null;
      }
      const cost = size12 - sizeOfSet(tensors[i]) - sizeOfSet(tensors[j]);
      return { cost, flops12, newFlops, newSize, i, j, k12: k12.slice() };
    };

    const sorted = ascending(remaining);
    /** Hands `take` every surviving pair that shares an index; outer products only when none survived. */
    const assessPairs = (take: (candidate: Candidate) => void): void => {
      let survived = false;
      for (let outer = 0; outer < 2 && !survived; outer++) {
        for (let a = 0; a < sorted.length; a++) {
          for (let b = a + 1; b < sorted.length; b++) {
            const i = sorted[a];
            const j = sorted[b];
            if (!outer && !shares(tensors[i], tensors[j])) continue;
            const candidate = assess(i, j);
            if (candidate) {
              survived = true;
              take(candidate);
            }
          }
        }
      }
    };
    if (options.nbranch === 1 && exact && !options.alwaysQueue) {
      // One branch: the queue's first candidate is the least, found by a scan. candidateOrder is
      // a total order on distinct pairs while every count is finite, so the scan finds the same.
      let least = null as Candidate | null;
      assessPairs((candidate) => {
        if (least === null || candidateOrder(candidate, least)) least = candidate;
      });
      if (least !== null) explore(path, remaining, least);
      return;
    }
    const queue = new MinHeap<Candidate>(candidateOrder);
    assessPairs((candidate) => queue.push(candidate));
    for (let explored = 0; (options.nbranch === null || explored < options.nbranch) && queue.size > 0; explored++) explore(path, remaining, queue.pop() as Candidate);
  };

  /** Contracts the candidate's pair and searches on from there. */
  const explore = (path: SsaPath, remaining: number[], c: Candidate): void => {
    const id = tensors.length;
    tensors.push(c.k12);
    iterate([...path, [c.i, c.j]], [...remaining.filter((r) => r !== c.i && r !== c.j), id], c.newFlops, c.newSize);
    tensors.pop();
  };

  iterate([], inputs.map((_, i) => i), 0, 0);
  return best.path;
}

function shares(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] & b[i]) return true;
  return false;
}

/** Whether the product of every size is below 2^53, so that any product of some of them is exact in doubles. */
function productIsExact(sizes: readonly number[]): boolean {
  let product = 1;
  for (const size of sizes) product *= size;
  return product <= Number.MAX_SAFE_INTEGER;
}

/** The ids in increasing order (an insertion sort: a few ids; `sort` allocates its work space). */
function ascending(ids: readonly number[]): number[] {
  const sorted = ids.slice();
  for (let i = 1; i < sorted.length; i++) {
    const id = sorted[i];
    let k = i;
    while (k > 0 && sorted[k - 1] > id) sorted[k] = sorted[--k];
    sorted[k] = id;
  }
  return sorted;
}
