/**
 * Exact polynomials with integer coefficients over symbolic sizes, so costs such as
 * `2·B·N^3` stay exact when shapes are only known by name.
 */
import type { LabelSize } from './contraction';

/** Symbol/exponent pairs sorted by symbol name; the empty monomial is the constant 1. */
export type Monomial = readonly (readonly [string, number])[];

export interface Term {
  monomial: Monomial;
  coefficient: bigint;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function monomialDegree(m: Monomial): number {
  return m.reduce((sum, [, exponent]) => sum + exponent, 0);
}

function multiplyMonomials(a: Monomial, b: Monomial): Monomial {
  const exponents = new Map(a);
  for (const [name, exponent] of b) exponents.set(name, (exponents.get(name) ?? 0) + exponent);
  return [...exponents].sort(([x], [y]) => compareNames(x, y));
}

/** Higher degree first, then lexicographic by symbol (a higher power of the same symbol first). */
function compareTerms(a: Term, b: Term): number {
  const byDegree = monomialDegree(b.monomial) - monomialDegree(a.monomial);
  if (byDegree !== 0) return byDegree;
  for (let i = 0; i < Math.min(a.monomial.length, b.monomial.length); i++) {
    const [nameA, expA] = a.monomial[i];
    const [nameB, expB] = b.monomial[i];
    if (nameA !== nameB) return compareNames(nameA, nameB);
    if (expA !== expB) return expB - expA;
  }
  return a.monomial.length - b.monomial.length;
}

function renderMonomial(m: Monomial): string {
  return m.map(([name, exponent]) => (exponent === 1 ? name : `${name}^${exponent}`)).join('·');
}

export class Polynomial {
  /** Keyed by the monomial, so like terms merge; never holds a zero coefficient. Null for a constant. */
  private readonly map: ReadonlyMap<string, Term> | null;
  /**
   * The value when the polynomial was built as a constant (every concrete cost, thousands per
   * file): a constant keeps no map (one is made when its terms are asked for); null otherwise.
   */
  private readonly constantValue: bigint | null;

  /** `terms` is already merged: keyed by monomial, no zero coefficient. */
  private constructor(terms: ReadonlyMap<string, Term> | null, constantValue: bigint | null = null) {
    this.map = terms;
    this.constantValue = constantValue;
  }

  private get terms(): ReadonlyMap<string, Term> {
    if (this.map === null) {
      const terms = new Map<string, Term>();
      if (this.constantValue !== 0n) terms.set('', { monomial: [], coefficient: this.constantValue! });
      // Not kept: every constant stays in one form, so equal polynomials stay deeply equal.
      return terms;
    }
    return this.map;
  }

  private static merged(terms: Iterable<Term>): Polynomial {
    const merged = new Map<string, Term>();
    for (const term of terms) {
      // Constants are most of what is built (every concrete cost): skip serializing them.
      const key = term.monomial.length === 0 ? '' : JSON.stringify(term.monomial);
      const coefficient = (merged.get(key)?.coefficient ?? 0n) + term.coefficient;
      merged.set(key, { monomial: term.monomial, coefficient });
    }
    for (const [key, term] of merged) if (term.coefficient === 0n) merged.delete(key);
    // One form per constant (see `constantValue`).
    if (merged.size === 0) return Polynomial.constant(0n);
    if (merged.size === 1 && merged.has('')) return Polynomial.constant(merged.get('')!.coefficient);
    return new Polynomial(merged);
  }

  static constant(n: bigint | number): Polynomial {
    return new Polynomial(null, BigInt(n));
  }

  static symbol(name: string): Polynomial {
    return Polynomial.merged([{ monomial: [[name, 1]], coefficient: 1n }]);
  }

  static fromTerms(terms: Iterable<Term>): Polynomial {
    return Polynomial.merged(terms);
  }

  /** The terms, highest degree first; never a zero coefficient. */
  termList(): Term[] {
    return [...this.terms.values()].sort(compareTerms);
  }

  /** The symbols that occur, sorted. */
  symbols(): string[] {
    const names = new Set<string>();
    for (const t of this.terms.values()) for (const [name] of t.monomial) names.add(name);
    return [...names].sort(compareNames);
  }

  sub(p: Polynomial): Polynomial {
    return this.add(p.scale(-1));
  }

  /** Exact value with every symbol given (a missing one throws: exactness is the point). */
  evaluateExact(values: ReadonlyMap<string, bigint>): bigint {
    let total = 0n;
    for (const { monomial, coefficient } of this.terms.values()) {
      let product = coefficient;
      for (const [name, exponent] of monomial) {
        const value = values.get(name);
        if (value === undefined) throw new RangeError(`no value for ${name}`);
        product *= value ** BigInt(exponent);
      }
      total += product;
    }
    return total;
  }

