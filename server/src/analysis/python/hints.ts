/**
 * Shape hint comments (documented in docs/shape-hints.md):
 *
 *     # einsight: q[batch, heads, seq, 64] k[batch, heads, seq, 64]
 *     # einsight: batch=32 seq=1024
 *     # einsight: ignore            (or ignore[EIN001, EIN004])
 *
 * A hint holds from the start of its line to the end of the enclosing function (or module).
 */
import type { Dim } from '../../core/contraction';
import type { SourceRange } from '../model';

export interface ShapeHint {
  /** The variable, possibly dotted (`self.weight`). */
  name: string;
  dims: Dim[];
  /** The element type written after the shape (`x[4, 5] float32`), or null. */
  dtype: string | null;
  range: SourceRange;
}

export interface DimHint {
  name: string;
  value: number;
  range: SourceRange;
}

export interface HintError {
  message: string;
  range: SourceRange;
}

export interface HintComment {
  range: SourceRange;
  /** Offset of the start of the comment's line: the hint holds from there on. */
  lineStart: number;
  shapes: ShapeHint[];
  dims: DimHint[];
  /** Codes to silence on this line; an empty list silences every code; null when absent. */
  ignore: string[] | null;
  errors: HintError[];
}

const MARKER = /\beinsight\s*:/;
/** Python identifiers are Unicode (`α`, `Δt`), possibly dotted (`self.weight`). */
const NAME = /^[\p{XID_Start}_][\p{XID_Continue}]*(?:\.[\p{XID_Start}_][\p{XID_Continue}]*)*/u;
/** Element types a shape hint may name after its brackets. */
const DTYPES = new Set(
  'float16 bfloat16 float32 float64 complex64 complex128 int8 int16 int32 int64 uint8 uint16 uint32 uint64 bool'.split(' '),
);
const INTEGER = /^[0-9][0-9_]*/;
const CODE = /^EIN[0-9]{3}$/;

