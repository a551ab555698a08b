/**
 * Fix 5: a matrix-product chain re-parenthesized in the cheapest order. Products only pair
 * neighbours (matmul is associative, not commutative), so the order is the classic
 * matrix-chain dynamic programme, priced with opt_einsum's pairwise FLOP count. Operands stay
 * in place, so Python still evaluates them left to right. `@` chains get minimal edits
 * (parentheses inserted or removed); nested calls and methods are re-nested.
 */
import type { ContractionSite, MatmulTree, RuleCode, ScalarFactor } from '../analysis/model';
import { broadcastHazards, operandRanks } from '../analysis/batch-claim';
import { ChainCost, type Interval } from '../analysis/matmul-cost';
import { sizeProduct } from '../core/cost';
import { binaryOperator, field, namedChildren, type PyNode } from '../analysis/python/syntax';
import { checkNoComment, isTight, nodeOf, operandNodes, type FixContext } from './context';
import { checkReorderTypes, checkScalarTypes } from './dtype-rules';
import { productSuffix } from './scalar-fold';
import { insert, replace, type Fix, type FixEdit } from './edits';
import { notApplicable, RewriteRefusal } from './refusal';
import { fixTitle, timesFewer } from './titles';

export function matmulOrderFix(context: FixContext, site: ContractionSite, code: RuleCode): Fix {
  const c = site.contraction;
  if (site.kind !== 'matmul-chain' || !c || !site.matmulTree) throw notApplicable('not a matrix-product chain of known shapes');
  const n = site.operands.length;
  if (c.inputs.length !== n) throw notApplicable('the chain and its contraction disagree');
  const refusal = broadcastRefusal(site);
  if (refusal) throw new RewriteRefusal(refusal);
  const cost = new ChainCost(c);
  const written = cost.ofTree(site.matmulTree);
  const best = cost.bestTree(n);
  if (best.flops >= written) throw notApplicable('the chain is already in its cheapest order');
  checkReorderTypes(context, site.library, operandNodes(context, site.operands));
  const inner = innerFactors(site);
  const scaled = inner.length > 0 ? scaledChain(context, site, best.tree, cost, inner) : null;
  const edits = scaled ? scaled.edits : site.callee === '@' ? operatorEdits(context, site, best.tree) : nestedCallEdits(context, site, best.tree);
  const factor = scaled ? `, with the factor on ${scaled.where}` : '';
  return {
    title: fixTitle(
      [`Multiply in the cheapest order: ${shape(best.tree, site.operands.map((o) => o.text))}${factor}`, `Multiply in the cheapest order${factor}`, 'Multiply in the cheapest order'],
      `${timesFewer(written, best.flops)} fewer FLOPs`,
    ),
    kind: 'quickfix',
    code,
    edits,
    isPreferred: true,
  };
}

/** Why no order but the written one is safe, where a vector end and a batched operand may meet. */
function broadcastRefusal(site: ContractionSite): string | null {
  const ranks = operandRanks(site);
  const hazard = broadcastHazards(ranks)[0];
  if (!hazard) return null;
  const [vector, batched] = hazard.map((i) => `\`${site.operands[i].text}\``);
  const is = (i: number) => (ranks[i] === null ? 'may be' : 'is');
  return `${vector} ${is(hazard[0])} a vector and ${batched} ${is(hazard[1])} batched: numpy's @ then gives another result in another order`;
}

/** Factors on products inside the chain (`(A @ B) / 2`): the new order may not form that product. */
function innerFactors(site: ContractionSite): ScalarFactor[] {
  return (site.scalars?.factors ?? []).filter(
    (f) => f.nestedIn && site.range.start <= f.applicationRange.start && f.applicationRange.end <= site.range.end,
  );
}

/**
 * `A @ B / 2 @ v` in a new order: the whole chain written again, operands as written and in
 * their order, the factors' product applied once to the smallest product, operand or result.
 */
function scaledChain(context: FixContext, site: ContractionSite, tree: MatmulTree, cost: ChainCost, factors: ScalarFactor[]) {
  if (site.callee !== '@') throw new RewriteRefusal('a factor inside a chain of calls: only `@` chains are rewritten with it');
  checkNoComment(context, site.range);
  const leaves = site.operands.map((o) => nodeOf(context, o.range, 'operand'));
  checkScalarTypes(context, site.library, leaves, factors.map((f) => nodeOf(context, f.nestedIn!.range, 'scaled product')));
  const nodes: MatmulTree[] = [];
  const collect = (node: MatmulTree) => {
    nodes.push(node);
    if (typeof node !== 'number') node.forEach(collect);
  };
  collect(tree);
  const size = (node: MatmulTree) => sizeProduct(cost.contraction, cost.keptLabels(intervalOf(node)));
  const target = nodes.reduce((a, b) => (size(b) < size(a) ? b : a));
  const suffix = productSuffix(context, factors);
  const render = (node: MatmulTree, right: boolean): string => {
    let text: string;
    if (typeof node === 'number') {
      text = context.source.textOf(leaves[node]);
      if (node === target || (right && !isTight(leaves[node]))) text = isTight(leaves[node]) ? text : `(${text})`;
    } else {
      text = `${render(node[0], false)} @ ${render(node[1], true)}`;
    }
    if (node === target) text = `${text}${suffix}`;
    // `@` and `*` bind alike, left to right: a right operand that is a product or scaled needs parentheses.
    const compound = typeof node !== 'number' || node === target;
    return right && compound ? `(${text})` : text;
  };
  const where = target === tree ? 'the result' : typeof target === 'number' ? site.operands[target].text : `(${shape(target, site.operands.map((o) => o.text), false)})`;
  return { edits: [replace(site.range, render(tree, false))], where };
}

