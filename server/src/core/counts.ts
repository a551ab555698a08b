/** Exact FLOP and element counts (BigInt) as ratios and as text, for any size. */

/**
 * Python's `{:.3e}`, computed from the digits. Only `einsight path` uses it: its report mirrors
 * opt_einsum's PathInfo printout (`4.800e+05`) so the two can be compared line by line. Everything
 * else writes numbers with formatCount and formatSpeedup below.
 */
export function scientific(value: bigint, digits = 3): string {
  if (value < 0n) return `-${scientific(-value, digits)}`;
  if (value === 0n) return `0.${'0'.repeat(digits)}e+00`;
  let text = value.toString();
  let exponent = text.length - 1;
  const keep = digits + 1;
  let mantissa = BigInt(text.slice(0, keep).padEnd(keep, '0'));
  if (text.length > keep && Number(text[keep]) >= 5) mantissa += 1n;
  text = mantissa.toString();
  if (text.length > keep) {
    exponent += 1;
    text = text.slice(0, keep);
  }
  const sign = exponent < 0 ? '-' : '+';
  return `${text[0]}.${text.slice(1)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** a / b as a double, finite for counts of any size (beyond 1e308 it saturates). */
export function flopRatio(a: bigint, b: bigint): number {
  if (b === 0n) return a === 0n ? 1 : Number.MAX_VALUE;
  const direct = Number(a) / Number(b);
  if (Number.isFinite(direct) && direct > 0) return direct;
  // Too large or too small for doubles as written: compare the leading digits instead.
  const log10 = (x: bigint) => {
    const digits = x.toString();
    return Math.log10(Number(digits.slice(0, 17))) + digits.length - Math.min(17, digits.length);
  };
  const value = 10 ** (log10(a) - log10(b));
  return Number.isFinite(value) ? value : Number.MAX_VALUE;
}

/**
 * The one way einsight writes a count, in Problems, hover, fix titles, the measure panel and the
 * CLI: `786,432` below 10^6, `1.61e9` (three significant digits) from there on.
 */
export function formatCount(n: bigint): string {
  if (n < 0n) return `-${formatCount(-n)}`;
  if (n < 1_000_000n) return withSeparators(n.toString());
  return shortScientific(n);
}

/** A ratio of costs or times, to three significant digits: `1.04×`, `51.9×`, `270×`, `12,500×`, `1.61e9×`. */
export function formatSpeedup(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio >= Number.MAX_VALUE) return 'many times';
  // Round first, so that 9.999 reads `10.0×`, not `10.00×`.
  const rounded = Number(ratio.toPrecision(3));
  // From the ratio itself: rounding 1.797e308 up to three digits overflows to Infinity.
  if (rounded >= 1_000_000) return `${ratio.toExponential(2).replace('e+', 'e')}×`;
  if (rounded >= 100) return `${withSeparators(String(Math.round(ratio)))}×`;
  if (rounded >= 10) return `${rounded.toFixed(1)}×`;
  if (rounded >= 1) return `${rounded.toFixed(2)}×`;
  return `${rounded.toPrecision(3)}×`;
}

/** `1.61e9`: three significant digits, rounded half up exactly from the digits of any size. */
function shortScientific(n: bigint): string {
  let exponent = n.toString().length - 1;
  let mantissa = (n * 1000n) / 10n ** BigInt(exponent);
  if (mantissa % 10n >= 5n) mantissa += 10n;
  mantissa /= 10n;
  if (mantissa >= 1000n) {
    mantissa /= 10n;
    exponent += 1;
  }
  const digits = mantissa.toString();
  return `${digits[0]}.${digits.slice(1)}e${exponent}`;
}

/** `1234567` → `1,234,567` (toLocaleString is slow and depends on the runtime's ICU data). */
function withSeparators(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
