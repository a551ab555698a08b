/**
 * Fix 3: a chain of einsums (each result feeding only the next) fused into one contraction,
 * written pairwise in the best order. The statements that computed the intermediates go; the
 * root call takes the chain's leaf operands. Operands move from the earlier statements to the
 * root's, so an operand with a call may only move past statements the fix removes.
 */
import type { ChainInfo, RuleCode } from '../analysis/model';
import type { PyNode } from '../analysis/python/syntax';
import { checkBroadcastKnown, checkNoComment, einsumCallNode, leafInputs, siteById, type FixContext } from './context';
import type { Fix, FixEdit } from './edits';
import { einsumStyle } from './emit';
import { deleteStatement, hoistAndReplace } from './hoist';
import { emitPairwise } from './pairwise';
import { contractionTree } from './plan';
import { RewriteRefusal } from './refusal';
import { fixTitle, timesFewer } from './titles';

export function fuseChainFix(context: FixContext, chain: ChainInfo, code: RuleCode): Fix {
  const fused = chain.fused;
  if (!fused || !chain.best) throw new RewriteRefusal('the chain has no fused contraction');
  if (fused.contraction.inputs.length < 2) throw new RewriteRefusal('the fused chain has a single operand');
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

  const removed = chain.links.flatMap((l) => (l.statementRange ? [l.statementRange] : []));
  for (const range of removed) checkNoComment(context, range);
  const leaves = leafInputs(context, fused.operands);
  const moved = fused.operands.filter((o) => removed.some((r) => r.start <= o.range.start && o.range.end <= r.end));
  if (moved.some((o) => !context.source.isPure(context.source.nodeAt(o.range)!))) {
    checkOnlyChainBetween(context, call, removed);
  }
  const emitted = emitPairwise({
    contraction: fused.contraction,
    root: contractionTree(fused.contraction, chain.best.path),
    leaves,
    style: einsumStyle(root, context.source.text),
    names: context.names,
    hoist: context.source.hoistPoint(call),
  });
  const edits: FixEdit[] = [
    ...removed.map((range) => deleteStatement(context.source, range)),
    ...hoistAndReplace(context.source.hoistPoint(call), emitted.lines, root.range, emitted.expression),
  ];
  return {
    title: fixTitle(`Fuse the ${members.length} einsum calls into one, in the best order`, saving(chain)),
    kind: 'quickfix',
    code,
    edits,
    isPreferred: true,
  };
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
