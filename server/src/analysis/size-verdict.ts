/**
 * Cost claims with symbolic sizes, decided exactly (core/dominance): whether the best path is
 * cheaper than what the library runs for every size the code allows, under a stated
 * condition, or not provably at all. A library that searches its path at run time picks it
 * from the real sizes, so a path fixed from stand-in sizes cannot be claimed to beat it.
 */
import type { Contraction } from '../core/contraction';
import { costOfPath, naiveCost } from '../core/cost';
import { ANY_SIZE, compareCosts, type RangeOf } from '../core/dominance';
import type { Polynomial } from '../core/symbolic';
import type { AnalysisOptions, Baseline, BestCost, SizeVerdict } from './model';

/** The user's ranges (`--dims nocc=10..50`), every other size at least 1. */
export function rangesOf(options: AnalysisOptions): RangeOf {
  const ranges = options.dimRanges;
  if (!ranges) return ANY_SIZE;
  return (symbol) => {
    const range = Object.hasOwn(ranges, symbol) ? ranges[symbol] : null;
    if (!range) return { min: 1n, max: null };
    return { min: BigInt(Math.max(1, range.min)), max: range.max === null ? null : BigInt(range.max) };
  };
}

/** The polynomial of what the library runs; null for a path picked at run time. */
export function baselinePolynomial(c: Contraction, baseline: Baseline): Polynomial | null {
  if (baseline.method === 'optimizer') return null;
  if (baseline.method === 'naive') return naiveCost(c).flopsPolynomial;
  return costOfPath(c, baseline.path).flopsPolynomial;
}

export function siteSizeVerdict(c: Contraction, baseline: Baseline, best: BestCost, options: AnalysisOptions): SizeVerdict {
  const before = baselinePolynomial(c, baseline);
  if (before === null) return { kind: 'run-time-search' };
  return compareCosts(before, costOfPath(c, best.path).flopsPolynomial, options.minSpeedup ?? 2, rangesOf(options));
}

/** A claim over symbolic sizes: the condition it holds under (null: every size), and when the gain reaches `minSpeedup`. */
export interface SizeClaim {
  condition: string | null;
  /** Set when the gain holds at every size but reaches `minSpeedup` only under this condition. */
  speedupWhen: string | null;
}

/** Whether a claim over symbolic sizes is worth a finding, and under which condition it holds. */
export function claimOf(verdict: SizeVerdict | null, baselineDegree: number, bestDegree: number): SizeClaim | null {
  if (verdict === null) return null;
  const lower = bestDegree < baselineDegree;
  // Never costlier, and either at least minSpeedup cheaper everywhere, as sizes grow, or in a stated regime.
  if (verdict.kind === 'always' && (verdict.ratio || lower || verdict.ratioWhen !== null)) {
    return { condition: null, speedupWhen: verdict.ratio ? null : verdict.ratioWhen };
  }
  // Cheaper only in a stated regime: worth saying when the gain grows with the sizes.
  if (verdict.kind === 'when' && lower) return { condition: verdict.condition, speedupWhen: null };
  return null;
}
