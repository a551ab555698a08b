/**
 * Fast FLOP count of an SSA path in doubles, for optimizers comparing candidate paths.
 * Reports use the exact BigInt accounting in ../cost.ts; both follow opt_einsum's flop_count.
 */
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

export function pathFlops(problem: PathProblem, path: SsaPath): number {
  return pathScore(problem, path).flops;
}

/** FLOPs and largest intermediate of an SSA path. */
export function pathScore(problem: PathProblem, path: SsaPath): { flops: number; largest: number } {
  const { inputs, output, sizes } = problem;
  const terms = inputs.length + path.length;
  if (scratch.carriers.length < sizes.length || scratch.start.length < terms) scratch = scratchFor(Math.max(sizes.length, scratch.carriers.length), Math.max(terms, scratch.start.length));
  // carriers[l]: live terms carrying label l, plus one for the output (terms hold each label once).
  const carriers = scratch.carriers.fill(0, 0, sizes.length);
  // seen[l] === stamp: label l is already in the current term, or the current step's union.
  const seen = scratch.seen.fill(0, 0, sizes.length);
  // union[0..count): the current step's labels (each once).
  const union = scratch.union;
  // Term t's labels are labels[start[t] .. start[t] + length[t]): inputs as sorted sets (as
  // opt_einsum's `set(term)`, in the order their sizes multiply), then each step's result.
  const { start, length } = scratch;
  let labels = scratch.labels;
  let top = 0;
  let stamp = 1;
  for (const l of output) {
    if (seen[l] === stamp) continue;
    seen[l] = stamp;
    carriers[l]++;
  }
  for (let t = 0; t < inputs.length; t++) {
    const term = inputs[t];
    stamp++;
    if (top + term.length > labels.length) labels = grown(top + term.length);
    start[t] = top;
    for (const l of term) {
      if (seen[l] === stamp) continue;
      seen[l] = stamp;
      carriers[l]++;
      // Insertion into the sorted run (terms are short).
      let k = top;
      while (k > start[t] && labels[k - 1] > l) {
        labels[k] = labels[k - 1];
        k--;
      }
      labels[k] = l;
      top++;
    }
    length[t] = top - start[t];
  }
  let total = 0;
  let largest = 0;
  let next = inputs.length;
  for (const step of path) {
    stamp++;
    let count = 0;
    for (const id of step) {
      for (let i = start[id], end = start[id] + length[id]; i < end; i++) {
        const l = labels[i];
        carriers[l]--;
        if (seen[l] !== stamp) {
          seen[l] = stamp;
          union[count++] = l;
        }
      }
    }
    if (top + count > labels.length) labels = grown(top + count);
    start[next] = top;
    let summed = false;
    let unionSize = 1;
    let resultSize = 1;
    for (let u = 0; u < count; u++) {
      const l = union[u];
      unionSize *= sizes[l];
      if (carriers[l] > 0) {
        labels[top++] = l;
        resultSize *= sizes[l];
        carriers[l]++;
      } else summed = true;
    }
    length[next] = top - start[next];
    next++;
    total += unionSize * (Math.max(1, step.length - 1) + (summed ? 1 : 0));
    if (resultSize > largest) largest = resultSize;
  }
  return { flops: total, largest };
}

/**
 * Counters and term storage reused by every call (optimizers score thousands of small paths
 * per analysis, and the arrays of each call were most of its garbage); calls never nest.
 */
let scratch = scratchFor(64, 64);

function scratchFor(labelCount: number, terms: number): Scratch {
  return {
    carriers: new Int32Array(labelCount),
    seen: new Int32Array(labelCount),
    union: new Int32Array(labelCount),
    start: new Int32Array(terms),
    length: new Int32Array(terms),
    labels: new Int32Array(Math.max(256, labelCount * 4)),
  };
}

interface Scratch {
  carriers: Int32Array;
  seen: Int32Array;
  union: Int32Array;
  start: Int32Array;
  length: Int32Array;
  labels: Int32Array;
}

/** The term storage with room for `needed` labels, its content kept. */
function grown(needed: number): Int32Array {
  const labels = new Int32Array(Math.max(needed, scratch.labels.length * 2));
  labels.set(scratch.labels);
  scratch.labels = labels;
  return labels;
}
