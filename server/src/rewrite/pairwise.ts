/**
 * Emitting a contraction tree as pairwise calls, as nested calls or as temporaries computed
 * before the statement. Every operand is evaluated exactly once and the call's effects keep
 * their meaning: operands that may run code (`effect`) are evaluated in source order, before
 * any contraction (a call may modify an earlier operand in place), and reads a call could
 * change (`read`) that precede one are evaluated before it, as written. When the tree does not
 * meet them that way, they are first bound to temporaries, in source order.
 */
import type { OperandEffect } from '../analysis/python/effects';
import type { Contraction } from '../core/contraction';
import { blasStep, type BlasDispatch } from './blas-steps';
import { operandsToBindFirst } from './evaluation-order';
import { einsumCall, type EinsumStyle } from './emit';
import { relabel, stepEquation, term, type LabelledContraction } from './labels';
import type { NameAllocator } from './names';
import { stepsInOrder, type PlanNode, type StepNode } from './plan';
import type { HoistPoint } from './python-source';
import { RewriteRefusal } from './refusal';

export interface LeafInput {
  /** The operand's source text. */
  text: string;
  /** What evaluating it may do to other code, and what other code may do to its value. */
  effect: OperandEffect;
  /** Evaluation order as written (source offset). */
  order: number;
  /** Binds at least as tightly as `*`, so `text * s` needs no parentheses. */
  tight: boolean;
  /** The text as the value of an assignment: `x := f()` needs parentheses there. */
  valueText: string;
}

/** A scalar product applied once, to one tensor of the tree (`* (a / b)` or `/ b`). */
export interface Scaling {
  node: PlanNode;
  /** The text appended to the tensor's expression, operator included: ` * 0.5`, ` / math.sqrt(d)`. */
  suffix: string;
}

export interface PairwiseRequest {
  contraction: Contraction;
  root: StepNode;
  leaves: readonly LeafInput[];
  style: EinsumStyle;
  names: NameAllocator;
  /** Where temporaries may go; null where nothing may move (lambda, comprehension, …). */
  hoist: HoistPoint | null;
  scaling?: Scaling;
  /** numpy steps that may be direct BLAS calls (`np.tensordot`, `np.matmul`); absent: every step an einsum. */
  blas?: BlasDispatch | null;
}

export interface PairwiseCode {
  /** Statements to insert before the statement, without indentation. */
  lines: string[];
  /** The expression replacing the call. */
  expression: string;
}

/** Trees of more steps than this read better as temporaries than as nested calls. */
const MAX_NESTED_STEPS = 2;

export function emitPairwise(request: PairwiseRequest): PairwiseCode {
  const { root, leaves, hoist } = request;
  const labelled = relabel(request.contraction, request.style.labels);
  const steps = stepsInOrder(root);
  const lines: string[] = [];
  const leafText = leaves.map((leaf) => leaf.text);
  const useTemporaries = steps.length > MAX_NESTED_STEPS && hoist !== null;
  const first = operandsToBindFirst(root, leaves, useTemporaries);
  if (first.length > 0 && !hoist?.effects) {
    throw new RewriteRefusal('operands that run code would be evaluated in another order or after a contraction, and temporaries cannot go here');
  }
  for (const k of first) {
    const name = request.names.fresh(`op${k}`);
    lines.push(`${name} = ${leaves[k].valueText}`);
    leafText[k] = name;
  }
  const emitter = new TreeEmitter(request, labelled, leafText);
  if (useTemporaries) {
    for (const step of steps.slice(0, -1)) {
      const name = request.names.fresh(temporaryName(labelled, step));
      lines.push(`${name} = ${emitter.expression(step)}`);
      emitter.bind(step, name);
    }
  }
  return { lines, expression: emitter.expression(root) };
}

class TreeEmitter {
  private readonly bound = new Map<PlanNode, string>();
  /** Steps written as BLAS calls whose result is a fresh C-ordered ndarray (np.matmul takes them). */
  private readonly fresh = new Set<PlanNode>();

  constructor(
    private readonly request: PairwiseRequest,
    private readonly labelled: LabelledContraction,
    private readonly leafText: readonly string[],
  ) {}

  bind(node: PlanNode, name: string): void {
    this.bound.set(node, name);
  }

  expression(node: PlanNode): string {
    const name = this.bound.get(node);
    if (name !== undefined) return name;
    const base = node.kind === 'leaf' ? this.leafExpression(node.operand) : this.stepExpression(node);
    const scaling = this.request.scaling;
    return scaling?.node === node ? `${base}${scaling.suffix}` : base;
  }

  private stepExpression(step: StepNode): string {
    const args = step.children.map((c) => this.expression(c));
    const blas = this.request.blas;
    const call = blas ? blasStep(blas, step, args, step.children.map((c) => (c.kind === 'leaf' ? blas.fresh[c.operand] : this.fresh.has(c)))) : null;
    if (call?.fresh) this.fresh.add(step);
    return call?.code ?? einsumCall(this.request.style, stepEquation(this.labelled, step.children.map((c) => c.labels), step.labels), args);
  }

  private leafExpression(operand: number): string {
    const text = this.leafText[operand];
    const scaled = this.request.scaling?.node;
    const loose = scaled?.kind === 'leaf' && scaled.operand === operand && !this.request.leaves[operand].tight;
    // A temporary's name is tight; the written text may not be (`a + b` scaled is `(a + b) * s`).
    return loose && text === this.request.leaves[operand].text ? `(${text})` : text;
  }
}

/** `t_ik` after the intermediate's labels; `...` is left out of the name. */
function temporaryName(labelled: LabelledContraction, step: StepNode): string {
  const labels = term(labelled, step.labels).replace(/\.\.\./g, '').replace(/\s+/g, '_');
  return labels ? `t_${labels}` : 't';
}
