/**
 * Exact sign decisions for cost polynomials over symbolic sizes: does the best path need no
 * more FLOPs than the baseline for *every* size (each at least 1, or within a range the user
 * gave), for none, or exactly when some stated condition holds? Nothing is sampled: every
 * verdict is a proof (coefficient signs after shifting each size to its lower bound, exact
 * root bracketing in one variable, exhaustive evaluation of a small bounded box), and where no
 * proof is found the answer is `unknown`, which callers turn into saying nothing.
 */
import { Polynomial, type Monomial } from './symbolic';

export interface SizeRange {
  /** At least 1. */
  min: bigint;
  /** Inclusive; null when unbounded. */
  max: bigint | null;
}

export type RangeOf = (symbol: string) => SizeRange;

/** Sizes with no range given: any positive integer. */
export const ANY_SIZE: RangeOf = () => ({ min: 1n, max: null });

export type SignVerdict =
  /** p ≥ 0 at every size; `strict`: p > 0 at every size. */
  | { kind: 'nonnegative'; strict: boolean }
  /** p ≤ 0 at every size; `strict`: p < 0 at every size. */
  | { kind: 'nonpositive'; strict: boolean }
  /** p takes both signs; `positiveWhen`: the exact condition for p > 0, when it can be stated. */
  | { kind: 'mixed'; positiveWhen: string | null }
  | { kind: 'unknown' };

/** Bounded boxes up to this many integer points are decided by evaluating every point. */
const EXHAUSTIVE_POINTS = 20_000n;

export function signOf(p: Polynomial, rangeOf: RangeOf = ANY_SIZE): SignVerdict {
  const symbols = p.symbols();
  const ranges = new Map(symbols.map((s) => [s, rangeOf(s)] as const));
  if ([...ranges.values()].some((r) => r.max !== null && r.max < r.min)) return { kind: 'unknown' };
  const shifted = shiftToLowerBounds(p, ranges);
  const bySigns = signFromCoefficients(shifted);
  if (bySigns) return bySigns;
  const exhaustive = exhaustiveSign(p, ranges);
  if (exhaustive) return exhaustive;
  return conditionOrUnknown(p, ranges);
}

/** With a condition found the sign is known to change; without one nothing is proven. */
function conditionOrUnknown(p: Polynomial, ranges: Map<string, SizeRange>): SignVerdict {
  const condition = positiveCondition(p, ranges);
  if (condition === 'never') return { kind: 'nonpositive', strict: false };
  if (condition === 'always') return { kind: 'nonnegative', strict: true };
  if (condition !== null) return { kind: 'mixed', positiveWhen: condition };
  return witnessesBothSigns(p, ranges) ? { kind: 'mixed', positiveWhen: null } : { kind: 'unknown' };
}

/** x = min + y for every symbol, so y ≥ 0 and coefficient signs can speak. */
function shiftToLowerBounds(p: Polynomial, ranges: Map<string, SizeRange>): Polynomial {
  const by = new Map<string, Polynomial>();
  for (const [symbol, range] of ranges) by.set(symbol, Polynomial.symbol(symbol).add(Polynomial.constant(range.min)));
  return p.substitute(by);
}

/** All coefficients of one sign over y ≥ 0: the sign is proven. */
function signFromCoefficients(q: Polynomial): SignVerdict | null {
  const terms = q.termList();
  if (terms.length === 0) return { kind: 'nonnegative', strict: false };
  const constant = terms.find((t) => t.monomial.length === 0)?.coefficient ?? 0n;
  if (terms.every((t) => t.coefficient > 0n)) return { kind: 'nonnegative', strict: constant > 0n };
  if (terms.every((t) => t.coefficient < 0n)) return { kind: 'nonpositive', strict: constant < 0n };
  return null;
}

