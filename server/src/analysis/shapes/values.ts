/**
 * The abstract values of the shape analysis, and how two of them merge where control flow
 * joins (after branches, around loops, over the call sites of a function). A merge keeps only
 * what holds on every path: equal sizes stay, differing ones become a symbol of the join
 * point ("varies"), differing ranks become an unknown shape. Language-neutral: functions,
 * classes and modules are opaque references the front end compares by identity.
 */
import type { Library, ShapeSourceKind } from '../model';
import { constant, sameSize, type Monomial, type Size, type SymbolTable, symbolSize } from './sizes';

/** A place in some file: the front end's syntax node (its offsets follow edits) and the file. */
export interface Anchor {
  readonly file: string;
  readonly node: { readonly start: number; readonly end: number };
}

/** Where a size came from: shown on hover, and across files ("5 from `model(x)` at train.py:40"). */
export interface Origin {
  readonly kind: ShapeSourceKind;
  readonly at: Anchor | null;
  readonly detail: string;
  /** The call through which the size reached a function's parameter. */
  readonly via?: Origin;
}

export interface DimValue {
  readonly size: Size;
  readonly origin: Origin;
}

/** A shape of known rank; dimensions may be unknown (`size: null`). */
export interface ShapeValue {
  readonly dims: readonly DimValue[];
}

/** A function, class, module or bound method of the front end, compared by identity. */
export interface Reference {
  readonly kind: 'function' | 'class' | 'module' | 'library';
  /** Dotted name for library references (`torch.nn.Linear`); display name otherwise. */
  readonly name: string;
}

export type Value =
  /** An array; `origin` is the expression that made it (a constructor, an einsum). */
  /**
   * An array; `origin` is the expression that made it (a constructor, an einsum); `key` names
   * one of unknown shape held in a variable, so sizes read from it (`b, n = x.shape`) stay tied to it.
   */
  | { readonly t: 'array'; readonly shape: ShapeValue | null; readonly library: Library | null; readonly origin?: Origin; readonly key?: string }
  | { readonly t: 'int'; readonly dim: DimValue }
  | { readonly t: 'float' }
  | { readonly t: 'bool'; readonly value?: boolean }
  | { readonly t: 'str'; readonly value: string | null }
  | { readonly t: 'none' }
  | { readonly t: 'tuple'; readonly items: readonly Value[] }
  /** A list: its items when its length is known, else what any element is. */
  | { readonly t: 'list'; readonly items: readonly Value[] | null; readonly element: Value | null }
  | { readonly t: 'dict'; readonly entries: ReadonlyMap<string, Value>; readonly complete: boolean }
  /**
   * An instance: its class when known (`exact`: not a subclass), and what its attributes hold.
   * `fields` holds only attributes known on every path.
   */
  | { readonly t: 'object'; readonly cls: Reference | null; readonly exact: boolean; readonly fields: ReadonlyMap<string, Value> }
  /** A function, class or module; `self` for a bound method. */
  | { readonly t: 'ref'; readonly ref: Reference; readonly self?: Value }
  /** Nothing known; `symbol` names the value should it be used as a size. */
  | { readonly t: 'unknown'; readonly symbol?: { readonly key: string; readonly name: string } };

export const UNKNOWN: Value = { t: 'unknown' };
export const NONE: Value = { t: 'none' };
export const FLOAT: Value = { t: 'float' };
export const BOOL: Value = { t: 'bool' };

export function arrayValue(shape: ShapeValue | null, library: Library | null, origin?: Origin): Extract<Value, { t: 'array' }> {
  return origin ? { t: 'array', shape, library, origin } : { t: 'array', shape, library };
}

export function intValue(size: Size, origin: Origin): Value {
  return { t: 'int', dim: { size, origin } };
}

export function constantInt(value: number, origin: Origin): Value {
  return intValue(constant(value), origin);
}

/** The origin of a size that reached a parameter through a call. */
export function withVia(origin: Origin, via: Origin): Origin {
  return { kind: origin.kind, at: origin.at, detail: origin.detail, via };
}

