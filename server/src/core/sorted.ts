/** Searching sorted numbers (line starts, offsets). */

/** The index of the last value at or below `value` in ascending `sorted`; 0 when every value is above it. */
export function lastAtOrBelow(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = Math.max(0, sorted.length - 1);
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (sorted[mid] <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}
