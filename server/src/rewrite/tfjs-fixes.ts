/**
 * The tfjs fixes, each as exact text edits: a `tf.einsum` of more than two operands split into
 * valid pairwise calls in the best order (a runtime error becomes the fastest working code),
 * an equation tfjs rejects rewritten explicitly (`->` added, `...` spelled in letters), a chain
 * of einsums fused, and a matMul chain re-parenthesized. Scalar folding is in tfjs-scalars.ts.
 */
import ts from 'typescript';
import type { ChainInfo, ContractionSite, FileAnalysis, MatmulTree, RuleCode } from '../analysis/model';
import { replace, type Fix, type FixEdit } from './edits';
import { ChainCost } from '../analysis/matmul-cost';
import { NameAllocator } from './names';
import { contractionTree } from './plan';
import { notApplicable, RewriteRefusal } from './refusal';
import { emitTfjsPairwise, explicitEquation, type TfjsLeaf } from './tfjs-emit';
import { hoistAndReplace, isTight, TsSource } from './tfjs-source';
import { fixTitle, savingText, timesFewer } from './titles';

export interface TfjsFixContext {
  analysis: FileAnalysis;
  source: TsSource;
  names: NameAllocator;
}

export function newTfjsContext(analysis: FileAnalysis, text: string): TfjsFixContext {
  const source = new TsSource(text);
  return { analysis, source, names: new NameAllocator(source.names()) };
}

export function siteById(context: TfjsFixContext, id: number): ContractionSite {
  const site = context.analysis.sites.find((s) => s.id === id);
  if (!site) throw notApplicable(`no site ${id} in this analysis`);
  return site;
}

/** The einsum call of a site, with nothing a rewrite would drop (spread arguments, comments). */
function einsumCall(context: TfjsFixContext, site: ContractionSite): ts.CallExpression {
  const node = context.source.expressionAt(site.range, 'call');
  if (!ts.isCallExpression(node)) throw new RewriteRefusal('the site is not a call');
  if (node.arguments.some((a) => ts.isSpreadElement(a))) throw new RewriteRefusal('the call spreads its arguments (`...`)');
  if (context.source.hasComment(site.range)) throw new RewriteRefusal('the call holds a comment the rewrite would drop');
  return node;
}

export function leafInputs(context: TfjsFixContext, operands: ContractionSite['operands']): TfjsLeaf[] {
  return operands.map((operand) => {
    const node = context.source.expressionAt(operand.range, 'operand');
    // A JavaScript read may be changed by a call (a closure, a setter): reads keep their place before calls.
    const effect = context.source.isPure(node) ? 'read' : 'effect';
    return { text: context.source.textOf(node), effect, order: operand.range.start, tight: isTight(node) };
  });
}

/** The quote of the equation literal as written, so the rewrite matches the file. */
export function quoteOf(site: ContractionSite, text: string): string {
  const range = site.equation.range;
  const first = range ? text[range.start] : undefined;
  return first === '"' || first === '`' ? first : "'";
}

/** Refuses where `...` stands for dimensions of an operand whose shape the analysis could not see. */
function checkBroadcastKnown(site: Pick<ContractionSite, 'operands'>, equations: readonly (string | null)[]): void {
  if (equations.some((eq) => eq?.includes('...')) && site.operands.some((o) => o.shape === null)) {
    throw new RewriteRefusal("'...' stands for dimensions of an operand whose shape is unknown");
  }
}