function intervalOf(tree: MatmulTree): Interval {
  if (typeof tree === 'number') return { first: tree, last: tree };
  return { first: intervalOf(tree[0]).first, last: intervalOf(tree[1]).last };
}

/** `A @ (B @ v)`, for the title. */
function shape(tree: MatmulTree, names: string[], top = true): string {
  if (typeof tree === 'number') return names[tree].length <= 12 ? names[tree] : `${names[tree].slice(0, 10)}…`;
  const text = `${shape(tree[0], names, false)} @ ${shape(tree[1], names, false)}`;
  return top ? text : `(${text})`;
}

/**
 * Parentheses only: a product the new order needs as a right operand gets a pair, existing
 * pairs around a product the new order no longer forms are removed, and other text stays.
 */
function operatorEdits(context: FixContext, site: ContractionSite, tree: MatmulTree): FixEdit[] {
  const leaves = site.operands.map((o) => nodeOf(context, o.range, 'operand'));
  const existing = new Map<string, PyNode[]>();
  const root = nodeOf(context, site.range, 'chain');
  const visit = (node: PyNode): Interval => {
    const leaf = leaves.indexOf(node);
    if (leaf >= 0) return { first: leaf, last: leaf };
    const inner = namedChildren(node);
    if (node.type === 'parenthesized_expression' && inner.length === 1) {
      const interval = visit(inner[0]);
      const key = `${interval.first}:${interval.last}`;
      existing.set(key, [...(existing.get(key) ?? []), node]);
      return interval;
    }
    if (binaryOperator(node) !== '@') throw new RewriteRefusal('the chain is not a plain `@` expression');
    const left = visit(field(node, 'left')!);
    const right = visit(field(node, 'right')!);
    return { first: left.first, last: right.last };
  };
  visit(root);

  const wanted = new Set<string>();
  const opens = new Map<number, { text: string; size: number }[]>();
  const closes = new Map<number, { text: string; size: number }[]>();
  const wrap = (first: number, last: number) => {
    const size = last - first;
    opens.set(leaves[first].start, [...(opens.get(leaves[first].start) ?? []), { text: '(', size }]);
    closes.set(leaves[last].end, [...(closes.get(leaves[last].end) ?? []), { text: ')', size }]);
  };
  const place = (node: MatmulTree, isRight: boolean) => {
    const { first, last } = intervalOf(node);
    if (typeof node === 'number') {
      if (isRight && !isTight(leaves[node])) wrap(first, last);
      return;
    }
    wanted.add(`${first}:${last}`);
    if (isRight && !existing.has(`${first}:${last}`)) wrap(first, last);
    place(node[0], false);
    place(node[1], true);
  };
  place(tree, false);

  const edits: FixEdit[] = [];
  for (const [key, parens] of existing) {
    if (wanted.has(key)) continue;
    for (const paren of parens) edits.push(replace({ start: paren.start, end: paren.start + 1 }, ''), replace({ start: paren.end - 1, end: paren.end }, ''));
  }
  // Outer parentheses open first and close last.
  for (const [offset, list] of opens) edits.push(insert(offset, list.sort((a, b) => b.size - a.size).map((p) => p.text).join('')));
  for (const [offset, list] of closes) edits.push(insert(offset, list.sort((a, b) => a.size - b.size).map((p) => p.text).join('')));
  return edits;
}

/** `matmul(a, matmul(b, c))` or `a.dot(b.dot(c))`: the calls re-nested around the operands as written. */
function nestedCallEdits(context: FixContext, site: ContractionSite, tree: MatmulTree): FixEdit[] {
  checkNoComment(context, site.range);
  const leaves = site.operands.map((o) => nodeOf(context, o.range, 'operand'));
  const method = site.callee.startsWith('.') ? site.callee : null;
  checkUniformProducts(context, nodeOf(context, site.range, 'chain'), leaves, site.callee);
  const render = (node: MatmulTree): { text: string; tight: boolean } => {
    if (typeof node === 'number') return { text: context.source.textOf(leaves[node]), tight: isTight(leaves[node]) };
    const left = render(node[0]);
    const right = render(node[1]);
    if (!method) return { text: `${site.callee}(${left.text}, ${right.text})`, tight: true };
    const object = left.tight ? left.text : `(${left.text})`;
    return { text: `${object}${method}(${right.text})`, tight: true };
  };
  return [replace(site.range, render(tree).text)];
}

/** Every product in the chain is spelled like the root (`np.dot` and `@` differ on stacked arrays). */
function checkUniformProducts(context: FixContext, node: PyNode, leaves: PyNode[], callee: string): void {
  if (leaves.includes(node)) return;
  const inner = namedChildren(node);
  if (node.type === 'parenthesized_expression' && inner.length === 1) return checkUniformProducts(context, inner[0], leaves, callee);
  const fn = node.type === 'call' ? field(node, 'function') : null;
  const args = node.type === 'call' ? namedChildren(field(node, 'arguments') ?? node).filter((a) => a.type !== 'comment') : [];
  if (fn && callee.startsWith('.') && fn.type === 'attribute' && args.length === 1) {
    const method = field(fn, 'attribute');
    if (method && `.${context.source.textOf(method)}` === callee) {
      checkUniformProducts(context, field(fn, 'object')!, leaves, callee);
      return checkUniformProducts(context, args[0], leaves, callee);
    }
  }
  if (fn && context.source.textOf(fn) === callee && args.length === 2 && args.every((a) => a.type !== 'keyword_argument')) {
    args.forEach((a) => checkUniformProducts(context, a, leaves, callee));
    return;
  }
  throw new RewriteRefusal('the chain mixes product spellings, which differ on stacked arrays');
}
