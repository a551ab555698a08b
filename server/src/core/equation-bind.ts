/** Binding operand shapes to the labels of a parsed equation. */
import type { Contraction, Dim, LabelSize, TextRange } from './contraction';
import { EquationError, type ParsedEquation, type ParsedTerm } from './equation-syntax';

export interface BindOptions {
  /** Values of symbolic dimension names (`{ B: 32 }`); also applies to labels whose size is unknown. */
  dims?: Record<string, number>;
  /** Numeric stand-in for a size that stays symbolic (default 64). */
  defaultSize?: number;
  /** Number of operands at the call site; checked instead of `shapes.length` when given. */
  operandCount?: number;
}

const DEFAULT_SYMBOL_SIZE = 64;
const SCANNED_LABELS = 32;

type Resolved = { kind: 'unknown' } | { kind: 'symbol'; symbol: string } | { kind: 'concrete'; value: number };

interface Binding {
  size: Resolved;
  /** The operand the current size came from, for messages and the broadcast rule. */
  operand: number;
}

/** Where the user wrote dimension i of a term: its label, or the `...` standing for `count` dimensions. */
function dimensionRange(term: ParsedTerm, i: number, count: number): TextRange {
  if (term.ellipsis < 0 || i < term.ellipsis) return term.labelRanges[i];
  if (i < term.ellipsis + count) return term.ellipsisRange ?? term.range;
  return term.labelRanges[i - count];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function termText(eq: ParsedEquation, term: ParsedTerm): string {
  return eq.text.slice(term.range.start, term.range.end);
}

function checkOperandCount(eq: ParsedEquation, count: number | undefined): void {
  const terms = eq.inputs;
  if (count === undefined || count === terms.length) return;
  const last = terms[terms.length - 1].range.end;
  // Too few operands: point at the terms left without one; too many: at the whole input side.
  const start = count < terms.length ? terms[count].range.start : terms[0].range.start;
  const given = `${plural(count, 'operand')} ${count === 1 ? 'was' : 'were'} given`;
  throw new EquationError(`the equation has ${plural(terms.length, 'input term')} but ${given}`, { start, end: last });
}

/** Checks the operand's rank; returns how many dimensions its `...` stands for (0 when unknown or absent). */
function ellipsisWidth(eq: ParsedEquation, term: ParsedTerm, k: number, shape: Dim[] | null): number {
  if (shape === null) return 0;
  const explicit = term.labels.length;
  if (term.ellipsis < 0 ? shape.length === explicit : shape.length >= explicit) return shape.length - explicit;
  const operand = `operand ${k} ('${termText(eq, term)}') has ${plural(explicit, 'label')}`;
  const dimensions = plural(shape.length, 'dimension');
  if (term.ellipsis < 0) throw new EquationError(`${operand} but its shape has ${dimensions}`, term.range);
  throw new EquationError(`${operand} besides '...' but its shape has only ${dimensions}`, term.range);
}

class SizeBinder {
  private readonly bindings: (Binding | undefined)[];
  /** The operand and first concrete size each label was last seen with, to check diagonals. */
  private readonly diagonalOperand: (number | undefined)[];
  private readonly diagonalSize: (number | undefined)[];

  /**
   * `labels`: the inputs' labels (the output's may follow). `rangeOf(k, i)`: where dimension i of
   * operand k is written, asked for only to report an error.
   */
  constructor(
    private readonly labels: readonly string[],
    private readonly ellipsisIds: readonly number[],
    private readonly options: BindOptions,
    private readonly rangeOf: (k: number, i: number) => TextRange,
  ) {
    // Sized for the inputs' labels, the only ones observed (lists grown from empty reserve room for 16).
    this.bindings = new Array(labels.length);
    this.diagonalOperand = new Array(labels.length);
    this.diagonalSize = new Array(labels.length);
  }

  /** Label `id` has size `dim` as dimension i of operand k. */
  observe(id: number, dim: Dim, k: number, i: number): void {
    // A literal size (nearly every dimension): checked without making its `Resolved` first.
    if (typeof dim === 'number' && isSize(dim)) {
      this.checkDiagonal(id, dim, k, i);
      const current = this.bindings[id];
      if (current?.size.kind === 'concrete' && current.size.value === dim && dim !== 1) return;
      this.merge(id, { kind: 'concrete', value: dim }, k, i);
      return;
    }
    const size = this.resolve(dim, id, k, i);
    if (size.kind === 'concrete') this.checkDiagonal(id, size.value, k, i);
    const current = this.bindings[id];
    // The same size again (nearly every repeat of a label) changes nothing, except a 1, whose
    // later operand takes over for the broadcast rule.
    const same = current?.size.kind === 'concrete' && size.kind === 'concrete' && current.size.value === size.value && size.value !== 1;
    if (!same) this.merge(id, size, k, i);
  }

  /** A label repeated within operand k (a diagonal) must have one size there. */
  private checkDiagonal(id: number, value: number, k: number, i: number): void {
    const first = this.diagonalOperand[id] === k ? this.diagonalSize[id] : undefined;
    if (first === undefined) {
      this.diagonalOperand[id] = k;
      this.diagonalSize[id] = value;
    } else if (first !== value) {
      const sizes = `sizes ${first} and ${value}`;
      throw new EquationError(`${this.describe(id)} repeats in operand ${k} with ${sizes}; a diagonal needs equal sizes`, this.rangeOf(k, i));
    }
  }

  sizes(): LabelSize[] {
    const fallback = this.options.defaultSize ?? DEFAULT_SYMBOL_SIZE;
    return this.labels.map((name, id) => {
      const size = this.bindings[id]?.size ?? { kind: 'unknown' };
      if (size.kind === 'concrete') return { value: size.value, symbol: null };
      // Naming an unknown size after its label keeps symbolic costs readable (`i·j·k`).
      const symbol = size.kind === 'symbol' ? size.symbol : name;
      return { value: fallback, symbol };
    });
  }

  private describe(id: number): string {
    return this.ellipsisIds.includes(id) ? `ellipsis dimension '${this.labels[id]}'` : `label '${this.labels[id]}'`;
  }

  private resolve(dim: Dim, id: number, k: number, i: number): Resolved {
    if (dim === null) {
      const name = this.labels[id];
      return this.hasDim(name) ? this.fromTable(name, k, i) : { kind: 'unknown' };
    }
    if (typeof dim === 'string') return this.hasDim(dim) ? this.fromTable(dim, k, i) : { kind: 'symbol', symbol: dim };
    if (!isSize(dim)) {
      throw new EquationError(
        `operand ${k} has size ${dim} for ${this.describe(id)}; sizes must be non-negative integers`,
        this.rangeOf(k, i),
      );
    }
    return { kind: 'concrete', value: dim };
  }

  private hasDim(name: string): boolean {
    return this.options.dims !== undefined && Object.hasOwn(this.options.dims, name);
  }

  private fromTable(name: string, k: number, i: number): Resolved {
    const value = this.options.dims![name];
    if (!isSize(value)) {
      throw new EquationError(`dimension '${name}' is set to ${value}; sizes must be non-negative integers`, this.rangeOf(k, i));
    }
    return { kind: 'concrete', value };
  }

  private merge(id: number, size: Resolved, k: number, i: number): void {
    const current = this.bindings[id];
    if (current && current.size.kind !== 'unknown') {
      const was = current.size;
      const clash = was.kind === 'concrete' && size.kind === 'concrete' && was.value !== size.value;
      if (clash && was.value !== 1 && size.value !== 1) {
        const sizes = `size ${was.value} in operand ${current.operand} but size ${size.value} in operand ${k}`;
        throw new EquationError(`${this.describe(id)} has ${sizes}`, this.rangeOf(k, i));
      }
      if (!supersedes(was, size, current.operand !== k)) return;
    }
    this.bindings[id] = { size, operand: k };
  }
}

/**
 * opt_einsum's broadcasting: size 1 yields to any other size. A concrete size beats a symbol,
 * except a 1 from another operand, which broadcasts against it. Of two symbols the first stays.
 */
function supersedes(was: Resolved, size: Resolved, otherOperand: boolean): boolean {
  if (size.kind === 'unknown') return false;
  if (was.kind === 'concrete') return was.value === 1 && (size.kind === 'concrete' || otherOperand);
  return size.kind === 'concrete' && !(size.value === 1 && otherOperand);
}

/**
 * Binds operand shapes (`shapes[k]` for operand k; null for an unknown shape) to the labels.
 * Label ids follow first appearance in the inputs; the ellipsis dimensions `…0`, `…1`, … take
 * consecutive ids at the first `...` and are right-aligned across operands, as in numpy.
 */
export function bindShapes(
  eq: ParsedEquation,
  shapes: (Dim[] | null)[] | null,
  options: BindOptions = {},
): Contraction {
  checkOperandCount(eq, options.operandCount ?? shapes?.length);
  const shapeOf = (k: number): Dim[] | null => shapes?.[k] ?? null;
  const widths = eq.inputs.map((term, k) => ellipsisWidth(eq, term, k, shapeOf(k)));
  let width = 0;
  for (const w of widths) if (w > width) width = w;

  const labels: string[] = [];
  // A scan finds a label among a few faster than a Map; many labels (named equations) get one.
  let ids: Map<string, number> | null = null;
  const idOf = (name: string): number => {
    let id = ids ? ids.get(name) : labels.indexOf(name);
    if (id === undefined || id < 0) {
      id = labels.push(name) - 1;
      if (ids) ids.set(name, id);
      else if (labels.length > SCANNED_LABELS) ids = new Map(labels.map((label, i) => [label, i]));
    }
    return id;
  };
  let ellipsisLabels: number[] = [];
  const broadcastIds = (count: number): number[] => {
    if (ellipsisLabels.length < width) ellipsisLabels = Array.from({ length: width }, (_, i) => idOf(`…${i}`));
    return ellipsisLabels.slice(width - count);
  };
  /** Label ids of a term's dimensions, left to right, `...` standing for `count` of them. */
  const idsOf = (term: ParsedTerm, count: number): number[] => {
    if (term.ellipsis < 0) return term.labels.map(idOf);
    const ids: number[] = [];
    for (let i = 0; i < term.labels.length; i++) {
      if (i === term.ellipsis) ids.push(...broadcastIds(count));
      ids.push(idOf(term.labels[i]));
    }
    if (term.ellipsis === term.labels.length) ids.push(...broadcastIds(count));
    return ids;
  };

  const inputs = eq.inputs.map((term, k) => idsOf(term, widths[k]));
  const binder = new SizeBinder(labels, ellipsisLabels, options, (k, i) => dimensionRange(eq.inputs[k], i, widths[k]));
  inputs.forEach((ids, k) => {
    const shape = shapeOf(k);
    for (let i = 0; i < ids.length; i++) binder.observe(ids[i], shape ? shape[i] : null, k, i);
  });
  const output = idsOf(eq.output, width);
  return {
    inputs,
    output,
    labels,
    sizes: binder.sizes(),
    style: eq.style === 'named' ? 'named' : 'letters',
    ellipsisLabels,
  };
}