/** Every integer point of a small bounded box, evaluated exactly. */
function exhaustiveSign(p: Polynomial, ranges: Map<string, SizeRange>): SignVerdict | null {
  let points = 1n;
  for (const range of ranges.values()) {
    if (range.max === null) return null;
    points *= range.max - range.min + 1n;
    if (points > EXHAUSTIVE_POINTS) return null;
  }
  const symbols = [...ranges.keys()];
  const values = new Map(symbols.map((s) => [s, ranges.get(s)!.min]));
  let positive = false;
  let negative = false;
  let zero = false;
  for (;;) {
    const v = p.evaluateExact(values);
    if (v > 0n) positive = true;
    else if (v < 0n) negative = true;
    else zero = true;
    let k = 0;
    for (; k < symbols.length; k++) {
      const range = ranges.get(symbols[k])!;
      const next = values.get(symbols[k])! + 1n;
      if (next <= range.max!) {
        values.set(symbols[k], next);
        break;
      }
      values.set(symbols[k], range.min);
    }
    if (k === symbols.length) break;
  }
  if (!negative) return { kind: 'nonnegative', strict: !zero };
  if (!positive) return { kind: 'nonpositive', strict: !zero };
  const condition = positiveCondition(p, ranges);
  return { kind: 'mixed', positiveWhen: condition === 'always' || condition === 'never' ? null : condition };
}

type Condition = string | 'always' | 'never' | null;

/**
 * Where p > 0, stated exactly, for the shapes cost differences take in practice: after taking
 * out the common monomial (positive at every size), either one variable is left (a threshold
 * found by exact bracketing) or two terms of opposite sign (`a·M1 > b·M2`).
 */
function positiveCondition(p: Polynomial, ranges: Map<string, SizeRange>): Condition {
  const reduced = withoutCommonFactor(p);
  const symbols = reduced.symbols();
  if (symbols.length === 1) return univariateCondition(reduced, symbols[0], ranges.get(symbols[0])!);
  const terms = reduced.termList();
  if (terms.length === 2 && terms[0].coefficient > 0n !== terms[1].coefficient > 0n) {
    const [plus, minus] = terms[0].coefficient > 0n ? [terms[0], terms[1]] : [terms[1], terms[0]];
    const g = gcd(plus.coefficient, -minus.coefficient);
    return `${side(plus.coefficient / g, plus.monomial)} > ${side(-minus.coefficient / g, minus.monomial)}`;
  }
  return uniformThreshold(reduced, ranges);
}

/**
 * A sufficient condition when no exact one is at hand: the smallest k (up to 16) such that
 * r > 0 whenever each of its sizes is at least k, proven by the coefficient test at x = k + y.
 * Costs often differ in sign only at degenerate sizes (a dimension of 1).
 */
function uniformThreshold(r: Polynomial, ranges: Map<string, SizeRange>): Condition {
  const symbols = r.symbols();
  for (let k = 2n; k <= 16n; k++) {
    const by = new Map<string, Polynomial>();
    for (const symbol of symbols) {
      const min = ranges.get(symbol)!.min;
      by.set(symbol, Polynomial.symbol(symbol).add(Polynomial.constant(min > k ? min : k)));
    }
    const verdict = signFromCoefficients(r.substitute(by));
    if (verdict?.kind === 'nonnegative' && verdict.strict) return `${symbols.join(', ')} ≥ ${k}`;
  }
  return null;
}

function side(coefficient: bigint, monomial: Monomial): string {
  const body = monomial.map(([name, e]) => (e === 1 ? name : `${name}^${e}`)).join('·');
  if (body === '') return String(coefficient);
  return coefficient === 1n ? body : `${coefficient}·${body}`;
}

/** p divided by the monomial common to all its terms and by the gcd of its coefficients. */
function withoutCommonFactor(p: Polynomial): Polynomial {
  const terms = p.termList();
  if (terms.length === 0) return p;
  let common = new Map(terms[0].monomial);
  for (const t of terms.slice(1)) {
    const exponents = new Map(t.monomial);
    common = new Map([...common].filter(([name]) => exponents.has(name)).map(([name, e]) => [name, Math.min(e, exponents.get(name)!)]));
  }
  const content = terms.reduce((g, t) => gcd(g, t.coefficient < 0n ? -t.coefficient : t.coefficient), 0n);
  return Polynomial.fromTerms(
    terms.map((t) => ({
      monomial: t.monomial.map(([name, e]) => [name, e - (common.get(name) ?? 0)] as const).filter(([, e]) => e > 0),
      coefficient: t.coefficient / content,
    })),
  );
}

