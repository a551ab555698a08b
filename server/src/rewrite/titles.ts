/** Short figures for fix titles: what the fix saves. */
import type { CostSummary } from '../analysis/model';

/** `4.0x fewer FLOPs`, or `O(N^5) → O(N^3)` when the sizes are symbolic. */
export function savingText(before: CostSummary | null, after: CostSummary | null, symbolic: boolean): string {
  if (!before || !after) return 'cheaper order';
  if (symbolic) return `${before.scaling} → ${after.scaling}`;
  return `${timesFewer(before.flops, after.flops)} fewer FLOPs`;
}

export function timesFewer(before: bigint, after: bigint): string {
  if (after <= 0n) return 'many times';
  // Four significant digits of the ratio survive BigInt division at any size.
  const scaled = Number((before * 10000n) / after) / 10000;
  return `${scaled >= 100 ? Math.round(scaled) : scaled.toFixed(1)}x`;
}
