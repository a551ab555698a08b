/**
 * One call of a library function or method, with the accessors its shape rule needs: an
 * argument by position or keyword, as an array shape, an int, a shape argument or axes.
 */
import { arrayValue, UNKNOWN, type DimValue, type Origin, type ShapeValue, type Value } from '../shapes/values';
import type { Library } from '../model';
import { axesFrom, boolConstant, dimFrom, intConstant, shapeFrom, sizesFrom } from './abstract';
import type { Args } from './calls';
import { LITERAL } from './expressions';
import type { Env, Frame } from './frame';
import type { ShapeAnalysis } from './shape-analysis';
import { field, namedChildren, unwrap, type PyNode } from './syntax';

export type ArrayValue = Extract<Value, { t: 'array' }>;

export class LibraryCall {
  private made: Origin | null = null;

  constructor(
    readonly analysis: ShapeAnalysis,
    readonly frame: Frame,
    readonly env: Env,
    readonly node: PyNode,
    readonly args: Args,
    /** The receiver of a method (an array, a list, a generator). */
    readonly self: Value | null,
    /** The library the result belongs to. */
    readonly library: Library | null,
  ) {}

  /** Where arrays this call makes come from. */
  get origin(): Origin {
    this.made ??= this.analysis.origin(this.frame, this.node, 'constructor');
    return this.made;
  }

  /** Mints a symbol (made on first use: most calls need none, and a closure per call was a large allocation). */
  get mint(): (key: string, name: string) => number {
    this.minter ??= (key: string, name: string): number => this.analysis.symbol(key, name);
    return this.minter;
  }

  private minter: ((key: string, name: string) => number) | null = null;

  /** The argument at `position`, or given as `keyword`. */
  arg(position: number, keyword?: string): Value | undefined {
    if (keyword !== undefined && this.args.keywords.has(keyword)) return this.args.keywords.get(keyword);
    return position >= 0 ? this.args.positional[position] : undefined;
  }

  array(position: number, keyword?: string): ArrayValue | null {
    const value = this.arg(position, keyword);
    return value?.t === 'array' ? value : null;
  }

  /** The shape of an array argument; scalars are rank 0. */
  shape(position: number, keyword?: string): ShapeValue | null {
    const value = this.arg(position, keyword);
    if (!value) return null;
    if (value.t === 'array') return value.shape;
    if (value.t === 'int' || value.t === 'float' || value.t === 'bool') return { dims: [] };
    return null;
  }

  int(position: number, keyword?: string): number | null {
    return intConstant(this.arg(position, keyword));
  }

  /** A size argument (an int, possibly symbolic); unknown when it is not one. */
  size(position: number, keyword?: string): DimValue {
    const value = this.arg(position, keyword);
    return value ? this.sized(dimFrom(value, this.origin, this.mint)) : { size: null, origin: this.origin };
  }

  /** A shape argument (an int, a tuple or list of ints); null when its length is unknown. */
  shapeArgument(position: number, keyword?: string): DimValue[] | null {
    const value = this.arg(position, keyword);
    return value ? this.placed(shapeFrom(value, this.origin, this.mint)) : null;
  }

  /** Sizes given one per argument from `from` on, or as one shape argument (`torch.randn(2, 3)` / `((2, 3))`). */
  sizes(from: number, keyword?: string): DimValue[] | null {
    const given = keyword !== undefined ? this.args.keywords.get(keyword) : undefined;
    if (given) return this.placed(shapeFrom(given, this.origin, this.mint));
    if (this.args.open) return null;
    const values = this.args.positional.slice(from);
    if (values.length === 0) return [];
    return this.placed(sizesFrom(values, this.origin, this.mint));
  }

  /** `axis=`/`dim=`: null for every axis, a list of constant axes, or 'unknown'. */
  axes(position: number, ...keywords: string[]): number[] | null | 'unknown' {
    for (const keyword of keywords) if (this.args.keywords.has(keyword)) return axesFrom(this.args.keywords.get(keyword));
    return axesFrom(this.args.positional[position]);
  }

  flag(keywords: readonly string[], fallback: boolean): boolean | null {
    for (const keyword of keywords) if (this.args.keywords.has(keyword)) return boolConstant(this.args.keywords.get(keyword), fallback);
    return fallback;
  }

  result(shape: ShapeValue | null, library: Library | null = this.library): ArrayValue {
    return arrayValue(shape, library, this.origin);
  }

  /** The result of an operation that keeps its input's shape. */
  same(value: Value | undefined): Value {
    if (!value) return UNKNOWN;
    if (value.t === 'array') return arrayValue(value.shape, value.library ?? this.library, value.origin);
    if (value.t === 'int' || value.t === 'float') return this.library ? this.result({ dims: [] }) : value;
    return this.library ? this.result(null) : UNKNOWN;
  }

  /** Ints written in the call take the call as their place. */
  private sized(dim: DimValue): DimValue {
    return dim.origin === LITERAL ? { size: dim.size, origin: this.origin } : dim;
  }

  private placed(dims: DimValue[] | null): DimValue[] | null {
    return dims && dims.map((d) => this.sized(d));
  }

  /** The text of keyword argument `name` as written (`dtype=object`), or null. */
  keywordText(name: string): string | null {
    const list = field(this.node, 'arguments');
    for (const argument of list ? namedChildren(list) : []) {
      const key = argument.type === 'keyword_argument' ? field(argument, 'name') : null;
      if (key && this.analysis.text(this.frame, key) === name) return this.analysis.text(this.frame, field(argument, 'value')!);
    }
    return null;
  }

  /** The local name or attribute a method was called on, to update it after a mutation (`xs.append(v)`). */
  receiverNode(): PyNode | null {
    const callee = field(this.node, 'function');
    const inner = callee ? unwrap(callee) : null;
    return inner?.type === 'attribute' ? field(inner, 'object') : null;
  }

  /** Rebinds a local name passed as the first argument (`setattr(self, 'w', v)`). */
  updateFirstArgument(value: Value): void {
    const list = field(this.node, 'arguments');
    const first = list ? namedChildren(list)[0] : null;
    if (first && unwrap(first).type === 'identifier') this.env.set(this.analysis.text(this.frame, unwrap(first)), value);
  }

  /** Rebinds the receiver of a mutating method (a local name, or `self.attr`) to its new value. */
  updateReceiver(value: Value): void {
    const receiver = this.receiverNode();
    if (!receiver) return;
    const node = unwrap(receiver);
    if (node.type === 'identifier') {
      this.env.set(this.analysis.text(this.frame, node), value);
      return;
    }
    if (node.type !== 'attribute') return;
    const holder = field(node, 'object');
    const attribute = field(node, 'attribute');
    if (!holder || !attribute || unwrap(holder).type !== 'identifier') return;
    const name = this.analysis.text(this.frame, unwrap(holder));
    const object = this.env.get(name);
    if (object?.t !== 'object') return;
    const fields = new Map(object.fields);
    fields.set(this.analysis.text(this.frame, attribute), value);
    this.env.set(name, { ...object, fields });
  }
}
