/**
 * Fix 3: a chain of einsums (each result feeding only the next) fused into one contraction,
 * written pairwise in the best order. The statements that computed the intermediates go; the
 * root call takes the chain's leaf operands. Operands move from the earlier statements to the
 * root's, so an operand with a call may only move past statements the fix removes.
 */
import type { ChainInfo, ContractionSite, FusedContraction, OperandInfo, RuleCode, ScalarFactor } from '../analysis/model';
import { namedChildren, type PyNode } from '../analysis/python/syntax';
import { sizeProduct } from '../core/cost';
import { checkBroadcastKnown, checkNoComment, einsumCallNode, leafInputs, nodeOf, operandNodes, siteById, type FixContext } from './context';
import { checkReorderTypes, checkScalarTypes } from './dtype-rules';
import type { Fix, FixEdit } from './edits';
import { blasDispatch } from './blas-steps';
import { einsumStyle } from './emit';
import { deleteStatement, hoistAndReplace } from './hoist';
import { emitPairwise } from './pairwise';
import { relabel, stepEquation } from './labels';
import { contractionTree, stepsInOrder, type PlanNode, type StepNode } from './plan';
import { notApplicable, RewriteRefusal } from './refusal';
import { needsParentheses, productSuffix, tensorOf } from './scalar-fold';
import { fixTitle, timesFewer } from './titles';

export function fuseChainFix(context: FixContext, chain: ChainInfo, code: RuleCode): Fix {
  const fused = chain.fused;
  if (!fused || !chain.best) throw notApplicable('the chain has no fused contraction');
  if (fused.contraction.inputs.length < 2) throw notApplicable('the fused chain has a single operand');
  const root = siteById(context, chain.root);
  const members = chain.members.map((id) => siteById(context, id));
  for (const member of members) {
    if (member.kind !== 'einsum' || member.library !== root.library || member.callee !== root.callee) {
      throw new RewriteRefusal('the chain mixes libraries or spellings');
    }
  }
  const call = einsumCallNode(context, root);
  for (const member of members) if (member !== root) einsumCallNode(context, member);
  checkNoComment(context, root.range);
  checkBroadcastKnown(fused, [...members.map((m) => m.equation.text), fused.equation]);
  checkReorderTypes(context, root.library, operandNodes(context, fused.operands));

  const removed = chain.links.flatMap((l) => (l.statementRange ? [l.statementRange] : []));
  for (const range of removed) checkNoComment(context, range);
  const absorbed = absorbedFactors(context, root, members, fused, chain.factors) ?? unchanged(fused, call);
  const leaves = leafInputs(context, absorbed.operands);
  const moved = absorbed.operands.filter((o) => removed.some((r) => r.start <= o.range.start && o.range.end <= r.end));
  if (moved.some((o) => context.source.effects().operandEffect(context.source.nodeAt(o.range)!) === 'effect')) {
    checkOnlyChainBetween(context, call, removed);
  }
  const tree = contractionTree(fused.contraction, chain.best.path);
  const placement = chain.factors.length + absorbed.factors.length > 0 ? placeChainFactors(context, chain, tree, members, absorbed) : null;
  const emitted = emitPairwise({
    contraction: fused.contraction,
    root: tree,
    leaves,
    style: einsumStyle(root, context.source.text),
    names: context.names,
    hoist: context.source.hoistPoint(call),
    blas: blasDispatch(context, root, fused),
    ...(placement ? { scaling: placement.scaling } : {}),
  });
  // A factor on the result lands where the call stood: `x ** einsum(...)` needs `(einsum(...) / 3.0)`.
  const expression = placement?.scaling.node === tree && needsParentheses(absorbed.replaced) ? `(${emitted.expression})` : emitted.expression;
  const edits: FixEdit[] = [
    ...removed.map((range) => deleteStatement(context.source, range)),
    ...hoistAndReplace(context.source.hoistPoint(call), emitted.lines, absorbed.replaced, expression),
  ];
  const factor = placement ? `, with the factor on ${placement.where}` : '';
  const multiplications = placement ? `, ${placement.before} → ${placement.after} multiplications` : '';
  return {
    title: fixTitle(
      [
        `Fuse the ${members.length} einsum calls into one, in the best order${factor}`,
        ...(placement ? [`Fuse the ${members.length} einsum calls, with the factor on ${placement.where}`] : []),
        `Fuse the ${members.length} einsum calls into one, in the best order`,
      ],
      `${saving(chain)}${multiplications}`,
    ),
    kind: 'quickfix',
    code,
    edits,
    isPreferred: true,
  };
}

/**
 * Where the factors on the chain's intermediates go once it is fused: the smallest tensor of
 * the fused contraction (an operand, an intermediate, or the result), as opt_einsum_fx places them.
 */
