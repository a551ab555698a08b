/** Short figures for fix titles: what the fix saves. */
import type { CostSummary } from '../analysis/model';
import { flopRatio, formatSpeedup } from '../core/counts';

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