/**
 * One variable x in [min, max]: with exactly one sign change among the coefficients of
 * r(min + y), Descartes' rule says r has exactly one root beyond min, so r > 0 on one side of
 * an integer threshold found by exact bisection.
 */
function univariateCondition(r: Polynomial, x: string, range: SizeRange): Condition {
  const at = (value: bigint) => r.evaluateExact(new Map([[x, value]]));
  const shifted = r.substitute(new Map([[x, Polynomial.symbol(x).add(Polynomial.constant(range.min))]]));
  const byDegree = shifted
    .termList()
    .map((t) => ({ degree: t.monomial[0]?.[1] ?? 0, coefficient: t.coefficient }))
    .sort((a, b) => a.degree - b.degree);
  let changes = 0;
  for (let i = 1; i < byDegree.length; i++) if (byDegree[i].coefficient > 0n !== byDegree[i - 1].coefficient > 0n) changes++;
  if (changes !== 1) return null;
  const rising = byDegree[byDegree.length - 1].coefficient > 0n;
  // The first integer at or above min on the far side of the root.
  const past = (value: bigint) => (rising ? at(value) > 0n : at(value) <= 0n);
  let threshold = range.min;
  if (!past(range.min)) {
    let low = range.min;
    let step = 1n;
    while (!past(range.min + step)) {
      low = range.min + step;
      step *= 2n;
      if (step > 1n << 200n) return null;
    }
    let high = range.min + step;
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if (past(mid)) high = mid;
      else low = mid;
    }
    threshold = high;
  }
  if (rising) {
    if (range.max !== null && threshold > range.max) return 'never';
    return threshold <= range.min ? 'always' : `${x} ≥ ${threshold}`;
  }
  // r > 0 below the threshold.
  const last = threshold - 1n;
  if (last < range.min) return 'never';
  if (range.max !== null && last >= range.max) return 'always';
  return `${x} ≤ ${last}`;
}

/** Proven mixed: a point where p < 0 and a point where p > 0 (corners and a far point). */
function witnessesBothSigns(p: Polynomial, ranges: Map<string, SizeRange>): boolean {
  const corner = (pick: (r: SizeRange) => bigint) => p.evaluateExact(new Map([...ranges].map(([s, r]) => [s, pick(r)])));
  const values = [corner((r) => r.min), corner((r) => r.max ?? r.min * 1024n)];
  return values.some((v) => v > 0n) && values.some((v) => v < 0n);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** How a cheaper path compares with the baseline over every size allowed. */
export type CostComparison =
  /**
   * after ≤ before at every size; `ratio`: before ≥ minSpeedup · after at every size too;
   * otherwise `ratioWhen`: a condition under which it is (null when none can be stated).
   */
  | { kind: 'always'; ratio: boolean; ratioWhen: string | null }
  /** after < before exactly when `condition` holds. */
  | { kind: 'when'; condition: string }
  /** after ≥ before at every size. */
  | { kind: 'never' }
  | { kind: 'unknown' };

/** Compares two cost polynomials exactly; `minSpeedup` is a decimal number ≥ 1. */
export function compareCosts(before: Polynomial, after: Polynomial, minSpeedup: number, rangeOf: RangeOf = ANY_SIZE): CostComparison {
  const difference = signOf(before.sub(after), rangeOf);
  if (difference.kind === 'nonnegative') {
    const [num, den] = fraction(minSpeedup);
    const scaled = signOf(before.scale(den).sub(after.scale(num)), rangeOf);
    const ratio = scaled.kind === 'nonnegative';
    return { kind: 'always', ratio, ratioWhen: scaled.kind === 'mixed' ? scaled.positiveWhen : null };
  }
  if (difference.kind === 'nonpositive') return { kind: 'never' };
  if (difference.kind === 'mixed' && difference.positiveWhen !== null) return { kind: 'when', condition: difference.positiveWhen };
  return { kind: 'unknown' };
}

/** A decimal as an exact fraction: 2 → 2/1, 1.25 → 125/100. */
function fraction(value: number): [bigint, bigint] {
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text)) return [BigInt(Math.ceil(value * 1_000_000)), 1_000_000n];
  const [whole, decimals = ''] = text.split('.');
  const den = 10n ** BigInt(decimals.length);
  return [BigInt(whole + decimals), den];
}
