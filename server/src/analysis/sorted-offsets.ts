/**
 * Items kept sorted by a source offset, so that "which of them lie between two statements" is
 * a binary search rather than a scan. Data flow asks that once per operand of every site; a
 * scan of every read of a name made a file of N sites sharing operand names cost N².
 */
export class SortedByOffset<T> {
  private readonly items: T[];
  private readonly offsets: number[];

  constructor(items: Iterable<T>, offsetOf: (item: T) => number) {
    const list = [...items];
    const offsets = list.map(offsetOf);
    // Items usually come in source order already (and most lists hold one item): only others
    // are sorted (stably, as the keyed sort the rest get), without an object per item.
    if (offsets.every((offset, i) => i === 0 || offsets[i - 1] <= offset)) {
      this.items = list;
      this.offsets = offsets;
      return;
    }
    const keyed = list.map((item, i) => ({ item, offset: offsets[i] }));
    keyed.sort((a, b) => a.offset - b.offset);
    this.items = keyed.map((k) => k.item);
    this.offsets = keyed.map((k) => k.offset);
  }

  get length(): number {
    return this.items.length;
  }

  /** The items whose offset lies in [from, to), in offset order. */
  between(from: number, to: number): T[] {
    return this.items.slice(this.firstAtOrAfter(from), this.firstAtOrAfter(to));
  }

  /** How many items have an offset of at least `from`. */
  countFrom(from: number): number {
    return this.items.length - this.firstAtOrAfter(from);
  }

  private firstAtOrAfter(offset: number): number {
    let low = 0;
    let high = this.offsets.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.offsets[mid] < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** A value computed once per key: indexes built on first use and kept for the analysis. */
export function memoized<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}
