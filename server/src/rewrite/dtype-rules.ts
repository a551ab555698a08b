/**
 * When a rewrite keeps the arithmetic the same, by element type. numpy (and jax, and
 * opt_einsum on numpy) promote all operands of one einsum to one type before contracting,
 * while pairwise calls promote pair by pair: int32 pairs wrap, bool pairs sum as logical OR.
 * So a new order is only offered when every operand's type is known and the same. float16 and
 * bfloat16 intermediates overflow or round differently in another order. A scalar factor moves
 * exactly only between floating tensors: never onto integers or booleans (truncation, wrap).
 */
import type { Library } from '../analysis/model';
import { isHalf, sameDtype, type Dtype } from '../analysis/python/dtypes';
import type { PyNode } from '../analysis/python/syntax';
import type { FixContext } from './context';
import { RewriteRefusal } from './refusal';

/** Libraries whose einsum contracts with the types as given, erring on a mix (no promotion to worry about). */
const NO_PROMOTION: ReadonlySet<Library> = new Set(['torch', 'tensorflow', 'tfjs']);

interface Typed {
  text: string;
  dtype: Dtype | null;
}

/** Refuses a new contraction order that could change the arithmetic. */
export function checkReorderTypes(context: FixContext, library: Library, operands: readonly PyNode[]): void {
  const typed = operands.map((node) => ({ text: context.source.textOf(node), dtype: context.source.dtypes().infer(node, library) }));
  const half = typed.find((t) => t.dtype && isHalf(t.dtype));
  if (half) throw new RewriteRefusal(`${quoted(half.text)} is ${half.dtype!.name}: in another order, intermediates can overflow or round differently`);
  if (NO_PROMOTION.has(library)) return;
  const unknown = typed.find((t) => !t.dtype || t.dtype.name === null);
  const who = library === 'jax' ? 'jax.numpy' : 'numpy';
  const why = `${who} promotes the operands of one call together but pairwise steps pair by pair (int32 pairs wrap, bool pairs become OR)`;
  if (unknown) throw new RewriteRefusal(`the dtype of ${quoted(unknown.text)} is not known, and ${why}`);
  const other = typed.find((t) => !sameDtype(t.dtype!, typed[0].dtype!));
  if (other) throw new RewriteRefusal(`${quoted(typed[0].text)} is ${typed[0].dtype!.name} and ${quoted(other.text)} is ${other.dtype!.name}, and ${why}`);
}

/**
 * Refuses moving a scalar factor unless every tensor it leaves or reaches is floating (or
 * complex) and wider than 16 bits. In torch an einsum's operands share one type, so one known
 * floating operand stands for all; elsewhere every operand must be known.
 */
export function checkScalarTypes(context: FixContext, library: Library, operands: readonly PyNode[], scaled: readonly PyNode[]): void {
  const infer = (node: PyNode): Typed => ({ text: context.source.textOf(node), dtype: context.source.dtypes().infer(node, library) });
  for (const tensor of scaled.map(infer)) checkFloating(tensor);
  const typed = operands.map(infer);
  for (const operand of typed) if (operand.dtype) checkFloating(operand);
  const known = typed.filter((t) => t.dtype);
  if (known.length === 0 || (!NO_PROMOTION.has(library) && known.length < typed.length)) {
    const unknown = typed.find((t) => !t.dtype)!;
    throw new RewriteRefusal(`the dtype of ${quoted(unknown.text)} is not known: a factor moves exactly only between floating tensors`);
  }
}

function checkFloating({ text, dtype }: Typed): void {
  if (!dtype) throw new RewriteRefusal(`the dtype of ${quoted(text)} is not known: a factor moves exactly only between floating tensors`);
  if (dtype.kind !== 'float' && dtype.kind !== 'complex') {
    throw new RewriteRefusal(`${quoted(text)} is ${dtype.name ?? dtype.kind}: a scalar factor moved onto or off it would truncate, wrap or change its type`);
  }
  if (dtype.name === null || isHalf(dtype)) {
    const name = dtype.name ?? 'a float of unknown width (float16 included)';
    throw new RewriteRefusal(`${quoted(text)} is ${name}: moving the factor could overflow or lose range`);
  }
}

function quoted(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return `\`${flat.length > 40 ? `${flat.slice(0, 37)}...` : flat}\``;
}
