/**
 * A linear contraction path as a tree of calls. Children are ordered by the first operand they
 * hold, so a depth-first walk meets the operands as close to source order as the path allows
 * and each intermediate's labels read in the order the user wrote them.
 */
import type { Contraction } from '../core/contraction';
import { sizeProduct, validatePath } from '../core/cost';
import type { LinearPath } from '../core/paths/types';
import { notApplicable, RewriteRefusal } from './refusal';

export interface LeafNode {
  kind: 'leaf';
  operand: number;
  labels: number[];
  size: bigint;
  firstLeaf: number;
}

export interface StepNode {
  kind: 'step';
  children: PlanNode[];
  labels: number[];
  size: bigint;
  firstLeaf: number;
}

export type PlanNode = LeafNode | StepNode;

export function contractionTree(c: Contraction, path: LinearPath): StepNode {
  try {
    validatePath(c.inputs.length, path);
  } catch (error) {
    throw new RewriteRefusal(`the contraction path is not valid here: ${(error as Error).message}`);
  }
  const live: PlanNode[] = c.inputs.map((labels, operand) => ({
    kind: 'leaf',
    operand,
    labels: [...labels],
    size: sizeProduct(c, labels),
    firstLeaf: operand,
  }));
  const ellipsis = c.ellipsisLabels ?? [];
  path.forEach((positions, index) => {
    const taken = [...positions].sort((a, b) => b - a).map((p) => live.splice(p, 1)[0]);
    const children = taken.sort((a, b) => a.firstLeaf - b.firstLeaf);
    const last = index === path.length - 1;
    const labels = last ? [...c.output] : keptLabels(children, live, c.output, ellipsis);
    live.push({
      kind: 'step',
      children,
      labels,
      size: sizeProduct(c, labels),
      firstLeaf: children[0].firstLeaf,
    });
  });
  const root = live[0];
  if (root.kind !== 'step') throw notApplicable('the path performs no contraction');
  return root;
}

/**
 * Labels an intermediate keeps (needed by the output or a remaining operand), in order of first
 * appearance; broadcast dimensions are gathered into one ordered run so `...` can name them.
 */
function keptLabels(children: PlanNode[], rest: PlanNode[], output: readonly number[], ellipsis: readonly number[]): number[] {
  const needed = new Set([...output, ...rest.flatMap((n) => n.labels)]);
  const kept: number[] = [];
  for (const label of children.flatMap((n) => n.labels)) {
    if (needed.has(label) && !kept.includes(label)) kept.push(label);
  }
  const broadcast = new Set(ellipsis);
  const at = kept.findIndex((l) => broadcast.has(l));
  if (at < 0) return kept;
  const run = ellipsis.filter((l) => kept.includes(l));
  const others = kept.filter((l) => !broadcast.has(l));
  return [...others.slice(0, at), ...run, ...others.slice(at)];
}

/** Operands in the order a depth-first, left-to-right walk (Python's evaluation order) meets them. */
export function leafOrder(node: PlanNode): number[] {
  return node.kind === 'leaf' ? [node.operand] : node.children.flatMap(leafOrder);
}

/** Steps in post-order: every step after the steps it consumes. */
export function stepsInOrder(root: StepNode): StepNode[] {
  const steps: StepNode[] = [];
  const visit = (node: PlanNode) => {
    if (node.kind === 'leaf') return;
    node.children.forEach(visit);
    steps.push(node);
  };
  visit(root);
  return steps;
}
