/**
 * tfjs spelling of a contraction tree: pairwise `tf.einsum` calls (tfjs contracts at most two
 * operands per call), every equation explicit (`->`) and in letters (no `...`), nested or as
 * `const` temporaries before the statement. Every operand is evaluated exactly once, in the
 * order `evaluation-order.ts` requires, through temporaries if the tree needs it.
 */
import type { OperandEffect } from '../analysis/python/effects';
import type { Contraction } from '../core/contraction';
import { operandsToBindFirst } from './evaluation-order';
import { relabel, stepEquation, term, type LabelledContraction } from './labels';
import type { NameAllocator } from './names';
import { stepsInOrder, type PlanNode, type StepNode } from './plan';
import { RewriteRefusal } from './refusal';
import type { TsHoistPoint } from './tfjs-source';

export interface TfjsLeaf {
  text: string;
  /** What evaluating it may do to other code, and what other code may do to its value. */
  effect: OperandEffect;
  /** Evaluation order as written (source offset). */
  order: number;
  /** `text.mul(s)` needs no parentheses around the text. */
  tight: boolean;
}

export interface TfjsPairwiseRequest {
  contraction: Contraction;
  root: StepNode;
  leaves: readonly TfjsLeaf[];
  /** The einsum function as the file spells it (`tf.einsum`, an alias, a user's `einsum`). */
  callee: string;
  quote: string;
  names: NameAllocator;
  hoist: TsHoistPoint | null;
  /** One tensor of the tree multiplied by the scalar factors' product: `.mul(0.125)`. */
  scaling?: { node: PlanNode; call: string };
}

export interface TfjsCode {
  /** Statements to insert before the statement, without `;` or indentation. */
  lines: string[];
  expression: string;
}

/** Trees of more steps than this read better as temporaries than as nested calls. */
const MAX_NESTED_STEPS = 2;

/** The contraction with every label (broadcast ones too) a letter: tfjs takes no `...`. */
export function letterLabels(c: Contraction): LabelledContraction {
  return relabel({ ...c, ellipsisLabels: [] }, 'letters');
}

/** `ij,jk->ik` for a contraction in one call (equations tfjs accepts). */
export function explicitEquation(c: Contraction): string {
  const labelled = letterLabels(c);
  return stepEquation(labelled, c.inputs, c.output);
}

export function emitTfjsPairwise(request: TfjsPairwiseRequest): TfjsCode {
  const { root, leaves, hoist } = request;
  const labelled = letterLabels(request.contraction);
  const steps = stepsInOrder(root);
  if (steps.some((step) => step.children.length > 2)) throw new RewriteRefusal('the path contracts more than two operands at once, which tfjs cannot');
  request.contraction.inputs.forEach((labels, k) => {
    if (new Set(labels).size !== labels.length) throw new RewriteRefusal(`operand ${k + 1} repeats a label, which tfjs cannot contract`);
  });
  const lines: string[] = [];
  const leafText = leaves.map((leaf) => leaf.text);
  const useTemporaries = steps.length > MAX_NESTED_STEPS && hoist !== null;
  const first = operandsToBindFirst(root, leaves, useTemporaries);
  if (first.length > 0 && !hoist) {
    throw new RewriteRefusal('operands that run code would be evaluated in another order or after a contraction, and temporaries cannot go here');
  }
  for (const k of first) {
    const name = request.names.fresh(`op${k}`);
    lines.push(`const ${name} = ${leaves[k].text}`);
    leafText[k] = name;
  }
  const emitter = new TreeEmitter(request, labelled, leafText);
  if (useTemporaries) {
    for (const step of steps.slice(0, -1)) {
      const name = request.names.fresh(temporaryName(labelled, step));
      lines.push(`const ${name} = ${emitter.expression(step)}`);
      emitter.bind(step, name);
    }
  }
  return { lines, expression: emitter.expression(root) };
}

class TreeEmitter {
  private readonly bound = new Map<PlanNode, string>();

  constructor(
    private readonly request: TfjsPairwiseRequest,
    private readonly labelled: LabelledContraction,
    private readonly leafText: readonly string[],
  ) {}

  bind(node: PlanNode, name: string): void {
    this.bound.set(node, name);
  }

  expression(node: PlanNode): string {
    const name = this.bound.get(node);
    if (name !== undefined) return name;
    const { callee, quote, scaling } = this.request;
    let text: string;
    let tight = true;
    if (node.kind === 'leaf') {
      text = this.leafText[node.operand];
      tight = text !== this.request.leaves[node.operand].text || this.request.leaves[node.operand].tight;
    } else {
      const equation = stepEquation(this.labelled, node.children.map((c) => c.labels), node.labels);
      text = `${callee}(${quote}${equation}${quote}, ${node.children.map((c) => this.expression(c)).join(', ')})`;
    }
    if (scaling?.node !== node) return text;
    return `${tight ? text : `(${text})`}${scaling.call}`;
  }
}

/** `t_ik` after the intermediate's labels. */
function temporaryName(labelled: LabelledContraction, step: StepNode): string {
  const labels = term(labelled, step.labels);
  return labels ? `t_${labels}` : 't';
}
