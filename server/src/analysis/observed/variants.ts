/**
 * From a site's recording to shapes einsight can price: one variant per distinct signature the
 * run saw, each operand's shape filled where the code leaves a size unknown (a size the code
 * fixes is kept, and a recording that contradicts it is reported). The consensus is what holds
 * for every variant: a size all of them agree on, or the code's own, or unknown where they vary.
 */
import type { Contraction, Dim } from '../../core/contraction';
import type { KnownShape, ObservedVariant, OperandInfo, ShapeSource, SiteSyntax } from '../model';
import type { ObservedOperand, ObservedShape } from './format';
import type { ProductRecording, SiteRecording } from './match';

/** A recorded signature in the site's terms: one observed operand per operand of the call. */
export interface RecordedVariant {
  equation: string | null;
  operands: (ObservedOperand | null)[];
  calls: number;
  timeNs: number;
}

export interface FilledVariant extends RecordedVariant {
  operandInfo: OperandInfo[];
  conflicts: string[];
  /** False when the recorded call cannot be this one (another number of operands). */
  fits: boolean;
}

/** The signatures of a site's recording, most called first. */
export function recordedVariants(site: SiteSyntax, recording: SiteRecording): RecordedVariant[] {
  if (recording.kind === 'call') {
    return recording.record.shapes.map((shape) => ({ ...shape, operands: shape.operands }));
  }
  return chainVariants(site, recording.products);
}

/**
 * Fills one variant's shapes into the site's operands; the code's sizes win. A call that
 * spreads its operands (`*xs`) takes as many as the run passed; for any other call a different
 * count is a conflict and the variant has no operands filled.
 */
export function fillVariant(site: SiteSyntax, variant: RecordedVariant): FilledVariant {
  const conflicts: string[] = [];
  let operands = site.operands;
  if (variant.operands.length !== site.operands.length && site.kind === 'einsum') {
    if (!site.dynamic) {
      const count = (n: number) => `${n} operand${n === 1 ? '' : 's'}`;
      conflicts.push(`the recorded run passed ${count(variant.operands.length)}, but the code passes ${count(site.operands.length)}`);
      return { ...variant, operandInfo: site.operands, conflicts, fits: false };
    }
    operands = variant.operands.map((_, k) => ({ text: `operand ${k + 1}`, range: site.range, shape: null }));
  }
  const operandInfo = operands.map((operand, k) => {
    const seen = variant.operands[k]?.shape ?? null;
    if (seen === null) return operand;
    const known = operand.shape;
    if (!known) return { ...operand, shape: recordedShape(seen, `${shapeText(seen)} in the recorded run`) };
    if (known.dims.length !== seen.length) {
      conflicts.push(conflictText(operand.text, k, seen, known.dims));
      return operand;
    }
    let filled = false;
    const dims = known.dims.map((dim, axis) => {
      const size = seen[axis];
      if (typeof dim === 'number') {
        if (size !== null && size !== dim) conflicts.push(conflictText(operand.text, k, seen, known.dims));
        return dim;
      }
      if (size === null) return dim;
      filled = true;
      return size;
    });
    if (!filled) return operand;
    return { ...operand, shape: withSizes(known, dims, (axis) => typeof known.dims[axis] !== 'number' && seen[axis] !== null, `${shapeText(seen)} in the recorded run`) };
  });
  return { ...variant, operandInfo, conflicts: [...new Set(conflicts)], fits: true };
}

/** The shapes that hold for every variant: a size they all agree on, else the code's, else unknown. */
export function consensusOperands(site: SiteSyntax, variants: readonly FilledVariant[]): OperandInfo[] {
  const counts = new Set(variants.map((v) => v.operandInfo.length));
  // Spread operands (`*xs`) seen in different numbers: nothing holds for all of them.
  if (counts.size !== 1) return site.operands;
  const spread = variants[0].operandInfo.length !== site.operands.length;
  const operands = spread ? variants[0].operandInfo.map((o) => ({ ...o, shape: null })) : site.operands;
  return operands.map((operand, k) => {
    const shapes = variants.map((v) => v.operandInfo[k].shape);
    const first = shapes[0];
    if (!first || shapes.some((s) => !s || s.dims.length !== first.dims.length)) return operand;
    if (shapes.every((s) => s === operand.shape)) return operand;
    const values = first.dims.map((_, axis) => [...new Set(shapes.map((s) => s!.dims[axis]))]);
    const dims = values.map((options, axis): Dim => {
      if (options.length === 1) return options[0];
      // Varying: the code's symbol when it has one, else unknown — never one of the recorded sizes.
      const own = operand.shape?.dims[axis];
      return typeof own === 'string' ? own : null;
    });
    const varying = values.map((options) => options.length > 1);
    const detail = `${variants.length} shapes in the recorded run`;
    const base: KnownShape = operand.shape ?? { dims, source: observedSource(detail), dimSources: dims.map(() => observedSource(detail)) };
    const fromRun = (axis: number) => typeof operand.shape?.dims[axis] !== 'number';
    const sources = dims.map((_, axis): ShapeSource | null => {
      if (!fromRun(axis)) return null;
      if (varying[axis]) return observedSource(`varies in the recorded run: ${(values[axis] as Dim[]).map(String).join(', ')}`);
      return first.dimSources[axis] ?? observedSource(detail);
    });
    return { ...operand, shape: { ...base, dims, dimSources: dims.map((_, axis) => sources[axis] ?? base.dimSources[axis] ?? base.source) } };
  });
}

