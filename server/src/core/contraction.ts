/**
 * The language-neutral model of one einsum expression, after parsing and size binding.
 * Labels are small integers so optimizers can work on bitsets; `labels` keeps the names
 * for display (ellipsis dimensions get synthetic names such as `…0`).
 */

/** A half-open character range [start, end) inside the equation text. */
export interface TextRange {
  start: number;
  end: number;
}

/** A dimension as the user wrote it: a concrete size, a symbolic name, or unknown. */
export type Dim = number | string | null;

/** A size after binding: concrete, or a symbol (whose numeric stand-in is in `sizes`). */
export interface LabelSize {
  /** Numeric size used for optimisation (a symbol's default when unbound). */
  value: number;
  /** Symbol name when the size is not concrete; null when it is. */
  symbol: string | null;
}

export interface Contraction {
  /** Label ids of each operand, in operand order (repeats kept: `ii` is [0, 0]). */
  inputs: number[][];
  /** Label ids of the output, in output order. */
  output: number[];
  /** Display name of each label id. */
  labels: string[];
  /** Size of each label id. */
  sizes: LabelSize[];
  /** How labels are written back: letters (`ij`) or einops-style names (`b i j`); letters when absent. */
  style?: 'letters' | 'named';
  /**
   * Label ids of the ellipsis dimensions, left to right (`…0`, `…1`, …); a term holding a
   * right-aligned run of them is written with `...`. Absent or empty when nothing is broadcast.
   */
  ellipsisLabels?: number[];
}

/** Numeric sizes of a contraction, in label-id order. */
export function numericSizes(c: Contraction): number[] {
  return c.sizes.map((s) => s.value);
}