export const UNKNOWN_ORIGIN: Origin = { kind: 'unknown', at: null, detail: 'unknown' };

/** The shape of a value as an operand: arrays, and scalars (rank 0) for broadcasting. */
export function shapeOf(value: Value): ShapeValue | null {
  if (value.t === 'array') return value.shape;
  if (value.t === 'int' || value.t === 'float' || value.t === 'bool') return { dims: [] };
  return null;
}

/**
 * A join point: where two values meet. Sizes that differ there become the symbol
 * `${key}/${path}`, so joining again at the same point gives the same symbol and loops and
 * recursive summaries reach a fixed point.
 */
export interface JoinPoint {
  readonly key: string;
  /** A readable name for the joined value (`x`), from which dimension symbols are named. */
  readonly name: string;
  readonly symbols: SymbolTable;
  readonly origin: Origin;
  /** False where the joined values are different things (elements of a list): differing sizes become unknown. */
  readonly symbolic: boolean;
}

export function joinValues(a: Value | null, b: Value | null, at: JoinPoint, path = ''): Value | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  switch (a.t) {
    case 'array': {
      if (b.t !== 'array') return UNKNOWN;
      const shape = a.shape && b.shape ? joinShapes(a.shape, b.shape, at, path) : null;
      return arrayValue(shape, a.library === b.library ? a.library : null, a.origin === b.origin ? a.origin : at.origin);
    }
    case 'int':
      if (b.t !== 'int') return b.t === 'float' || b.t === 'bool' ? FLOAT : UNKNOWN;
      return { t: 'int', dim: joinDims(a.dim, b.dim, at, path) };
    case 'bool':
      if (b.t === 'bool') return a.value === b.value ? a : BOOL;
      return b.t === 'int' || b.t === 'float' ? FLOAT : UNKNOWN;
    case 'float':
      return b.t === 'float' ? a : b.t === 'int' || b.t === 'bool' ? FLOAT : UNKNOWN;
    case 'str':
      return b.t === 'str' ? (a.value === b.value ? a : { t: 'str', value: null }) : UNKNOWN;
    case 'none':
      return b.t === 'none' ? a : UNKNOWN;
    case 'tuple':
      if (b.t !== 'tuple' || a.items.length !== b.items.length) return UNKNOWN;
      return { t: 'tuple', items: a.items.map((item, i) => joinValues(item, b.items[i], at, `${path}/${i}`) ?? UNKNOWN) };
    case 'list': {
      if (b.t !== 'list') return UNKNOWN;
      const items = a.items && b.items && a.items.length === b.items.length ? a.items.map((item, i) => joinValues(item, b.items![i], at, `${path}/${i}`) ?? UNKNOWN) : null;
      return { t: 'list', items, element: joinValues(a.element, b.element, at, `${path}/*`) };
    }
    case 'dict': {
      if (b.t !== 'dict') return UNKNOWN;
      const entries = new Map<string, Value>();
      for (const [key, value] of a.entries) {
        const other = b.entries.get(key);
        if (other) entries.set(key, joinValues(value, other, at, `${path}.${key}`) ?? UNKNOWN);
      }
      return { t: 'dict', entries, complete: a.complete && b.complete && entries.size === a.entries.size && entries.size === b.entries.size };
    }
    case 'object': {
      if (b.t !== 'object') return UNKNOWN;
      const fields = new Map<string, Value>();
      for (const [key, value] of a.fields) {
        const other = b.fields.get(key);
        if (other) fields.set(key, joinValues(value, other, at, `${path}.${key}`) ?? UNKNOWN);
      }
      const cls = a.cls === b.cls ? a.cls : null;
      return { t: 'object', cls, exact: cls !== null && a.exact && b.exact, fields };
    }
    case 'ref':
      return b.t === 'ref' && a.ref === b.ref && a.self === b.self ? a : UNKNOWN;
    case 'unknown':
      return a.symbol && b.t === 'unknown' && b.symbol?.key === a.symbol.key ? a : UNKNOWN;
  }
}

