/**
 * Sizes as the shape analysis knows them: an exact product `c · s1^e1 · s2^e2 …` of an integer
 * and symbols (a constant has no symbols), or unknown. Symbols stand for one run-time value
 * each: two dimensions with the same symbol are equal whatever the program's input, which is
 * what lets `b, n, d = x.shape; x.reshape(b * n, d)` stay exact. Language-neutral.
 */

/** A symbol and its power, symbols sorted by id. */
export type SymbolPower = readonly [symbol: number, power: number];

export interface Monomial {
  readonly coefficient: number;
  readonly symbols: readonly SymbolPower[];
}

/** A size: a monomial, or null when nothing is known about it. */
export type Size = Monomial | null;

export function constant(value: number): Monomial {
  return { coefficient: value, symbols: [] };
}

export function symbolSize(symbol: number): Monomial {
  return { coefficient: 1, symbols: [[symbol, 1]] };
}

/** The integer value of a size, when it has no symbols. */
export function constantValue(size: Size): number | null {
  return size !== null && size.symbols.length === 0 ? size.coefficient : null;
}

export function sameSize(a: Size, b: Size): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.coefficient !== b.coefficient || a.symbols.length !== b.symbols.length) return false;
  return a.symbols.every(([s, p], i) => b.symbols[i][0] === s && b.symbols[i][1] === p);
}

export function multiplySizes(a: Size, b: Size): Size {
  if (a === null || b === null) return null;
  const powers = new Map<number, number>(a.symbols);
  for (const [s, p] of b.symbols) powers.set(s, (powers.get(s) ?? 0) + p);
  const coefficient = a.coefficient * b.coefficient;
  if (!Number.isSafeInteger(coefficient)) return null;
  return { coefficient, symbols: [...powers].sort((x, y) => x[0] - y[0]) };
}

/** `a / b` when it divides exactly (symbols cancel, coefficients divide); null otherwise. */
export function divideSizes(a: Size, b: Size): Size {
  if (a === null || b === null || b.coefficient === 0 || a.coefficient % b.coefficient !== 0) return null;
  const powers = new Map<number, number>(a.symbols);
  for (const [s, p] of b.symbols) {
    const left = (powers.get(s) ?? 0) - p;
    if (left < 0) return null;
    if (left === 0) powers.delete(s);
    else powers.set(s, left);
  }
  return { coefficient: a.coefficient / b.coefficient, symbols: [...powers].sort((x, y) => x[0] - y[0]) };
}

/** `a + b` when a monomial holds it (constants, or like terms such as `n + n`); null otherwise. */
export function addSizes(a: Size, b: Size): Size {
  if (a === null || b === null) return null;
  if (a.symbols.length !== b.symbols.length || !a.symbols.every(([s, p], i) => b.symbols[i][0] === s && b.symbols[i][1] === p)) return null;
  return { coefficient: a.coefficient + b.coefficient, symbols: a.symbols };
}

/** The product of sizes; null when any is unknown. */
export function productOf(sizes: readonly Size[]): Size {
  let product: Size = constant(1);
  for (const size of sizes) product = multiplySizes(product, size);
  return product;
}

/**
 * Symbols, interned by a key that names what they stand for (`param:f:x:0`, `hint:batch`), so
 * the same value met twice (another pass over a loop, a function analysed again) gets the
 * same symbol. Each has a display name; `rename` lets a binding such as `n = x.shape[1]`
 * give an anonymous one a better name.
 */
export class SymbolTable {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly named: boolean[] = [];

  /** The symbol for `key`; `name` is its display name (the first one given wins). */
  intern(key: string, name: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.names.push(name) - 1;
      this.named.push(false);
      this.ids.set(key, id);
    }
    return id;
  }

  name(id: number): string {
    return this.names[id] ?? `s${id}`;
  }

  /** Names a symbol after a variable bound to it, once, unless it already has a user's name. */
  rename(id: number, name: string): void {
    if (this.named[id] === false) {
      this.names[id] = name;
      this.named[id] = true;
    }
  }

  /** Marks a symbol's name as chosen by the user (a hint): variables do not rename it. */
  fix(id: number): void {
    this.named[id] = true;
  }
}

/** `2·b·n^2`: the display of a size in symbols; null for unknown. */
export function sizeText(size: Size, symbols: SymbolTable, nameOf: (id: number) => string = (id) => symbols.name(id)): string | null {
  if (size === null) return null;
  if (size.symbols.length === 0) return String(size.coefficient);
  const parts = size.symbols.map(([s, p]) => (p === 1 ? nameOf(s) : `${nameOf(s)}^${p}`));
  if (size.coefficient !== 1) parts.unshift(String(size.coefficient));
  return parts.join('·');
}
