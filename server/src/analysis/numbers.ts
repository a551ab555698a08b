/** Exact FLOP counts as short human text. */
import { scientific } from '../core/counts';

/** `12,345` below a million, `1.23e+09` above: readable in one line of a report. */
export function formatCount(n: bigint): string {
  return n < 1_000_000n ? withSeparators(n.toString()) : scientific(n, 2);
}

/** `270×`, `2.5×`, `1.04×`. */
export function formatSpeedup(ratio: number): string {
  if (ratio >= 100) return `${withSeparators(String(Math.round(ratio)))}×`;
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  return `${ratio.toFixed(2)}×`;
}

/** `1234567` → `1,234,567` (toLocaleString is slow and depends on the runtime's ICU data). */
function withSeparators(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
