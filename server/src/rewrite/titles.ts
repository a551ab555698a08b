/**
 * Fix titles: plain words, numbers in einsight's one format, and short enough for one line of
 * a quick-fix menu. The diagnostic beside the fix has the full detail.
 */
import type { CostSummary } from '../analysis/model';
import { flopRatio, formatSpeedup } from '../core/counts';

/** Titles are shorter than this. */
export const TITLE_LIMIT = 80;

/**
 * `action (detail)` with the first action that fits; else the first action alone that fits;
 * else the last action, cut. List actions from the most to the least specific.
 */
export function fixTitle(actions: string | readonly string[], detail?: string): string {
  const choices = typeof actions === 'string' ? [actions] : actions;
  const fits = (text: string) => text.length < TITLE_LIMIT;
  const withDetail = detail ? choices.map((action) => `${action} (${detail})`).find(fits) : undefined;
  const plain = withDetail ?? choices.find(fits);
  if (plain) return plain;
  const last = choices[choices.length - 1];
  return `${last.slice(0, TITLE_LIMIT - 2)}…`;
}

/** `4.00× fewer FLOPs`, or `O(N^5) → O(N^3)` when the sizes are symbolic. */
export function savingText(before: CostSummary | null, after: CostSummary | null, symbolic: boolean): string {
  if (!before || !after) return 'cheaper order';
  if (symbolic) return `${before.scaling} → ${after.scaling}`;
  return `${timesFewer(before.flops, after.flops)} fewer FLOPs`;
}

export function timesFewer(before: bigint, after: bigint): string {
  if (after <= 0n) return 'many times';
  return formatSpeedup(flopRatio(before, after));
}
