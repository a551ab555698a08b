/**
 * Fix 1: one einsum call rewritten as pairwise calls in the best order, in the library's own
 * idiom. Fix 2 (numpy, opt_einsum): keep the call and pass the best path as `optimize=`.
 */
import type { ContractionSite, RuleCode } from '../analysis/model';
import { field, namedChildren, type PyNode } from '../analysis/python/syntax';
import { checkBroadcastKnown, checkNoComment, einsumCallNode, leafInputs, nodeOf, operandNodes, type FixContext } from './context';
import { blasDispatch } from './blas-steps';
import { checkReorderTypes } from './dtype-rules';
import { einsumStyle } from './emit';
import { hoistAndReplace } from './hoist';
import { insert, replace, type Fix, type FixEdit } from './edits';
import { emitPairwise } from './pairwise';
import { contractionTree } from './plan';
import { notApplicable, RewriteRefusal } from './refusal';
import { fixTitle, savingText } from './titles';

/** A site that a pairwise rewrite can take: a bound, static einsum of three or more operands. */
export function rewritableSite(site: ContractionSite): asserts site is ContractionSite & {
  contraction: NonNullable<ContractionSite['contraction']>;
  best: NonNullable<ContractionSite['best']>;
} {
  if (site.kind !== 'einsum') throw notApplicable('not an einsum call');
  if (site.precompiled) throw notApplicable('contract_expression takes shapes, not tensors');
  if (!site.contraction || !site.best || site.equation.dynamic) throw notApplicable('the equation or the shapes are not known');
  if (site.contraction.inputs.length < 3) throw notApplicable('two operands leave no order to choose');
}

export function bestOrderFix(context: FixContext, site: ContractionSite, code: RuleCode): Fix {
  rewritableSite(site);
  const call = einsumCallNode(context, site);
  checkNoComment(context, site.range);
  checkBroadcastKnown(site, [site.equation.text]);
  checkReorderTypes(context, site.library, operandNodes(context, site.operands));
  const style = einsumStyle(site, context.source.text);
  const root = contractionTree(site.contraction, site.best.path);
  const emitted = emitPairwise({
    contraction: site.contraction,
    root,
    leaves: leafInputs(context, site.operands),
    style,
    names: context.names,
    hoist: context.source.hoistPoint(call),
    blas: blasDispatch(context, site),
  });
  const form = emitted.lines.length > 0 ? 'temporaries' : 'nested calls';
  // The call's own optimize= goes with the rewrite: say so rather than drop it silently.
  const replaced = site.options.optimize ? `, in place of optimize=${context.source.textOf(site.options.optimize.range)}` : '';
  return {
    title: fixTitle([`Contract pairwise in the best order, as ${form}${replaced}`, `Contract pairwise in the best order${replaced}`], gain(site, code)),
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
  if (!spell || site.equation.form === 'einops') throw notApplicable(`${site.qualifiedName} takes no explicit path`);
  checkReorderTypes(context, site.library, operandNodes(context, site.operands));
  const call = nodeOf(context, site.range, 'call');
  const args = call.type === 'call' ? field(call, 'arguments') : null;
  if (!args) throw new RewriteRefusal('the site is not a call');
  const steps = site.best.path.map((step) => `(${step.join(', ')}${step.length === 1 ? ',' : ''})`).join(', ');
  const quote = einsumStyle(site, context.source.text).quote;
  const value = spell(steps, quote);
  checkNumpyPathKeepsResult(context, site, args);
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

/**
 * A numpy call without optimize= runs one C loop; given a path, numpy runs another code path,
 * which returns a 0-d array for a scalar result and no longer honours dtype=/casting= alike
 * (numpy 1.24 returns float64 for dtype=float32). Refused there, unless the call already searches.
 */
export function checkNumpyPathKeepsResult(context: FixContext, site: ContractionSite, args: PyNode): void {
  const existing = site.options.optimize;
  if (site.library !== 'numpy' || (existing !== undefined && existing.value !== false)) return;
  if (site.contraction?.output.length === 0) throw new RewriteRefusal('with a path, numpy.einsum returns a 0-d array where this call returns a scalar');
  const cast = keywordNames(args, context).find((k) => k === 'dtype' || k === 'casting');
  if (cast) throw new RewriteRefusal(`with optimize=, numpy.einsum no longer honours ${cast}= the same way (the result's dtype or the casting check changes)`);
}

function keywordNames(args: PyNode, context: FixContext): string[] {
  return namedChildren(args)
    .filter((a) => a.type === 'keyword_argument')
    .map((a) => context.source.textOf(field(a, 'name') ?? a));
}

/** What the fix buys: fewer FLOPs, or (for a per-call search) no search at every call. */
function gain(site: ContractionSite, code: RuleCode): string {
  return code === 'EIN007' ? 'no path search at every call' : savingText(site.baseline, site.best, site.symbolic);
}
