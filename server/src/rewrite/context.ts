/** What every fix builder reads: the analysis, the Python around the sites, a name allocator. */
import { hasStandIn } from '../analysis/labels';
import type { ContractionSite, FileAnalysis } from '../analysis/model';
import { field, namedChildren, someDescendant, textOf, walk, type PyNode } from '../analysis/python/syntax';
import type { NameAllocator } from './names';
import type { LeafInput } from './pairwise';
import type { PythonSource } from './python-source';
import { notApplicable, RewriteRefusal } from './refusal';

export interface FixContext {
  analysis: FileAnalysis;
  source: PythonSource;
  names: NameAllocator;
}

/** Expressions that bind at least as tightly as `*` and `@`: `x * s` or `a @ x` needs no parentheses. */
const TIGHT = new Set([
  'identifier',
  'attribute',
  'call',
  'subscript',
  'parenthesized_expression',
  'integer',
  'float',
  'string',
  'concatenated_string',
  'true',
  'false',
  'none',
  'list',
  'tuple',
  'dictionary',
  'set',
  'unary_operator',
  'await',
]);

export function isTight(node: PyNode): boolean {
  return TIGHT.has(node.type) || (node.type === 'binary_operator' && field(node, 'operator')?.type === '**');
}

export function siteById(context: FixContext, siteId: number): ContractionSite {
  const site = context.analysis.sites.find((s) => s.id === siteId);
  if (!site) throw notApplicable(`no site ${siteId} in this analysis`);
  return site;
}

export function nodeOf(context: FixContext, range: { start: number; end: number }, what: string): PyNode {
  const node = context.source.nodeAt(range);
  if (!node) throw new RewriteRefusal(`the ${what} is not where the analysis saw it (the text changed?)`);
  return node;
}

/** The call node of an einsum site, refusing keyword arguments a pairwise rewrite would drop. */
export function einsumCallNode(context: FixContext, site: ContractionSite): PyNode {
  const call = nodeOf(context, site.range, 'call');
  if (call.type !== 'call') throw new RewriteRefusal('the site is not a call');
  const args = field(call, 'arguments');
  for (const arg of args ? namedChildren(args) : []) {
    if (arg.type === 'dictionary_splat' || arg.type === 'list_splat') throw new RewriteRefusal('the call unpacks arguments (`*` or `**`)');
    if (arg.type !== 'keyword_argument') continue;
    const name = textOf(context.source.text, field(arg, 'name') ?? arg);
    // The order is now explicit, so path options go; anything else (`out=`, `dtype=`) would be lost.
    if (name !== 'optimize' && name !== 'memory_limit') throw new RewriteRefusal(`the call passes ${name}=, which pairwise calls would not honour`);
  }
  return call;
}

export function operandNodes(context: FixContext, operands: ContractionSite['operands']): PyNode[] {
  return operands.map((operand) => nodeOf(context, operand.range, 'operand'));
}

/** The operands as leaves of a rewrite: text, effects, source order, precedence. */
export function leafInputs(context: FixContext, operands: ContractionSite['operands']): LeafInput[] {
  const nodes = operands.map((operand) => {
    if (operand.text.startsWith('*')) throw new RewriteRefusal('an operand is unpacked with `*`');
    return nodeOf(context, operand.range, 'operand');
  });
  // `(t := f())` rebinds a name another operand may read: a read of it keeps its place.
  const rebound = new Set(nodes.flatMap((node) => walrusTargets(context, node)));
  return nodes.map((node, k) => {
    const text = context.source.textOf(node);
    const effect = context.source.effects().operandEffect(node);
    return {
      text,
      valueText: node.type === 'named_expression' ? `(${text})` : text,
      effect: effect === 'stable' && someDescendant(node, (n) => n.type === 'identifier' && rebound.has(context.source.textOf(n))) ? 'read' : effect,
      order: operands[k].range.start,
      tight: isTight(node),
    };
  });
}

function walrusTargets(context: FixContext, node: PyNode): string[] {
  const names: string[] = [];
  walk(node, (n) => {
    const target = n.type === 'named_expression' ? field(n, 'name') : null;
    if (target) names.push(context.source.textOf(target));
  });
  return names;
}

/**
 * Refuses when `...` stands for a number of dimensions the analysis could not see, or when a
 * label is a character named by `\N{...}` (held by a stand-in the new code must not contain).
 */
export function checkBroadcastKnown(site: Pick<ContractionSite, 'operands'>, equations: readonly (string | null)[]): void {
  if (equations.some((eq) => eq?.includes('...')) && site.operands.some((o) => o.shape === null)) {
    throw new RewriteRefusal("'...' stands for dimensions of an operand whose shape is unknown");
  }
  if (equations.some((eq) => eq !== null && hasStandIn(eq))) throw new RewriteRefusal('a label is a character written as \\N{...}, which the rewrite cannot write back');
}

export function checkNoComment(context: FixContext, range: { start: number; end: number }): void {
  if (context.source.hasComment(range)) throw new RewriteRefusal('the expression holds a comment the rewrite would drop');
}
