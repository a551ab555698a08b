/**
 * Fixed-width bitsets of label ids, packed `words` 32-bit words per set. The exhaustive
 * searches touch millions of sets, so sets live in flat typed arrays and, in a large search,
 * sizes are multiplied from per-byte lookup tables instead of looping over bits.
 */
import type { PathProblem } from './types';

export class LabelSpace {
  readonly words: number;
  /**
   * tables[c][b]: product of the sizes of the labels in byte c whose bits are set in b; null
   * when sizes are multiplied bit by bit, which is cheaper for a search that asks few sizes.
   */
  private readonly tables: number[][] | null;

  /** `manyLookups`: build the byte tables, worth it for the millions of sets of a large search. */
  constructor(
    readonly sizes: readonly number[],
    manyLookups = true,
  ) {
    this.words = Math.max(1, Math.ceil(sizes.length / 32));
    this.tables = manyLookups ? byteTables(sizes, this.words) : null;
  }

  /** A zeroed array holding `count` sets. */
  alloc(count: number): Uint32Array {
    return new Uint32Array(count * this.words);
  }

  fromLabels(labels: readonly number[], into: Uint32Array = this.alloc(1), at = 0): Uint32Array {
    const base = at * this.words;
    for (let k = 0; k < labels.length; k++) into[base + (labels[k] >>> 5)] |= 1 << (labels[k] & 31);
    return into;
  }

  /** Product of the sizes of the set stored at `sets[at]`. */
  size(sets: Uint32Array, at: number): number {
    const w = this.words;
    let product = 1;
    for (let i = 0; i < w; i++) product *= this.wordSize(sets[at * w + i], i);
    return product;
  }

  /** Product of the sizes of the union of two stored sets. */
  unionSize(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
    const w = this.words;
    let product = 1;
    for (let i = 0; i < w; i++) product *= this.wordSize(a[ai * w + i] | b[bi * w + i], i);
    return product;
  }

  /** Product of the sizes of the labels set in `word`, the i-th word of a set. */
  private wordSize(word: number, i: number): number {
    if (word === 0) return 1;
    const t = this.tables;
    if (t !== null) {
      const c = i * 4;
      return t[c][word & 255] * t[c + 1][(word >>> 8) & 255] * t[c + 2][(word >>> 16) & 255] * t[c + 3][word >>> 24];
    }
    let product = 1;
    for (let rest = word; rest !== 0; rest &= rest - 1) product *= this.sizes[i * 32 + 31 - Math.clz32(rest & -rest)];
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

/**
 * One table per byte of label ids, covering the labels that exist in it and built one
 * product per entry; bytes past the last label share a one-entry table (their bits are never
 * set). Plain arrays: typed arrays this size live outside the heap and cost more to allocate.
 */
function byteTables(sizes: readonly number[], words: number): number[][] {
  const none = [1];
  const tables: number[][] = [];
  for (let chunk = 0; chunk < words * 4; chunk++) {
    const bits = Math.min(8, sizes.length - chunk * 8);
    if (bits <= 0) {
      tables.push(none);
      continue;
    }
    const table = [1];
    for (let b = 1; b < 1 << bits; b++) {
      const low = b & -b;
      table.push(table[b ^ low] * sizes[chunk * 8 + 31 - Math.clz32(low)]);
    }
    tables.push(table);
  }
  return tables;
}

/** Deduplicated, sorted label sets of a problem (opt_einsum works on `set(term)`). */
export function labelSets(problem: PathProblem): { inputs: number[][]; output: number[] } {
  return { inputs: problem.inputs.map(uniqueSorted), output: uniqueSorted(problem.output) };
}

/** A term's labels sorted, each once: an insertion sort, as terms are short (a set and a sort cost more). */
function uniqueSorted(labels: readonly number[]): number[] {
  const sorted: number[] = [];
  for (const label of labels) {
    let k = sorted.length;
    while (k > 0 && sorted[k - 1] > label) k--;
    if (k > 0 && sorted[k - 1] === label) continue;
    sorted.push(label);
    for (let i = sorted.length - 1; i > k; i--) sorted[i] = sorted[i - 1];
    sorted[k] = label;
  }
  return sorted;
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
