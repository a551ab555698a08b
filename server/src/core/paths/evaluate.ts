/**
 * Fast FLOP count of an SSA path in doubles, for optimizers comparing candidate paths.
 * Reports use the exact BigInt accounting in ../cost.ts; both follow opt_einsum's flop_count.
 */
import { labelSets } from './labelsets';
import type { SsaPath } from './ssa';
import type { PathProblem } from './types';

export function pathFlops(problem: PathProblem, path: SsaPath): number {
  return pathScore(problem, path).flops;
}

/** FLOPs and largest intermediate of an SSA path. */
export function pathScore(problem: PathProblem, path: SsaPath): { flops: number; largest: number } {
  const { inputs, output } = labelSets(problem);
  const sizes = problem.sizes;
  if (scratch.carriers.length < sizes.length) scratch = scratchFor(sizes.length);
  // carriers[l]: live terms carrying label l, plus one for the output (terms hold each label once).
  const carriers = scratch.carriers.fill(0, 0, sizes.length);
  // seen[l] === stamp: label l is already in the current step's union.
  const seen = scratch.seen.fill(0, 0, sizes.length);
  // union[0..count): the current step's labels (each once).
  const union = scratch.union;
  let stamp = 0;
  for (const l of output) carriers[l]++;
  for (const labels of inputs) for (const l of labels) carriers[l]++;
  const live: number[][] = inputs;
  let total = 0;
  let largest = 0;
  for (const step of path) {
    stamp++;
    let count = 0;
    for (const id of step) {
      for (const l of live[id]) {
        carriers[l]--;
        if (seen[l] !== stamp) {
          seen[l] = stamp;
          union[count++] = l;
        }
      }
    }
    const result: number[] = [];
    let summed = false;
    let unionSize = 1;
    let resultSize = 1;
    for (let u = 0; u < count; u++) {
      const l = union[u];
      unionSize *= sizes[l];
      if (carriers[l] > 0) {
        result.push(l);
        resultSize *= sizes[l];
        carriers[l]++;
      } else summed = true;
    }
    total += unionSize * (Math.max(1, step.length - 1) + (summed ? 1 : 0));
    if (resultSize > largest) largest = resultSize;
    live.push(result);
  }
  return { flops: total, largest };
}

/**
 * Counters reused by every call (optimizers score thousands of small paths per analysis, and
 * two typed arrays per call were a tenth of its garbage); calls never nest.
 */
let scratch = scratchFor(64);

function scratchFor(labels: number): { carriers: Int32Array; seen: Int32Array; union: Int32Array } {
  return { carriers: new Int32Array(labels), seen: new Int32Array(labels), union: new Int32Array(labels) };
}
