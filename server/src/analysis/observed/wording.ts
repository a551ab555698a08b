/** How recorded weights read in messages and hovers: "called 12,400 times, 38% of einsum time in the recorded run". */
import { formatCount, formatSpeedup } from '../../core/counts';
import type { SiteObservation } from '../model';

export function observedWeightText(observation: Pick<SiteObservation, 'calls' | 'timeNs' | 'share' | 'runs'>): string {
  const calls = `called ${formatCount(BigInt(observation.calls))} time${observation.calls === 1 ? '' : 's'}`;
  const where = observation.runs > 1 ? `in ${observation.runs} recorded runs` : 'in the recorded run';
  if (observation.share === null) return `${calls}, ${durationText(observation.timeNs)} ${where}`;
  return `${calls}, ${percentText(observation.share)} of einsum time ${where}`;
}

/** `38%`, `<1%` for a share too small to round to a percent. */
export function percentText(share: number): string {
  const percent = share * 100;
  if (percent > 0 && percent < 0.5) return '<1%';
  return `${Math.round(percent)}%`;
}

/** `850 µs`, `12.3 ms`, `4.2 s`. */
export function durationText(ns: number): string {
  if (ns < 1e6) return `${Math.round(ns / 1e3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(1)} s`;
}

/** `2.1×–5.3×` over several speedups, one figure when they agree. */
export function speedupRange(speedups: readonly number[]): string {
  const low = Math.min(...speedups);
  const high = Math.max(...speedups);
  return formatSpeedup(low) === formatSpeedup(high) ? formatSpeedup(low) : `${formatSpeedup(low)}–${formatSpeedup(high)}`;
}
