/**
 * The evaluation-order rule every pairwise emitter follows: operands that may run code are
 * evaluated in source order and before any contraction (a call may modify an earlier operand
 * in place), and reads such a call could change that are written before it are evaluated
 * before it. A tree whose emitted code does not keep that order gets those operands bound to
 * temporaries first, in source order.
 */
import type { OperandEffect } from '../analysis/python/effects';
import { stepsInOrder, type PlanNode, type StepNode } from './plan';

export interface OrderedLeaf {
  effect: OperandEffect;
  /** Evaluation order as written (source offset). */
  order: number;
}

/** The operands to bind to temporaries first, in source order; empty when the emitted code keeps the order. */
export function operandsToBindFirst(root: StepNode, leaves: readonly OrderedLeaf[], temporaries: boolean): number[] {
  const ordered = mustKeepOrder(leaves);
  if (meetsInOrder(evaluationOrder(root, temporaries), ordered, leaves)) return [];
  return [...ordered].sort((a, b) => leaves[a].order - leaves[b].order);
}

/** Operands whose evaluation must keep its place: effects, and reads written before the last effect. */
function mustKeepOrder(leaves: readonly OrderedLeaf[]): Set<number> {
  const lastEffect = Math.max(-1, ...leaves.filter((l) => l.effect === 'effect').map((l) => l.order));
  const kept = new Set<number>();
  leaves.forEach((leaf, k) => {
    if (leaf.effect === 'effect' || (leaf.effect === 'read' && leaf.order < lastEffect)) kept.add(k);
  });
  return kept;
}

type Event = { kind: 'leaf'; operand: number } | { kind: 'step' };

/**
 * What the emitted code evaluates, in order: operands and completed contractions. Nested calls
 * run depth first, left to right; with temporaries, every step but the last is computed before
 * the statement, and the root's own operands only then.
 */
function evaluationOrder(root: StepNode, temporaries: boolean): Event[] {
  const events: Event[] = [];
  const nested = (node: PlanNode) => {
    if (node.kind === 'leaf') {
      events.push({ kind: 'leaf', operand: node.operand });
      return;
    }
    node.children.forEach(nested);
    events.push({ kind: 'step' });
  };
  if (!temporaries) {
    nested(root);
    return events;
  }
  for (const step of stepsInOrder(root)) {
    for (const child of step.children) if (child.kind === 'leaf') events.push({ kind: 'leaf', operand: child.operand });
    events.push({ kind: 'step' });
  }
  return events;
}

/** The operands that keep their order are all evaluated, in source order, before any contraction. */
function meetsInOrder(events: readonly Event[], ordered: ReadonlySet<number>, leaves: readonly OrderedLeaf[]): boolean {
  const firstStep = events.findIndex((e) => e.kind === 'step');
  const seen: { operand: number; at: number }[] = [];
  events.forEach((e, at) => {
    if (e.kind === 'leaf' && ordered.has(e.operand)) seen.push({ operand: e.operand, at });
  });
  return seen.every(({ operand, at }, i) => at < firstStep && (i === 0 || leaves[seen[i - 1].operand].order < leaves[operand].order));
}