function joinShapes(a: ShapeValue, b: ShapeValue, at: JoinPoint, path: string): ShapeValue | null {
  if (a === b) return a;
  if (a.dims.length !== b.dims.length) return null;
  return { dims: a.dims.map((d, i) => joinDims(d, b.dims[i], at, `${path}[${i}]`)) };
}

/** Equal sizes stay (with the first origin); different ones become the join point's symbol. */
export function joinDims(a: DimValue, b: DimValue, at: JoinPoint, path: string): DimValue {
  if (sameSize(a.size, b.size)) return a;
  if (a.size === null || b.size === null || !at.symbolic) return { size: null, origin: at.origin };
  const id = at.symbols.intern(`${at.key}${path}`, dimName(at.name, path));
  if (a.size.symbols.length === 1 && a.size.symbols[0][0] === id) return a;
  return { size: symbolSize(id), origin: at.origin };
}

/** `x[0]` → `x.shape[0]`, `x/1[2]` → `x[1].shape[2]`: what a symbol of a joined dimension stands for. */
function dimName(name: string, path: string): string {
  const match = /^(.*)\[(\d+)\]$/.exec(path);
  if (!match) return path === '' ? name : `${name}${path.replace(/\//g, '.')}`;
  const inner = match[1].replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.');
  return `${name}${inner}.shape[${match[2]}]`;
}

/** Structural equality, ignoring origins: whether a fixed point has been reached. */
export function sameValue(a: Value | null, b: Value | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.t !== b.t) return false;
  switch (a.t) {
    case 'array': {
      const o = b as typeof a;
      if (a.library !== o.library) return false;
      if (a.shape === null || o.shape === null) return a.shape === o.shape;
      return a.shape.dims.length === o.shape.dims.length && a.shape.dims.every((d, i) => sameSize(d.size, o.shape!.dims[i].size));
    }
    case 'int':
      return sameSize(a.dim.size, (b as typeof a).dim.size);
    case 'str':
    case 'bool':
      return a.value === (b as typeof a).value;
    case 'tuple': {
      const o = b as typeof a;
      return a.items.length === o.items.length && a.items.every((item, i) => sameValue(item, o.items[i]));
    }
    case 'list': {
      const o = b as typeof a;
      const items = a.items === null || o.items === null ? a.items === o.items : a.items.length === o.items.length && a.items.every((item, i) => sameValue(item, o.items![i]));
      return items && sameValue(a.element, o.element);
    }
    case 'dict':
    case 'object': {
      const o = b as typeof a;
      const x = a.t === 'dict' ? a.entries : a.fields;
      const y = o.t === 'dict' ? o.entries : (o as Extract<Value, { t: 'object' }>).fields;
      if (a.t === 'object' && (a.cls !== (o as typeof a).cls || a.exact !== (o as typeof a).exact)) return false;
      if (a.t === 'dict' && a.complete !== (o as typeof a).complete) return false;
      if (x.size !== y.size) return false;
      for (const [key, value] of x) if (!sameValue(value, y.get(key) ?? null)) return false;
      return true;
    }
    case 'ref':
      return a.ref === (b as typeof a).ref && sameValue(a.self ?? null, (b as typeof a).self ?? null);
    case 'unknown':
      return a.symbol?.key === (b as typeof a).symbol?.key;
    default:
      return true;
  }
}

/**
 * After too many rounds at one join point, what still changes is given up: sizes that differ
 * from the previous round become unknown, and containers whose length changed become unknown.
 */
