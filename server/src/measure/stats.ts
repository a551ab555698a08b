/** Summaries of run times, and the float32 agreement test between two outputs. */

export interface TimingStats {
  medianMs: number;
  minMs: number;
  p90Ms: number;
  /** Every timed run, in the order run. */
  samplesMs: number[];
}

/** numpy's default percentile: linear interpolation between the closest ranks. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  const rank = (q / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export function timingStats(samplesMs: readonly number[]): TimingStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { medianMs: percentile(sorted, 50), minMs: sorted[0], p90Ms: percentile(sorted, 90), samplesMs: [...samplesMs] };
}

export const FLOAT32_EPSILON = 2 ** -23;

/**
 * The largest absolute difference two evaluations of one contraction may show in a float type
 * of machine epsilon `epsilon` (float32 by default). Each output element sums `termsPerOutput`
 * products and a different order rounds differently: a random walk of roundings grows like
 * √terms, once per operand. Relative to the largest output magnitude that gives, in float32,
 * between 1e-5 and 1e-3; a wrong contraction on random data is off by the output's own size,
 * so the test still separates right from wrong by orders of magnitude.
 */
export function agreementTolerance(maxAbsReference: number, termsPerOutput: number, operandCount: number, epsilon = FLOAT32_EPSILON): number {
  const scale = epsilon / FLOAT32_EPSILON;
  const relative = Math.min(1e-3 * scale, 0.05, 1e-5 * scale + 2 * epsilon * Math.sqrt(termsPerOutput) * operandCount);
  return relative * Math.max(maxAbsReference, Number.MIN_VALUE);
}
