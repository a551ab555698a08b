/**
 * Paths in two conventions. SSA: operands are numbered 0..n-1 and each step's result gets
 * the next number. Linear (opt_einsum's public one): positions in the shrinking operand list.
 */
import type { LinearPath } from './types';

export type SsaPath = number[][];

export function ssaToLinear(ssa: SsaPath, operandCount: number): LinearPath {
  const live: number[] = [];
  for (let i = 0; i < operandCount; i++) live.push(i);
  let next = operandCount;
  const linear: LinearPath = [];
  for (const step of ssa) {
    const positions = step
      .map((id) => {
        const position = live.indexOf(id);
        if (position < 0) throw new Error(`SSA id ${id} is not live`);
        return position;
      })
      .sort((a, b) => a - b);
    linear.push(positions);
    const taken = new Set(step);
    for (let i = live.length - 1; i >= 0; i--) if (taken.has(live[i])) live.splice(i, 1);
    live.push(next++);
  }
  return linear;
}

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