function placeChainFactors(context: FixContext, chain: ChainInfo, tree: StepNode, members: readonly ContractionSite[], absorbed: AbsorbedFactors) {
  const c = chain.fused!.contraction;
  // The factor scales the producer's result: the outermost member inside its application.
  const tensors = chain.factors.map((f) => {
    const inside = members.filter((m) => f.applicationRange.start <= m.range.start && m.range.end <= f.applicationRange.end);
    return inside.reduce((a, b) => (b.range.end - b.range.start > a.range.end - a.range.start ? b : a));
  });
  checkScalarTypes(
    context,
    members[0].library,
    operandNodes(context, chain.fused!.operands),
    [...tensors.map((m) => nodeOf(context, m.range, 'call')), ...absorbed.scaled],
  );
  const before = tensors.reduce((sum, m) => sum + (m.contraction ? sizeProduct(m.contraction, m.contraction.output) : 0n), absorbed.cost);
  const leaves: PlanNode[] = [];
  const collect = (node: PlanNode) => (node.kind === 'leaf' ? leaves.push(node) : node.children.forEach(collect));
  collect(tree);
  leaves.sort((a, b) => (a.kind === 'leaf' && b.kind === 'leaf' ? a.operand - b.operand : 0));
  const candidates: PlanNode[] = [...leaves, tree, ...stepsInOrder(tree).slice(0, -1)];
  const best = candidates.reduce((a, b) => (b.size < a.size ? b : a));
  const where =
    best === tree
      ? 'the result'
      : best.kind === 'leaf'
        ? `operand ${best.operand + 1} (${chain.fused!.operands[best.operand].text})`
        : `the intermediate ${stepEquation(relabel(c, 'letters'), best.children.map((n) => n.labels), best.labels)}`;
  return { scaling: { node: best, suffix: productSuffix(context, [...chain.factors, ...absorbed.factors]) }, where, before, after: best.size };
}

interface AbsorbedFactors {
  factors: ScalarFactor[];
  /** The fused operands with the absorbed factors stripped (`a * 2.0` → `a`). */
  operands: OperandInfo[];
  /** What the fused expression replaces: the root call, or the root call with its factors (`einsum(h, v) / 3.0`). */
  replaced: PyNode;
  /** The tensors the absorbed factors scale now, and their elementwise multiplications. */
  scaled: PyNode[];
  cost: bigint;
}

/**
 * The members' own factors that fusing takes in, so the whole chain costs one multiplication
 * (as opt_einsum_fx's graph pass does): factors written directly on a fused operand
 * (`einsum(..., c * 0.5)`) and on the root's result (`einsum(h, v) / 3.0`). Factors reached
 * through a name or inside another product stay where they are, for the scalar fold.
 */
function absorbedFactors(
  context: FixContext,
  root: ContractionSite,
  members: readonly ContractionSite[],
  fused: FusedContraction,
  chainFactors: readonly ScalarFactor[],
): AbsorbedFactors | null {
  const c = root.contraction;
  const taken = new Set(chainFactors.map((f) => f.range.start));
  const candidates = members
    .flatMap((m) => (m.scalars?.factors ?? []).filter((f) => f.appliedTo.kind === 'operand' || m === root))
    .filter((f) => !taken.has(f.range.start) && !f.unsafe && !f.nestedIn);
  const factors: ScalarFactor[] = [];
  const scaled: PyNode[] = [];
  let cost = 0n;
  const operands = fused.operands.map((operand, k) => {
    let node = nodeOf(context, operand.range, 'operand');
    for (;;) {
      const factor = candidates.find((f) => f.appliedTo.kind === 'operand' && f.applicationRange.start === node.start && f.applicationRange.end === node.end);
      const tensor = factor ? tensorOf(node, factor) : null;
      if (!factor || !tensor) break;
      factors.push(factor);
      scaled.push(tensor);
      node = tensor.type === 'parenthesized_expression' && namedChildren(tensor).length === 1 ? namedChildren(tensor)[0] : tensor;
    }
    if (node.start === operand.range.start && node.end === operand.range.end) return operand;
    cost += sizeProduct(fused.contraction, fused.contraction.inputs[k]);
    return { ...operand, text: context.source.textOf(node), range: { start: node.start, end: node.end } };
  });
  let replaced = nodeOf(context, root.range, 'call');
  for (;;) {
    const wrapped = replaced.parent?.type === 'parenthesized_expression' ? replaced.parent : replaced;
    const application = wrapped.parent;
    const factor = application && candidates.find((f) => f.appliedTo.kind === 'output' && f.applicationRange.start === application.start && f.applicationRange.end === application.end);
    if (!application || !factor || tensorOf(application, factor)?.start !== wrapped.start) break;
    checkNoComment(context, { start: application.start, end: application.end });
    factors.push(factor);
    scaled.push(replaced);
    cost += c ? sizeProduct(c, c.output) : 0n;
    replaced = application;
  }
  try {
    checkScalarTypes(context, root.library, operandNodes(context, fused.operands), scaled);
  } catch (error) {
    // Those factors stay where they are written; the chain is still fused.
    if (error instanceof RewriteRefusal) return null;
    throw error;
  }
  return { factors, operands, replaced, scaled, cost };
}

function unchanged(fused: FusedContraction, call: PyNode): AbsorbedFactors {
  return { factors: [], operands: [...fused.operands], replaced: call, scaled: [], cost: 0n };
}

function saving(chain: ChainInfo): string {
  return chain.baselineFlops !== null && chain.best ? `${timesFewer(chain.baselineFlops, chain.best.flops)} fewer FLOPs` : 'best order';
}

/**
 * Every statement from the first removed one to the root's statement is part of the chain, so
 * an operand with a call still runs after everything that ran before it.
 */
function checkOnlyChainBetween(context: FixContext, call: PyNode, removed: readonly { start: number; end: number }[]): void {
  const statement = context.source.statementOf(call);
  const block = statement?.parent;
  if (!statement || !block) throw new RewriteRefusal('the root call is not in a statement');
  const first = Math.min(...removed.map((r) => r.start));
  for (const sibling of block.children) {
    if (sibling.start < first || sibling.start >= statement.start || sibling.type === 'comment') continue;
    if (!removed.some((r) => r.start === sibling.start && r.end === sibling.end)) {
      throw new RewriteRefusal('an operand with a call would move past other statements');
    }
  }
}
