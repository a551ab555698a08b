/**
 * Shapes of pattern-driven operations: an einsum's result from its equation, and einops'
 * `rearrange`/`repeat`/`reduce` from their patterns and axis sizes. Language-neutral.
 */
import type { ParsedEquation } from '../../core/equation';
import { constant, constantValue, divideSizes, productOf, sameSize, type Size } from './sizes';
import type { DimValue, Origin, ShapeValue } from './values';

/** Of two sizes a label has in two operands, the one that tells more (1 broadcasts). */
function better(current: DimValue | undefined, next: DimValue): DimValue {
  if (!current || current.size === null) return next;
  if (next.size === null || sameSize(current.size, next.size)) return current;
  const c = constantValue(current.size);
  const n = constantValue(next.size);
  if (c === 1) return next;
  if (n === 1 || c !== null) return current;
  return n !== null ? next : current;
}

/** The shape an einsum returns; null when an operand does not fit its term (the call fails) or the rank is unknown. */
export function einsumResult(eq: ParsedEquation, shapes: readonly (ShapeValue | null)[], origin: Origin): ShapeValue | null {
  const byLabel = new Map<string, DimValue>();
  /** Broadcast dimensions, right-aligned: index 0 is the last one. */
  const ellipsis: (DimValue | undefined)[] = [];
  let ellipsisKnown = true;
  for (const [k, term] of eq.inputs.entries()) {
    const shape = shapes[k] ?? null;
    if (!shape) {
      if (term.ellipsis >= 0) ellipsisKnown = false;
      continue;
    }
    const width = shape.dims.length - term.labels.length;
    if (term.ellipsis < 0 ? width !== 0 : width < 0) return null;
    term.labels.forEach((label, i) => {
      const at = term.ellipsis >= 0 && i >= term.ellipsis ? i + width : i;
      byLabel.set(label, better(byLabel.get(label), shape.dims[at]));
    });
    for (let j = 0; j < (term.ellipsis >= 0 ? width : 0); j++) {
      ellipsis[j] = better(ellipsis[j], shape.dims[term.ellipsis + width - 1 - j]);
    }
  }
  const output = eq.output;
  if (output.ellipsis >= 0 && !ellipsisKnown) return null;
  const dims: DimValue[] = output.labels.map((label) => byLabel.get(label) ?? { size: null, origin });
  if (output.ellipsis >= 0) dims.splice(output.ellipsis, 0, ...[...ellipsis].reverse().map((d) => d ?? { size: null, origin }));
  return { dims };
}

/** One side of an einops pattern: axes and parenthesized groups, with `...` at most once. */
type PatternItem = { kind: 'axis'; name: string } | { kind: 'group'; names: string[] } | { kind: 'ellipsis' } | { kind: 'unit' };

function parseSide(text: string): PatternItem[] | null {
  const items: PatternItem[] = [];
  const tokens = text.match(/\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+|\S/g) ?? [];
  let group: string[] | null = null;
  for (const token of tokens) {
    if (token === '(') {
      if (group) return null;
      group = [];
    } else if (token === ')') {
      if (!group) return null;
      items.push(group.length === 0 ? { kind: 'unit' } : { kind: 'group', names: group });
      group = null;
    } else if (token === '...') {
      if (group) return null;
      items.push({ kind: 'ellipsis' });
    } else if (/^[A-Za-z_]/.test(token) || token === '1') {
      if (group) group.push(token);
      else items.push(token === '1' ? { kind: 'unit' } : { kind: 'axis', name: token });
    } else return null;
  }
  return group ? null : items;
}

/**
 * `einops.rearrange(x, "b (h d) n -> b h n d", h=8)`, `repeat` and `reduce`: sizes of the left side are
 * bound from the input's shape (one unknown axis per group is solved by division), then the
 * right side is built from them and from `lengths`; null when the pattern does not fit.
 */
export function einopsResult(
  pattern: string,
  input: ShapeValue | null,
  lengths: ReadonlyMap<string, DimValue>,
  origin: Origin,
): ShapeValue | null {
  const [left, right, extra] = pattern.split('->');
  if (right === undefined || extra !== undefined) return null;
  const from = parseSide(left);
  const to = parseSide(right);
  if (!from || !to || from.filter((i) => i.kind === 'ellipsis').length > 1) return null;
  const sizes = new Map<string, DimValue>(lengths);
  let ellipsisDims: DimValue[] | null = null;
  if (input) {
    const explicit = from.filter((i) => i.kind !== 'ellipsis').length;
    const hasEllipsis = from.some((i) => i.kind === 'ellipsis');
    if (hasEllipsis ? input.dims.length < explicit : input.dims.length !== explicit) return null;
    let axis = 0;
    for (const item of from) {
      if (item.kind === 'ellipsis') {
        const width = input.dims.length - explicit;
        ellipsisDims = input.dims.slice(axis, axis + width);
        axis += width;
        continue;
      }
      const d = input.dims[axis++];
      if (item.kind === 'axis') sizes.set(item.name, d);
      else if (item.kind === 'group') bindGroup(item.names, d, sizes, origin);
    }
  } else if (from.some((i) => i.kind === 'ellipsis')) return null;
  const result: DimValue[] = [];
  for (const item of to) {
    if (item.kind === 'ellipsis') {
      if (!ellipsisDims) return null;
      result.push(...ellipsisDims);
    } else if (item.kind === 'unit') result.push({ size: constant(1), origin });
    else if (item.kind === 'axis') result.push(sizes.get(item.name) ?? { size: null, origin });
    else result.push({ size: productOf(item.names.map((n) => sizes.get(n)?.size ?? null)), origin });
  }
  return { dims: result };
}

/** `(h d)` of size `total`: names with a known length give the one left by division. */
function bindGroup(names: string[], total: DimValue, sizes: Map<string, DimValue>, origin: Origin): void {
  const unknown = names.filter((n) => !sizes.has(n));
  if (unknown.length === 1) {
    const known: Size = productOf(names.filter((n) => sizes.has(n)).map((n) => sizes.get(n)!.size));
    sizes.set(unknown[0], { size: divideSizes(total.size, known), origin });
  } else if (names.length === 1) sizes.set(names[0], total);
  else for (const name of unknown) sizes.set(name, { size: null, origin });
}