/** A size written in digits, when doubles hold it exactly (up to 2^53); null past that. */
export function exactSize(digits: string): number | null {
  const value = BigInt(digits.replaceAll('_', ''));
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

export function tooLargeForExactCounts(written: string): string {
  return `'${written}' is larger than 2^53 - 1 (9,007,199,254,740,991), past which einsight cannot count exactly: give a smaller size, or none`;
}

/** Parses the comment at `offset` (text includes the `#`); null when it is no einsight comment. */
export function parseHintComment(text: string, offset: number, lineStart: number): HintComment | null {
  const marker = MARKER.exec(text);
  if (!marker) return null;
  const hint: HintComment = {
    range: { start: offset, end: offset + text.length },
    lineStart,
    shapes: [],
    dims: [],
    ignore: null,
    errors: [],
  };
  new HintScanner(text, offset, marker.index + marker[0].length, hint).items();
  return hint;
}

class HintScanner {
  constructor(
    private readonly text: string,
    private readonly offset: number,
    private pos: number,
    private readonly hint: HintComment,
  ) {}

  items(): void {
    for (;;) {
      this.skip(/[\s,;]/);
      if (this.pos >= this.text.length) return;
      if (!this.item()) return;
    }
  }

  /** One `name[...]`, `name=value` or `ignore[...]`; false after an error (the rest is not read). */
  private item(): boolean {
    const start = this.pos;
    const name = NAME.exec(this.text.slice(this.pos))?.[0];
    if (!name) return this.fail(`expected a variable name, a size such as 'batch=32', or 'ignore'`, start, start + 1);
    this.pos += name.length;
    this.skip(/[ \t]/);
    if (name === 'ignore' && this.peek() !== '=') return this.ignore();
    if (this.peek() === '=') {
      this.pos++;
      this.skip(/[ \t]/);
      const digits = INTEGER.exec(this.text.slice(this.pos))?.[0];
      if (!digits) return this.fail(`'${name}=' needs a non-negative integer size`, start, this.pos + 1);
      const word = /^[^\s,;\]]*/.exec(this.text.slice(this.pos))![0];
      // `N=1e400`, `N=2.5`, `N=64x`: the whole word is the size, not its leading digits.
      if (word !== digits) return this.fail(`'${name}=${word}' is not a size: use a whole number such as ${name}=64`, start, this.pos + word.length);
      this.pos += digits.length;
      const value = exactSize(digits);
      if (value === null) return this.fail(tooLargeForExactCounts(`${name}=${digits}`), start, this.pos);
      this.hint.dims.push({ name, value, range: this.range(start, this.pos) });
      return true;
    }
    if (this.peek() !== '[') return this.fail(`'${name}' needs a shape in brackets, e.g. ${name}[batch, 64]`, start, this.pos);
    const dims = this.bracketList((token, at) => {
      if (INTEGER.test(token) && INTEGER.exec(token)![0] === token) {
        const value = exactSize(token);
        if (value === null) this.fail(tooLargeForExactCounts(token), at, at + token.length);
        return value ?? undefined;
      }
      if (token === '?' || token === '_') return null;
      if (NAME.exec(token)?.[0] === token && !token.includes('.')) return token;
      this.fail(`'${token}' is not a size: use an integer, a name, or '?'`, at, at + token.length);
      return undefined;
    });
    if (!dims) return false;
    this.hint.shapes.push({ name, dims, dtype: this.dtype(), range: this.range(start, this.pos) });
    return true;
  }

  /** `float32` right after a shape's brackets (not a name starting the next item). */
  private dtype(): string | null {
    const rest = this.text.slice(this.pos);
    const match = /^[ \t]+([a-z0-9]+)(?![\p{XID_Continue}.[=])/u.exec(rest);
    if (!match || !DTYPES.has(match[1]) || /^[ \t]*[[=]/.test(rest.slice(match[0].length))) return null;
    this.pos += match[0].length;
    return match[1];
  }

  private ignore(): boolean {
    if (this.peek() !== '[') {
      this.hint.ignore = [];
      return true;
    }
    const codes = this.bracketList((token, at) => {
      if (CODE.test(token)) return token;
      this.fail(`'${token}' is not a rule code such as EIN001`, at, at + token.length);
      return undefined;
    });
    if (!codes) return false;
    this.hint.ignore = codes;
    return true;
  }

  /** Reads `[a, b c]`; `read` returns undefined after reporting a bad token. */
  private bracketList<T>(read: (token: string, at: number) => T | undefined): T[] | null {
    const open = this.pos;
    this.pos++;
    const out: T[] = [];
    for (;;) {
      this.skip(/[\s,]/);
      if (this.pos >= this.text.length) return this.failNull(`'[' is never closed`, open, open + 1);
      if (this.peek() === ']') {
        this.pos++;
        return out;
      }
      const at = this.pos;
      while (this.pos < this.text.length && !/[\s,\]]/.test(this.text[this.pos])) this.pos++;
      const value = read(this.text.slice(at, this.pos), at);
      if (value === undefined) return null;
      out.push(value);
    }
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skip(pattern: RegExp): void {
    while (this.pos < this.text.length && pattern.test(this.text[this.pos])) this.pos++;
  }

  private range(start: number, end: number): SourceRange {
    return { start: this.offset + start, end: this.offset + end };
  }

  private fail(message: string, start: number, end: number): false {
    this.hint.errors.push({ message, range: this.range(start, Math.min(end, this.text.length)) });
    return false;
  }

  private failNull(message: string, start: number, end: number): null {
    this.fail(message, start, end);
    return null;
  }
}

interface Held<T, S> {
  item: T;
  lineStart: number;
  scope: S;
}

/** Hint comments with the scope each one holds in, indexed by the names they mention. */
export class HintIndex<S> {
  private readonly shapes = new Map<string, Held<ShapeHint, S>[]>();
  private readonly dims = new Map<string, Held<DimHint, S>[]>();
  /** Comments with `ignore`, in source order (few, so scanned). */
  private readonly ignores: HintComment[] = [];
  private readonly hints: HintComment[] = [];

  constructor(private readonly encloses: (outer: S, inner: S) => boolean) {}

  /** Hints must be added in source order. */
  add(hint: HintComment, scope: S): void {
    for (const shape of hint.shapes) push(this.shapes, shape.name, { item: shape, lineStart: hint.lineStart, scope });
    for (const dim of hint.dims) push(this.dims, dim.name, { item: dim, lineStart: hint.lineStart, scope });
    if (hint.ignore !== null) this.ignores.push(hint);
    this.hints.push(hint);
  }

  get all(): readonly HintComment[] {
    return this.hints;
  }

  /** Whether any shape hint names `name` (a cheap test before looking one up). */
  hasShape(name: string): boolean {
    return this.shapes.has(name);
  }

  /** Whether any shape hint is written at all (before slicing a name's text to ask `hasShape`). */
  get anyShape(): boolean {
    return this.shapes.size > 0;
  }

  /** The latest shape hint for `name` that holds at `offset` in `scope`. */
  shape(name: string, offset: number, scope: S): ShapeHint | null {
    return this.latest(this.shapes.get(name), offset, scope);
  }

  dim(name: string, offset: number, scope: S): DimHint | null {
    return this.latest(this.dims.get(name), offset, scope);
  }

  /** Codes silenced by `ignore` comments starting in [start, end): [] silences all; null when none. */
  ignoredBetween(start: number, end: number): string[] | null {
    let found = false;
    let all = false;
    const codes: string[] = [];
    for (const hint of this.ignores) {
      if (hint.range.start < start || hint.range.start >= end) continue;
      found = true;
      if (hint.ignore!.length === 0) all = true;
      codes.push(...hint.ignore!);
    }
    return !found ? null : all ? [] : codes;
  }

  private latest<T>(held: Held<T, S>[] | undefined, offset: number, scope: S): T | null {
    if (!held) return null;
    for (let i = held.length - 1; i >= 0; i--) {
      if (held[i].lineStart <= offset && this.encloses(held[i].scope, scope)) return held[i].item;
    }
    return null;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