function recordedShape(seen: (number | null)[], detail: string): KnownShape {
  const source = observedSource(detail);
  return { dims: [...seen], source, dimSources: seen.map(() => source) };
}

function withSizes(known: KnownShape, dims: Dim[], recorded: (axis: number) => boolean, detail: string): KnownShape {
  const source = observedSource(detail);
  const dimSources = dims.map((_, axis) => (recorded(axis) ? source : (known.dimSources[axis] ?? known.source)));
  return { dims, source: known.source, dimSources };
}

export function observedSource(detail: string): ShapeSource {
  return { kind: 'observed', range: null, detail };
}

function conflictText(text: string, k: number, seen: (number | null)[], known: Dim[]): string {
  const flat = text.replace(/\s+/g, ' ');
  const name = flat.length > 24 ? `${flat.slice(0, 23)}…` : flat;
  return `operand ${k + 1} (${name}) was ${shapeText(seen)} in the recorded run, but the code says ${shapeText(known)}; einsight uses the code's`;
}

export function shapeText(dims: readonly Dim[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

// --- matrix chains -------------------------------------------------------------------------

/**
 * A chain's variants from its products' recordings: each recorded product gives the shapes of
 * its operands that are leaves of the chain. Products recorded with several signatures are
 * paired through the shapes they pass on (a product's result is its parent's operand); a
 * signature that cannot be paired with exactly one of its parent's is left out.
 */
function chainVariants(site: SiteSyntax, products: readonly ProductRecording[]): RecordedVariant[] {
  const bySize = [...products].sort((a, b) => b.left.length + b.right.length - (a.left.length + a.right.length));
  const root = bySize[0];
  if (!root) return [];
  const variants: RecordedVariant[] = [];
  for (const signature of root.record.shapes) {
    const operands: (ObservedOperand | null)[] = site.operands.map(() => null);
    let timeNs = signature.timeNs;
    const assigned = assignProduct(root, signature, operands, products, (spent) => (timeNs += spent));
    if (assigned) variants.push({ equation: null, operands, calls: signature.calls, timeNs });
  }
  return variants;
}

function assignProduct(
  product: ProductRecording,
  signature: ObservedShape,
  operands: (ObservedOperand | null)[],
  products: readonly ProductRecording[],
  addTime: (ns: number) => void,
): boolean {
  const sides: [number[], ObservedOperand | undefined][] = [
    [product.left, signature.operands[0]],
    [product.right, signature.operands[1]],
  ];
  for (const [leaves, seen] of sides) {
    if (!seen) return false;
    if (leaves.length === 1) {
      operands[leaves[0]] = seen;
      continue;
    }
    const inner = products.find((p) => sameLeaves([...p.left, ...p.right], leaves));
    if (!inner) continue;
    const fitting = inner.record.shapes.filter((s) => sameShape(productShape(s), seen.shape));
    if (fitting.length !== 1) return false;
    addTime(Math.round((fitting[0].timeNs * signature.calls) / Math.max(fitting[0].calls, 1)));
    if (!assignProduct(inner, fitting[0], operands, products, addTime)) return false;
  }
  return true;
}

function sameLeaves(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((leaf, i) => leaf === b[i]);
}

function sameShape(a: (number | null)[] | null, b: (number | null)[] | null): boolean {
  return a !== null && b !== null && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The result shape of a recorded matrix product (numpy's matmul rules), or null when unknown. */
export function productShape(signature: ObservedShape): (number | null)[] | null {
  const [left, right] = signature.operands.map((o) => o.shape);
  if (!left || !right || left.length === 0 || right.length === 0) return null;
  const a = left.length === 1 ? [1, left[0]] : left;
  const b = right.length === 1 ? [right[0], 1] : right;
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: (number | null)[] = [];
  for (let i = 0; i < rank; i++) {
    const x = batchA[batchA.length - rank + i] ?? 1;
    const y = batchB[batchB.length - rank + i] ?? 1;
    batch.push(x === 1 ? y : y === 1 ? x : x === y ? x : null);
  }
  const rows = left.length === 1 ? [] : [a[a.length - 2]];
  const columns = right.length === 1 ? [] : [b[b.length - 1]];
  return [...batch, ...rows, ...columns];
}

/**
 * The sizes a recorded variant gives the symbols of a site's contraction (a varying size stays
 * symbolic on the site): with them as dimensions, the site is priced at that variant.
 */
export function dimsOfVariant(contraction: Contraction, variant: ObservedVariant): Record<string, number> {
  const dims: Record<string, number> = Object.create(null) as Record<string, number>;
  contraction.inputs.forEach((labels, k) => {
    const shape = variant.shapes[k];
    if (!shape || shape.length !== labels.length) return;
    labels.forEach((label, axis) => {
      const symbol = contraction.sizes[label].symbol;
      const size = shape[axis];
      if (symbol !== null && typeof size === 'number') dims[symbol] = size;
    });
  });
  return dims;
}
