/** Exact FLOP counts as ratios and as short human text. */

/** a / b as a double, finite for any sizes. */
export function flopRatio(a: bigint, b: bigint): number {
  if (b === 0n) return a === 0n ? 1 : Number.MAX_VALUE;
  const direct = Number(a) / Number(b);
  if (Number.isFinite(direct) && direct > 0) return direct;
  const log10 = (x: bigint) => {
    const s = x.toString();
    return Math.log10(Number(s.slice(0, 17))) + s.length - Math.min(17, s.length);
  };
  const value = 10 ** (log10(a) - log10(b));
  return Number.isFinite(value) ? value : Number.MAX_VALUE;
}

/** `12,345` below a million, `1.23e+09` above: readable in one line of a report. */
export function formatCount(n: bigint): string {
  if (n < 1_000_000n) return withSeparators(n.toString());
  const digits = n.toString();
  const mantissa = Number(`${digits[0]}.${digits.slice(1, 4)}`);
  const rounded = mantissa.toFixed(2);
  const carry = rounded === '10.00';
  const exponent = digits.length - 1 + (carry ? 1 : 0);
  return `${carry ? '1.00' : rounded}e+${String(exponent).padStart(2, '0')}`;
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
