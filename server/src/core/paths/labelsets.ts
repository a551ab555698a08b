/**
 * Fixed-width bitsets of label ids, packed `words` 32-bit words per set. The exhaustive
 * searches touch millions of sets, so sets live in flat typed arrays and sizes are
 * multiplied from per-byte lookup tables instead of looping over bits.
 */
import type { PathProblem } from './types';

export class LabelSpace {
  readonly words: number;
  /** tables[c][b]: product of the sizes of the labels in byte c whose bits are set in b. */
  private readonly tables: Float64Array[];

  constructor(readonly sizes: readonly number[]) {
    this.words = Math.max(1, Math.ceil(sizes.length / 32));
    this.tables = [];
    for (let chunk = 0; chunk < this.words * 4; chunk++) {
      const table = new Float64Array(256);
      for (let b = 0; b < 256; b++) {
        let product = 1;
        for (let bit = 0; bit < 8; bit++) {
          const label = chunk * 8 + bit;
          if (b & (1 << bit) && label < sizes.length) product *= sizes[label];
        }
        table[b] = product;
      }
      this.tables.push(table);
    }
  }

  /** A zeroed array holding `count` sets. */
  alloc(count: number): Uint32Array {
    return new Uint32Array(count * this.words);
  }

  fromLabels(labels: Iterable<number>, into: Uint32Array = this.alloc(1), at = 0): Uint32Array {
    for (const label of labels) into[at * this.words + (label >>> 5)] |= 1 << (label & 31);
    return into;
  }

  /** Product of the sizes of the set stored at `sets[at]`. */
  size(sets: Uint32Array, at: number): number {
    const w = this.words;
    const t = this.tables;
    let product = 1;
    for (let i = 0, base = at * w; i < w; i++) {
      const word = sets[base + i];
      if (word === 0) continue;
      const c = i * 4;
      product *= t[c][word & 255] * t[c + 1][(word >>> 8) & 255] * t[c + 2][(word >>> 16) & 255] * t[c + 3][word >>> 24];
    }
    return product;
  }

  /** Product of the sizes of the union of two stored sets. */
  unionSize(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
    const w = this.words;
    const t = this.tables;
    let product = 1;
    for (let i = 0; i < w; i++) {
      const word = a[ai * w + i] | b[bi * w + i];
      if (word === 0) continue;
      const c = i * 4;
      product *= t[c][word & 255] * t[c + 1][(word >>> 8) & 255] * t[c + 2][(word >>> 16) & 255] * t[c + 3][word >>> 24];
    }
    return product;
  }

  labelsOf(sets: Uint32Array, at: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.words; i++) {
      let word = sets[at * this.words + i];
      while (word !== 0) {
        const low = word & -word;
        out.push(i * 32 + 31 - Math.clz32(low));
        word ^= low;
      }
    }
    return out;
  }
}

/** Deduplicated, sorted label sets of a problem (opt_einsum works on `set(term)`). */
export function labelSets(problem: PathProblem): { inputs: number[][]; output: number[] } {
  const uniqueSorted = (labels: readonly number[]) => [...new Set(labels)].sort((x, y) => x - y);
  return { inputs: problem.inputs.map(uniqueSorted), output: uniqueSorted(problem.output) };
}

/** Product of sizes as a double (exact below 2^53; optimizers only compare). */
export function sizeOf(labels: Iterable<number>, sizes: readonly number[]): number {
  let product = 1;
  for (const label of labels) product *= sizes[label];
  return product;
}

/** Thrown by the exhaustive searches when their wall-clock budget runs out. */
export class BudgetExceeded extends Error {
  constructor() {
    super('path search exceeded its time budget');
    this.name = 'BudgetExceeded';
  }
}

export function deadlineFrom(budgetMs: number | undefined): number {
  return budgetMs === undefined ? Infinity : performance.now() + budgetMs;
}

/** Thrown when no pairwise path keeps every intermediate under the memory limit. */
export class NoPathWithinLimit extends Error {
  constructor() {
    super('no pairwise path keeps every intermediate within the memory limit');
    this.name = 'NoPathWithinLimit';
  }
}

/** An exact search asked to handle more operands than it can in reasonable time. */
export class TooManyOperands extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'TooManyOperands';
  }
}
