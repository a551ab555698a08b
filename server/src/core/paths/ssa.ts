/**
 * Paths in two conventions. SSA: operands are numbered 0..n-1 and each step's result gets
 * the next number. Linear (opt_einsum's public one): positions in the shrinking operand list.
 */
import type { LinearPath } from './types';

export type SsaPath = number[][];

export function ssaToLinear(ssa: SsaPath, operandCount: number): LinearPath {
  // The live list is always in SSA order (inputs, then results as they are made), so an id's
  // position is the number of live ids below it.
  const ids = operandCount + ssa.length;
  if (liveScratch.length < ids) liveScratch = new Uint8Array(Math.max(ids, liveScratch.length * 2));
  const live = liveScratch.fill(1, 0, operandCount).fill(0, operandCount, ids);
  let next = operandCount;
  // Sized up front: callers keep the path (a list grown by pushes reserves room for 16).
  const linear: LinearPath = new Array(ssa.length);
  for (let s = 0; s < ssa.length; s++) {
    const step = ssa[s];
    // Sized up front: a list grown by pushes from empty reserves room for 16.
    const positions: number[] = step.length === 2 ? [0, 0] : new Array<number>(step.length).fill(0);
    let taken = 0;
    for (const id of step) {
      // Ids past this path's own are not live, whatever an earlier path left there.
      if (!(id < ids && live[id] === 1)) throw new Error(`SSA id ${id} is not live`);
      let position = 0;
      for (let below = 0; below < id; below++) if (live[below] !== 0) position++;
      // Insertion keeps the positions sorted (steps are short).
      let k = taken++;
      positions[k] = position;
      while (k > 0 && positions[k - 1] > position) {
        positions[k] = positions[k - 1];
        positions[--k] = position;
      }
      live[id] = 2; // taken: still counted for the rest of this step, not live again
    }
    for (const id of step) live[id] = 0;
    linear[s] = positions;
    live[next++] = 1;
  }
  return linear;
}

/** `ssaToLinear`'s marks, reused (a typed array per path was most of its cost); calls never nest. */
let liveScratch = new Uint8Array(64);

/** A contraction tree: a leaf is an operand index, a node lists its children. */
export type ContractionTree = number | ContractionTree[];

/** Post-order SSA steps of a tree (children before parents). */
export function treeToSsa(tree: ContractionTree, operandCount: number): SsaPath {
  const steps: SsaPath = [];
  let next = operandCount;
  const visit = (node: ContractionTree): number => {
    if (typeof node === 'number') return node;
    const ids = node.map(visit);
    steps.push(ids);
    return next++;
  };
  visit(tree);
  return steps;
}
