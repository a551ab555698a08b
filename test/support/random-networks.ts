/** Seeded random contractions for property tests and benchmarks. */
import { seededRandom } from 'einsight-server/core/random';
import type { PathProblem } from 'einsight-server/core/paths/types';

export interface RandomNetworkOptions {
  operands: number;
  /** Average number of indices shared per operand (each shared index joins two operands). */
  regularity: number;
  /** Extra output indices, each on one random operand. */
  outputs: number;
  /** Indices that appear on one operand only and are summed away. */
  singleUse?: number;
  /** Indices repeated inside one operand (a diagonal). */
  repeats?: number;
  minSize?: number;
  maxSize?: number;
  seed: number;
}

/** Like opt_einsum's rand_equation: each summed index joins two random operands. */
export function randomNetwork(o: RandomNetworkOptions): PathProblem {
  const random = seededRandom(o.seed);
  const pick = (n: number) => Math.floor(random() * n);
  const inputs: number[][] = Array.from({ length: o.operands }, () => []);
  const sizes: number[] = [];
  const minSize = o.minSize ?? 2;
  const maxSize = o.maxSize ?? 9;
  const newLabel = () => {
    sizes.push(minSize + pick(maxSize - minSize + 1));
    return sizes.length - 1;
  };
  const shared = Math.max(1, Math.round((o.operands * o.regularity) / 2));
  for (let s = 0; s < shared; s++) {
    const a = pick(o.operands);
    let b = pick(o.operands - 1);
    if (b >= a) b++;
    const label = newLabel();
    inputs[a].push(label);
    if (o.operands > 1) inputs[b].push(label);
  }
  const output: number[] = [];
  for (let k = 0; k < o.outputs; k++) {
    const label = newLabel();
    inputs[pick(o.operands)].push(label);
    output.push(label);
  }
  for (let k = 0; k < (o.singleUse ?? 0); k++) inputs[pick(o.operands)].push(newLabel());
  for (let k = 0; k < (o.repeats ?? 0); k++) {
    const t = inputs[pick(o.operands)];
    if (t.length > 0) t.push(t[pick(t.length)]);
  }
  return { inputs, output, sizes };
}