export function widenValue(previous: Value | null, next: Value): Value {
  if (previous === null || sameValue(previous, next)) return next;
  if (previous.t === 'array' && next.t === 'array') {
    if (!previous.shape || !next.shape || previous.shape.dims.length !== next.shape.dims.length) return arrayValue(null, next.library);
    const dims = next.shape.dims.map((d, i) => (sameSize(d.size, previous.shape!.dims[i].size) ? d : { size: null, origin: d.origin }));
    return arrayValue({ dims }, next.library);
  }
  if (previous.t === 'int' && next.t === 'int') return { t: 'int', dim: { size: null, origin: next.dim.origin } };
  if (previous.t === 'tuple' && next.t === 'tuple' && previous.items.length === next.items.length) {
    return { t: 'tuple', items: next.items.map((item, i) => widenValue(previous.items[i], item)) };
  }
  if (previous.t === 'list' && next.t === 'list') {
    const items = previous.items && next.items && previous.items.length === next.items.length ? next.items.map((item, i) => widenValue(previous.items![i], item)) : null;
    return { t: 'list', items, element: next.element && widenValue(previous.element, next.element) };
  }
  if (previous.t === next.t && (next.t === 'object' || next.t === 'dict' || next.t === 'ref' || next.t === 'float' || next.t === 'bool' || next.t === 'none' || next.t === 'str')) {
    return next.t === 'object' || next.t === 'dict' ? stripFields(next) : next;
  }
  return UNKNOWN;
}

function stripFields(value: Extract<Value, { t: 'object' | 'dict' }>): Value {
  return value.t === 'object' ? { ...value, fields: new Map() } : { t: 'dict', entries: new Map(), complete: false };
}

/** A compact key of a value, ignoring origins: memoizes results by the arguments they were computed from. */
export function valueKey(value: Value | null, ids: (ref: Reference) => string | number, depth = 0): string {
  if (value === null) return '_';
  if (depth > 6) return '…';
  const size = (d: DimValue) => (d.size === null ? '?' : `${d.size.coefficient}${d.size.symbols.map(([s, p]) => `s${s}^${p}`).join('')}`);
  switch (value.t) {
    case 'array':
      return `A${value.library ?? ''}${value.shape ? `[${value.shape.dims.map(size).join(',')}]` : '?'}`;
    case 'int':
      return `I${size(value.dim)}`;
    case 'str':
      return `S${JSON.stringify(value.value)}`;
    case 'bool':
      return `B${value.value ?? ''}`;
    case 'tuple':
      return `(${value.items.map((v) => valueKey(v, ids, depth + 1)).join(',')})`;
    case 'list':
      return `L${value.items ? `[${value.items.map((v) => valueKey(v, ids, depth + 1)).join(',')}]` : ''}*${valueKey(value.element, ids, depth + 1)}`;
    case 'dict':
      return `D${value.complete ? '!' : ''}{${[...value.entries].map(([k, v]) => `${k}:${valueKey(v, ids, depth + 1)}`).join(',')}}`;
    case 'object':
      return `O${value.cls ? ids(value.cls) : '?'}${value.exact ? '!' : ''}{${[...value.fields].map(([k, v]) => `${k}:${valueKey(v, ids, depth + 1)}`).join(',')}}`;
    case 'ref':
      return `R${ids(value.ref)}${value.self ? `@${valueKey(value.self, ids, depth + 1)}` : ''}`;
    case 'unknown':
      return value.symbol ? `U${value.symbol.key}` : 'U';
    default:
      return value.t;
  }
}

/** The value with every size mapped (symbols renamed); shared substructure is kept where nothing changes. */
export function mapSizes(value: Value, map: (size: Monomial) => Size, depth = 0): Value {
  if (depth > 6) return value;
  const dim = (d: DimValue): DimValue => (d.size === null || d.size.symbols.length === 0 ? d : { size: map(d.size), origin: d.origin });
  switch (value.t) {
    case 'array':
      return value.shape ? arrayValue({ dims: value.shape.dims.map(dim) }, value.library, value.origin) : value;
    case 'int':
      return { t: 'int', dim: dim(value.dim) };
    case 'tuple':
      return { t: 'tuple', items: value.items.map((item) => mapSizes(item, map, depth + 1)) };
    case 'list':
      return { t: 'list', items: value.items && value.items.map((item) => mapSizes(item, map, depth + 1)), element: value.element && mapSizes(value.element, map, depth + 1) };
    case 'dict':
      return { t: 'dict', entries: new Map([...value.entries].map(([k, v]) => [k, mapSizes(v, map, depth + 1)])), complete: value.complete };
    case 'object':
      return { ...value, fields: new Map([...value.fields].map(([k, v]) => [k, mapSizes(v, map, depth + 1)])) };
    default:
      return value;
  }
}
