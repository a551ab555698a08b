/**
 * A matrix chain prices an operand of unknown rank as a matrix. If that operand is batched (more
 * than two dimensions, batch size B), every product whose subtree holds it costs B times more,
 * which can make another order the cheaper one. For each set of batched operands the cost of an
 * order is linear in B, so a claim holds for every B ≥ 1 when it holds at B = 1 (the count as
 * priced) and for the batched products alone (B → ∞), set by set.
 */
import type { Contraction } from '../core/contraction';
import { costOfPath } from '../core/cost';
import { compareCosts, type RangeOf } from '../core/dominance';
import type { LinearPath } from '../core/paths/types';
import { Polynomial } from '../core/symbolic';
import { flopRatio } from '../core/counts';
import type { ContractionSite } from './model';
import { claimOf } from './size-verdict';

/** Beyond this many operands of unknown rank the 2^n sets are not tried: the claim stays conditional. */
export const MAX_UNKNOWN_RANK = 6;
/** Subtrees are bit masks over the operands. */
const MAX_OPERANDS = 30;

/**
 * What batching the operands of unknown rank does to the claim that the best order beats the
 * written one: nothing to check, holds however they are batched, or holds only if `unproven` are 2-D.
 */
export type BatchClaim =
  | { kind: 'no-unknown-rank' }
  | { kind: 'any-batching'; unknown: string[] }
  | { kind: 'if-2d'; unproven: string[] }
  /** A vector end and a batched operand, both certain: another order computes something else. */
  | { kind: 'changes-values' };

/**
 * `@` is associative under broadcasting only without vectors: a vector's dimension is dropped at
 * each product, so with a batched operand `v @ (A @ B)` and `(v @ A) @ B` can differ in shape and
 * values (`((v @ A) @ B) @ w` multiplies a batch of rows as one matrix). An end of unknown rank
 * may be a vector, an operand of unknown rank batched: each pair that may meet, by operand index.
 */
export function broadcastHazards(ranks: (number | null)[]): [vector: number, batched: number][] {
  const last = ranks.length - 1;
  const mayBeBatched = (i: number) => ranks[i] === null || ranks[i]! > 2;
  const ends = (last > 0 ? [0, last] : []).filter((i) => ranks[i] === null || ranks[i] === 1);
  return ends.flatMap((end) => ranks.flatMap((_, j) => (j !== end && mayBeBatched(j) ? [[end, j] as [number, number]] : [])));
}

/** Each operand's rank; null where it is unknown (priced as a matrix). */
export function operandRanks(site: ContractionSite): (number | null)[] {
  return site.operands.map((o) => o.shape?.dims.length ?? null);
}

export function batchClaim(site: ContractionSite, minSpeedup: number, rangeOf: RangeOf): BatchClaim {
  const c = site.contraction;
  const ranks = operandRanks(site);
  const unknown = ranks.flatMap((r, i) => (r === null ? [i] : []));
  if (site.kind !== 'matmul-chain' || !c || !site.baseline || !site.best) return { kind: 'no-unknown-rank' };
  const hazards = broadcastHazards(ranks);
  if (hazards.some((pair) => pair.every((i) => ranks[i] !== null))) return { kind: 'changes-values' };
  if (unknown.length === 0) return { kind: 'no-unknown-rank' };
  const names = (indices: number[]) => indices.map((i) => site.operands[i].text);
  if (unknown.length > MAX_UNKNOWN_RANK || c.inputs.length > MAX_OPERANDS) return { kind: 'if-2d', unproven: names(unknown) };
  const written = batchableSteps(c, site.baseline.path);
  const best = batchableSteps(c, site.best.path);
  // With those of unknown rank in a hazard 2-D, what remains is 2-D or known safe.
  let unproven = 0;
  for (const pair of hazards) for (const i of pair) if (ranks[i] === null) unproven |= 1 << i;
  // Every non-empty set of batched operands, as a mask over the unknown ones.
  for (let set = 1; set < 1 << unknown.length; set++) {
    let batched = 0;
    unknown.forEach((operand, k) => {
      if (set & (1 << k)) batched |= 1 << operand;
    });
    if (!stillCheaper(batchedCost(written, batched), batchedCost(best, batched), minSpeedup, rangeOf)) unproven |= batched;
  }
  // A set that breaks the claim lies within `unproven`: with those 2-D, whatever else is batched keeps it.
  const failing = unknown.filter((i) => unproven & (1 << i));
  return failing.length === 0 ? { kind: 'any-batching', unknown: names(unknown) } : { kind: 'if-2d', unproven: names(failing) };
}

/** `x` is 2-D, `x` and `y` are 2-D, `x`, `y` and `z` are 2-D. */
export function twoDimensional(names: string[]): string {
  const quoted = names.map((n) => `\`${n}\``);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
  return `${list} ${quoted.length === 1 ? 'is' : 'are'} 2-D`;
}

interface BatchableStep {
  /** The operands in the step's subtree, as a bit mask. */
  operands: number;
  flops: Polynomial;
}

function batchableSteps(c: Contraction, path: LinearPath): BatchableStep[] {
  const live = c.inputs.map((_, i) => 1 << i);
  return costOfPath(c, path).steps.map((step, i) => {
    let operands = 0;
    for (const p of [...path[i]].sort((a, b) => b - a)) operands |= live.splice(p, 1)[0];
    live.push(operands);
    return { operands, flops: step.flopsPolynomial };
  });
}

/** The cost that grows with B: the products whose subtree holds a batched operand. */
function batchedCost(steps: BatchableStep[], batched: number): Polynomial {
  return steps.filter((s) => s.operands & batched).reduce((sum, s) => sum.add(s.flops), Polynomial.constant(0));
}

/** The same bar as the claim at B = 1: at least `minSpeedup` fewer FLOPs, or provably cheaper at every size. */
function stillCheaper(written: Polynomial, best: Polynomial, minSpeedup: number, rangeOf: RangeOf): boolean {
  if (written.isConstant() && best.isConstant()) {
    const [before, after] = [written, best].map((p) => p.evaluateExact(new Map()));
    return after < before && flopRatio(before, after) >= minSpeedup;
  }
  const claim = claimOf(compareCosts(written, best, minSpeedup, rangeOf), written.degree(), best.degree());
  return claim !== null && claim.condition === null;
}