/** EIN009 (more than two operands) and EIN001: pairwise calls in the best order. */
export function splitFix(context: TfjsFixContext, site: ContractionSite, code: RuleCode): Fix {
  if (site.kind !== 'einsum' || !site.contraction || !site.best || site.dynamic) throw notApplicable('the equation or the shapes are not known');
  if (site.contraction.inputs.length < 3) throw notApplicable('two operands leave no order to choose');
  const call = einsumCall(context, site);
  checkBroadcastKnown(site, [site.equation.text]);
  const hoist = context.source.hoistPoint(call);
  const emitted = emitTfjsPairwise({
    contraction: site.contraction,
    root: contractionTree(site.contraction, site.best.path),
    leaves: leafInputs(context, site.operands),
    callee: site.callee,
    quote: quoteOf(site, context.source.text),
    names: context.names,
    hoist,
  });
  const form = emitted.lines.length > 0 ? 'temporaries' : 'nested calls';
  // A split that only makes the call valid for tfjs says so; one that also saves work says how much.
  const saves = site.speedup !== null ? site.speedup >= 1.005 : site.baseline?.scaling !== site.best.scaling;
  const why = saves ? savingText(site.baseline, site.best, site.symbolic) : 'tfjs takes two operands per call';
  return {
    title: fixTitle([`Split into pairwise ${site.callee} calls in the best order, as ${form}`, `Split into pairwise ${site.callee} calls in the best order`, 'Split into pairwise calls in the best order'], why),
    kind: 'quickfix',
    code,
    edits: hoistAndReplace(hoist, emitted.lines, site.range, emitted.expression),
    isPreferred: true,
  };
}

/** EIN009 (`...` or no `->`): the equation literal rewritten explicitly, in letters. */
export function explicitEquationFix(context: TfjsFixContext, site: ContractionSite, code: RuleCode): Fix {
  const range = site.equation.range;
  const text = site.equation.text;
  if (site.kind !== 'einsum' || !site.contraction || !range || text === null) throw notApplicable('the equation is not known');
  if (site.contraction.inputs.length > 2) throw notApplicable('more than two operands: the split fixes the equation too');
  if (text.includes('->') && !text.includes('...')) throw notApplicable('the equation is already explicit');
  if (range.start < site.range.start || range.end > site.range.end) throw new RewriteRefusal('the equation is written elsewhere, where other calls may read it');
  const literal = context.source.nodeAt(range);
  if (!literal || !(ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal))) throw new RewriteRefusal('the equation is not one literal');
  checkBroadcastKnown(site, [text]);
  const quote = quoteOf(site, context.source.text);
  const equation = explicitEquation(site.contraction);
  return {
    title: fixTitle([`Write the equation as tfjs reads it: ${quote}${equation}${quote}`, 'Write the equation out as tfjs reads it']),
    kind: 'quickfix',
    code,
    edits: [replace(range, `${quote}${equation}${quote}`)],
    isPreferred: true,
  };
}

/** EIN004: the chain's einsums fused into one contraction, written pairwise in the best order. */
export function fuseChainFix(context: TfjsFixContext, chain: ChainInfo, code: RuleCode): Fix {
  const fused = chain.fused;
  if (!fused || !chain.best) throw notApplicable('the chain has no fused contraction');
  const root = siteById(context, chain.root);
  const members = chain.members.map((id) => siteById(context, id));
  if (members.some((m) => m.kind !== 'einsum' || m.library !== root.library || m.callee !== root.callee)) {
    throw new RewriteRefusal('the chain mixes libraries or spellings');
  }
  const call = einsumCall(context, root);
  for (const member of members) if (member !== root) einsumCall(context, member);
  checkBroadcastKnown(fused, [...members.map((m) => m.equation.text), fused.equation]);
  const removed = chain.links.flatMap((l) => (l.statementRange ? [l.statementRange] : []));
  for (const range of removed) if (context.source.hasComment(range)) throw new RewriteRefusal('a statement to remove holds a comment');
  const leaves = leafInputs(context, fused.operands);
  // An operand with a call that moves from a removed statement may only move past removed statements.
  const moved = fused.operands.filter((o, k) => leaves[k].effect === 'effect' && removed.some((r) => r.start <= o.range.start && o.range.end <= r.end));
  if (moved.length > 0) checkOnlyChainBetween(context, call, removed);
  const hoist = context.source.hoistPoint(call);
  const emitted = emitTfjsPairwise({
    contraction: fused.contraction,
    root: contractionTree(fused.contraction, chain.best.path),
    leaves,
    callee: root.callee,
    quote: quoteOf(root, context.source.text),
    names: context.names,
    hoist,
  });
  const edits: FixEdit[] = [...removed.map((range) => context.source.deleteStatement(range)), ...hoistAndReplace(hoist, emitted.lines, root.range, emitted.expression)];
  const saving = chain.baselineFlops !== null ? `${timesFewer(chain.baselineFlops, chain.best.flops)} fewer FLOPs` : 'best order';
  return { title: fixTitle(`Fuse the ${members.length} einsum calls into one, in the best order`, saving), kind: 'quickfix', code, edits, isPreferred: true };
}