  /** Each symbol replaced by a polynomial (symbols not in `by` stay). */
  substitute(by: ReadonlyMap<string, Polynomial>): Polynomial {
    let total = Polynomial.constant(0);
    for (const { monomial, coefficient } of this.terms.values()) {
      let product = Polynomial.constant(coefficient);
      for (const [name, exponent] of monomial) {
        const replacement = by.get(name) ?? Polynomial.symbol(name);
        for (let k = 0; k < exponent; k++) product = product.mul(replacement);
      }
      total = total.add(product);
    }
    return total;
  }

  add(p: Polynomial): Polynomial {
    if (this.constantValue !== null && p.constantValue !== null) return Polynomial.constant(this.constantValue + p.constantValue);
    return Polynomial.merged([...this.terms.values(), ...p.terms.values()]);
  }

  mul(p: Polynomial): Polynomial {
    const products: Term[] = [];
    for (const a of this.terms.values()) {
      for (const b of p.terms.values()) {
        const monomial = multiplyMonomials(a.monomial, b.monomial);
        products.push({ monomial, coefficient: a.coefficient * b.coefficient });
      }
    }
    return Polynomial.merged(products);
  }

  scale(k: bigint | number): Polynomial {
    const factor = BigInt(k);
    if (this.constantValue !== null) return Polynomial.constant(this.constantValue * factor);
    return Polynomial.merged([...this.terms.values()].map((t) => ({ ...t, coefficient: t.coefficient * factor })));
  }

  isConstant(): boolean {
    if (this.constantValue !== null) return true;
    return [...this.terms.values()].every((t) => t.monomial.length === 0);
  }

  /** Numeric value with `values[symbol]` for each symbol, `fallback` for symbols not listed. */
  evaluate(values: Record<string, number>, fallback: number): number {
    let total = 0;
    for (const { monomial, coefficient } of this.terms.values()) {
      let product = Number(coefficient);
      for (const [name, exponent] of monomial) {
        product *= (Object.hasOwn(values, name) ? values[name] : fallback) ** exponent;
      }
      total += product;
    }
    return total;
  }

  /** Highest total degree of a term; 0 for constants, zero included. */
  degree(): number {
    if (this.constantValue !== null) return 0;
    return Math.max(0, ...[...this.terms.values()].map((t) => monomialDegree(t.monomial)));
  }

  /** The terms of highest total degree. */
  leading(): Polynomial {
    const degree = this.degree();
    return Polynomial.merged([...this.terms.values()].filter((t) => monomialDegree(t.monomial) === degree));
  }

  /** `2·B·N^3 + 4·N^2 - 1`: highest degree first, coefficient 1 omitted, zero as `0`. */
  toString(): string {
    // A constant's text without a map: as the general case writes it (`-5`, `0`).
    if (this.constantValue !== null) return String(this.constantValue);
    const sorted = [...this.terms.values()].sort(compareTerms);
    if (sorted.length === 0) return '0';
    return sorted
      .map(({ monomial, coefficient }, i) => {
        const negative = coefficient < 0n;
        const magnitude = negative ? -coefficient : coefficient;
        const body =
          monomial.length === 0
            ? String(magnitude)
            : magnitude === 1n
              ? renderMonomial(monomial)
              : `${magnitude}·${renderMonomial(monomial)}`;
        if (i === 0) return negative ? `-${body}` : body;
        return `${negative ? ' - ' : ' + '}${body}`;
      })
      .join('');
  }

  /** Big-O of the leading terms without coefficients: `O(B·N^3)`, `O(1)` for constants. */
  scalingString(): string {
    if (this.isConstant()) return 'O(1)';
    const leading = [...this.leading().terms.values()].sort(compareTerms);
    return `O(${leading.map((t) => renderMonomial(t.monomial)).join(' + ')})`;
  }
}

/** Product of the sizes of `labelIds`: concrete sizes go into the coefficient, symbols into the monomial. */
export function sizeProductPolynomial(sizes: LabelSize[], labelIds: Iterable<number>): Polynomial {
  let product = Polynomial.constant(1);
  let coefficient = 1n;
  for (const id of labelIds) {
    const size = sizes[id];
    if (size.symbol === null) coefficient *= BigInt(size.value);
    else product = product.mul(Polynomial.symbol(size.symbol));
  }
  return product.scale(coefficient);
}
