/** Exact FLOP and element counts (BigInt) as ratios and as text, for any size. */

/** Python's `{:.3e}` (as opt_einsum prints FLOP counts), computed from the digits. */
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