function checkOnlyChainBetween(context: TfjsFixContext, call: ts.Node, removed: readonly { start: number; end: number }[]): void {
  let statement: ts.Node = call;
  while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent)) statement = statement.parent;
  const container = statement.parent as ts.Block | ts.SourceFile | undefined;
  if (!container) throw new RewriteRefusal('the root call is not in a statement');
  const first = Math.min(...removed.map((r) => r.start));
  const sourceFile = context.source.sourceFile;
  for (const sibling of container.statements) {
    const start = sibling.getStart(sourceFile);
    if (start < first || start >= statement.getStart(sourceFile)) continue;
    if (!removed.some((r) => r.start === start && r.end === sibling.end)) throw new RewriteRefusal('an operand with a call would move past other statements');
  }
}

/** EIN006: the matMul chain re-nested in the cheapest order; operands stay in place and order. */
export function matmulOrderFix(context: TfjsFixContext, site: ContractionSite, code: RuleCode): Fix {
  const c = site.contraction;
  if (site.kind !== 'matmul-chain' || !c || !site.matmulTree) throw notApplicable('not a matrix-product chain of known shapes');
  if (context.source.hasComment(site.range)) throw new RewriteRefusal('the chain holds a comment the rewrite would drop');
  const cost = new ChainCost(c);
  const written = cost.ofTree(site.matmulTree);
  const best = cost.bestTree(site.operands.length);
  if (best.flops >= written) throw notApplicable('the chain is already in its cheapest order');
  const leaves = site.operands.map((o) => context.source.expressionAt(o.range, 'operand'));
  checkOneProduct(context.source.expressionAt(site.range, 'chain'), leaves);
  const method = site.callee.startsWith('.') ? site.callee : null;
  const render = (node: MatmulTree): { text: string; tight: boolean } => {
    if (typeof node === 'number') return { text: context.source.textOf(leaves[node]), tight: isTight(leaves[node]) };
    const left = render(node[0]);
    const right = render(node[1]);
    if (!method) return { text: `${site.callee}(${left.text}, ${right.text})`, tight: true };
    return { text: `${left.tight ? left.text : `(${left.text})`}${method}(${right.text})`, tight: true };
  };
  const names = site.operands.map((o) => (o.text.length <= 12 ? o.text : '…'));
  return {
    title: fixTitle([`Multiply in the cheapest order: ${describeTree(best.tree, names)}`, 'Multiply in the cheapest order'], `${timesFewer(written, best.flops)} fewer FLOPs`),
    kind: 'quickfix',
    code,
    edits: [replace(site.range, render(best.tree).text)],
    isPreferred: true,
  };
}

/** Every product is the same op (`matMul` and `dot` differ on vectors), whatever its spelling. */
function checkOneProduct(root: ts.Expression, leaves: readonly ts.Node[]): void {
  const ops = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (leaves.includes(node)) return;
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      ops.add(ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText());
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  if (ops.size !== 1) throw new RewriteRefusal('the chain mixes products (matMul and dot differ on vectors)');
}

function describeTree(tree: MatmulTree, names: string[], top = true): string {
  if (typeof tree === 'number') return names[tree];
  const text = `${describeTree(tree[0], names, false)} × ${describeTree(tree[1], names, false)}`;
  return top ? text : `(${text})`;
}
