/**
 * Fix 1: one einsum call rewritten as pairwise calls in the best order, in the library's own
 * idiom. Fix 2 (numpy, opt_einsum): keep the call and pass the best path as `optimize=`.
 */
import type { ContractionSite, RuleCode } from '../analysis/model';
import { field, namedChildren } from '../analysis/python/syntax';
import { checkBroadcastKnown, checkNoComment, einsumCallNode, leafInputs, nodeOf, type FixContext } from './context';
import { einsumStyle } from './emit';
import { hoistAndReplace } from './hoist';
import { insert, replace, type Fix, type FixEdit } from './edits';
import { emitPairwise } from './pairwise';
import { contractionTree } from './plan';
import { RewriteRefusal } from './refusal';
import { fixTitle, savingText } from './titles';

/** A site that a pairwise rewrite can take: a bound, static einsum of three or more operands. */
export function rewritableSite(site: ContractionSite): asserts site is ContractionSite & {
  contraction: NonNullable<ContractionSite['contraction']>;
  best: NonNullable<ContractionSite['best']>;
} {
  if (site.kind !== 'einsum') throw new RewriteRefusal('not an einsum call');
  if (site.precompiled) throw new RewriteRefusal('contract_expression takes shapes, not tensors');
  if (!site.contraction || !site.best || site.equation.dynamic) throw new RewriteRefusal('the equation or the shapes are not known');
  if (site.contraction.inputs.length < 3) throw new RewriteRefusal('two operands leave no order to choose');
}

export function bestOrderFix(context: FixContext, site: ContractionSite, code: RuleCode): Fix {
  rewritableSite(site);
  const call = einsumCallNode(context, site);
  checkNoComment(context, site.range);
  checkBroadcastKnown(site, [site.equation.text]);
  const style = einsumStyle(site, context.source.text);
  const root = contractionTree(site.contraction, site.best.path);
  const emitted = emitPairwise({
    contraction: site.contraction,
    root,
    leaves: leafInputs(context, site.operands),
    style,
    names: context.names,
    hoist: context.source.hoistPoint(call),
  });
  const form = emitted.lines.length > 0 ? 'temporaries' : 'nested calls';
  return {
    title: fixTitle(`Contract pairwise in the best order, as ${form}`, gain(site, code)),
    kind: 'quickfix',
    code,
    edits: hoistAndReplace(context.source.hoistPoint(call), emitted.lines, site.range, emitted.expression),
    isPreferred: true,
  };
}

/** Libraries whose call takes an explicit path, and how they spell it. */
const PATH_ARGUMENT: Partial<Record<ContractionSite['library'], (steps: string, quote: string) => string>> = {
  numpy: (steps, quote) => `[${quote}einsum_path${quote}, ${steps}]`,
  opt_einsum: (steps) => `[${steps}]`,
};

export function optimizeArgumentFix(context: FixContext, site: ContractionSite, code: RuleCode): Fix {
  rewritableSite(site);
  const spell = PATH_ARGUMENT[site.library];
  if (!spell || site.equation.form === 'einops') throw new RewriteRefusal(`${site.qualifiedName} takes no explicit path`);
  const call = nodeOf(context, site.range, 'call');
  const args = call.type === 'call' ? field(call, 'arguments') : null;
  if (!args) throw new RewriteRefusal('the site is not a call');
  const steps = site.best.path.map((step) => `(${step.join(', ')}${step.length === 1 ? ',' : ''})`).join(', ');
  const quote = einsumStyle(site, context.source.text).quote;
  const value = spell(steps, quote);
  const existing = site.options.optimize;
  let edit: FixEdit;
  if (existing) {
    edit = replace(existing.range, value);
  } else {
    const last = namedChildren(args).filter((a) => a.type !== 'comment').at(-1);
    if (!last) throw new RewriteRefusal('the call has no arguments');
    edit = insert(last.end, `, optimize=${value}`);
  }
  return {
    title: fixTitle(existing ? 'Replace the optimize= argument with the best path' : 'Pass the best path as optimize=', gain(site, code)),
    kind: 'quickfix',
    code,
    edits: [edit],
    isPreferred: false,
  };
}

/** What the fix buys: fewer FLOPs, or (for a per-call search) no search at every call. */
function gain(site: ContractionSite, code: RuleCode): string {
  return code === 'EIN007' ? 'no path search at every call' : savingText(site.baseline, site.best, site.symbolic);
}
