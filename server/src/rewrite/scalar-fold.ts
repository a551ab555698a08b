/**
 * Fix 4: scalar factors folded into one multiplication of the smallest tensor, as
 * opt_einsum_fx does on torch.fx graphs: a constant factor commutes with einsum, matmul and
 * transposes, so `einsum(q * a, k) / b` costs one multiplication of the smallest of q, k, the
 * result, or (when the call is also rewritten pairwise) an intermediate.
 */
import type { ContractionSite, RuleCode, ScalarFactor } from '../analysis/model';
import { formatCount } from '../core/counts';
import { sizeProduct } from '../core/cost';
import { field, namedChildren, type PyNode } from '../analysis/python/syntax';
import { rewritableSite } from './best-order';
import { fixedPathRefusal } from './fix-policy';
import { checkReorderTypes, checkScalarTypes } from './dtype-rules';
import { checkBroadcastKnown, checkNoComment, einsumCallNode, isTight, leafInputs, nodeOf, type FixContext } from './context';
import { replace, type Fix, type FixEdit } from './edits';
import { blasDispatch } from './blas-steps';
import { einsumStyle } from './emit';
import { deleteStatement, hoistAndReplace } from './hoist';
import { emitPairwise, type PairwiseCode } from './pairwise';
import { contractionTree, stepsInOrder, type PlanNode, type StepNode } from './plan';
import { notApplicable, RewriteRefusal } from './refusal';
import { stepEquation, relabel } from './labels';
import { fixTitle } from './titles';

type Target = { kind: 'operand'; index: number } | { kind: 'output' } | { kind: 'intermediate'; node: StepNode };

interface Application {
  node: PyNode;
  /** The scaled tensor; null for `y *= c`, a statement of its own. */
  tensor: PyNode | null;
}

const CONTAINERS = new Set(['list', 'tuple', 'set', 'dictionary', 'string', 'concatenated_string']);

/** Parents in which `x * s` needs no parentheses. */
const LOOSE_CONTEXTS = new Set([
  'argument_list',
  'keyword_argument',
  'assignment',
  'augmented_assignment',
  'return_statement',
  'expression_statement',
  'expression_list',
  'tuple',
  'list',
  'set',
  'pair',
  'parenthesized_expression',
  'named_expression',
]);

export function scalarFoldFix(context: FixContext, site: ContractionSite, code: RuleCode): Fix {
  const factors = site.scalars?.factors ?? [];
  const c = site.contraction;
  if (factors.length === 0 || !c) throw notApplicable('no scalar factors on a contraction of known shapes');
  const sizes = {
    operand: (k: number) => sizeProduct(c, c.inputs[k]),
    output: sizeProduct(c, c.output),
  };
  // A factor inside a product (`(x * c) @ w`, `(A @ B) / 2`) costs the size of the tensor it scales there.
  const costs = factors.map((f) => (f.nestedIn ? f.nestedIn.elements : f.appliedTo.kind === 'output' ? sizes.output : sizes.operand(f.appliedTo.index)));
  if (costs.some((cost) => cost === null)) throw notApplicable('a factor scales a tensor of unknown size');
  const current = costs.reduce((sum: bigint, cost) => sum + cost!, 0n);
  const keywords = callKeywords(context, site);
  // With `out=`, the result lands there: a factor may only move between operands.
  const writesOut = keywords.includes('out');
  const candidates: { target: Target; size: bigint }[] = [
    ...c.inputs.map((_, index) => ({ target: { kind: 'operand', index } as Target, size: sizes.operand(index) })),
    ...(writesOut ? [] : [{ target: { kind: 'output' } as Target, size: sizes.output }]),
  ];
  // Written pairwise in the best order, an intermediate may be the smallest tensor of all (opt_einsum_fx's placement).
  const tree = !writesOut && reorderAllowed(context, site) ? pairwiseTree(site) : null;
  if (tree) {
    for (const node of stepsInOrder(tree).slice(0, -1)) candidates.push({ target: { kind: 'intermediate', node }, size: node.size });
  }
  // The first smallest wins: an operand or the output before an intermediate, which needs the rewrite.
  const best = candidates.reduce((a, b) => (b.size < a.size ? b : a));
  if (best.size >= current) throw notApplicable('the factors already cost one multiplication of the smallest tensor');
  if (writesOut && factors.some((f) => f.appliedTo.kind === 'output')) {
    throw new RewriteRefusal('the call writes its result to out=, so a factor on the result cannot move into the call');
  }
  const cast = keywords.find((k) => k === 'dtype' || k === 'casting');
  if (cast) throw new RewriteRefusal(`the call passes ${cast}=: a factor moved across the cast would be rounded or truncated with it`);
  checkSameLoop(context, site, factors);
  const unsafe = factors.find((f) => f.unsafe)?.unsafe;
  if (unsafe) throw new RewriteRefusal(unsafe.reason, true, unsafe.at);

  const folding = new ScalarFolding(context, site, factors);
  checkScalarTypes(context, site.library, site.operands.map((_, k) => folding.operandNode(k)), folding.scaledTensors());
  const suffix = productSuffix(context, factors);
  const where = describe(context, site, best.target, folding);
  // The call is written pairwise when the factor needs an intermediate, or when the site's cost finding wants the best order anyway.
  const reorder = tree !== null && (best.target.kind === 'intermediate' || hasCostFinding(context, site));
  let pairwise: PairwiseCode | null = null;
  let call: PyNode | null = null;
  if (best.target.kind === 'operand') {
    const target = folding.operandNode(best.target.index);
    // `[[1, 2]] * 0.5` is not arithmetic on a Python list: only arrays take the product.
    if (CONTAINERS.has(folding.effective(target).type)) throw new RewriteRefusal('the smallest operand is a Python literal, not an array');
  }
  if (reorder) {
    rewritableSite(site);
    call = einsumCallNode(context, site);
    checkNoComment(context, site.range);
    checkBroadcastKnown(site, [site.equation.text]);
    const leaves = leafInputs(context, site.operands).map((leaf, k) => {
      const text = folding.render(folding.operandNode(k));
      return { ...leaf, text, valueText: leaf.valueText === leaf.text ? text : `(${text})` };
    });
    const target = best.target;
    const node = target.kind === 'intermediate' ? target.node : target.kind === 'operand' ? leafOf(tree!, target.index) : null;
    pairwise = emitPairwise({
      contraction: site.contraction!,
      root: tree!,
      leaves,
      style: einsumStyle(site, context.source.text),
      names: context.names,
      hoist: context.source.hoistPoint(call),
      blas: blasDispatch(context, site),
      ...(node ? { scaling: { node, suffix } } : {}),
    });
    folding.replaceCall(call, pairwise.expression);
    // On the result, the product goes after the pairwise expression, parenthesized as the call's place needs.
    if (!node) folding.scale(call, suffix);
  } else {
    const target = best.target.kind === 'output' ? nodeOf(context, site.range, 'call') : folding.operandNode((best.target as { index: number }).index);
    folding.scale(target, suffix);
  }
  const edits = folding.edits();
  if (pairwise && call) {
    const callEdit = edits.findIndex((e) => e.range.start <= call!.start && call!.end <= e.range.end);
    const [edit] = edits.splice(callEdit, 1);
    edits.push(...hoistAndReplace(context.source.hoistPoint(call), pairwise.lines, edit.range, edit.newText));
  }
  return {
    title: fixTitle(
      [
        `Apply the scalar factors once, to ${where}${reorder && best.target.kind !== 'intermediate' ? ', in the best order' : ''}`,
        `Apply the scalar factors once, to the smallest tensor${reorder ? ', in the best order' : ''}`,
      ],
      `${formatCount(current)} → ${formatCount(best.size)} multiplications`,
    ),
    kind: 'quickfix',
    code,
    edits,
    isPreferred: true,
  };
}

/** The site's cost finding, when its fixes may fix the path (not where the best order depends on sizes). */
function hasCostFinding(context: FixContext, site: ContractionSite): boolean {
  return context.analysis.findings.some((f) => f.site === site.id && f.code === 'EIN001' && fixedPathRefusal(f, site) === null);
}

/** Pairwise steps in a new order keep the arithmetic (same types, see dtype-rules.ts). */
function reorderAllowed(context: FixContext, site: ContractionSite): boolean {
  try {
    checkReorderTypes(context, site.library, site.operands.map((o) => nodeOf(context, o.range, 'operand')));
    return true;
  } catch (error) {
    if (error instanceof RewriteRefusal) return false;
    throw error;
  }
}

function leafOf(tree: StepNode, operand: number): PlanNode {
  const visit = (node: PlanNode): PlanNode | null =>
    node.kind === 'leaf' ? (node.operand === operand ? node : null) : node.children.reduce<PlanNode | null>((found, child) => found ?? visit(child), null);
  return visit(tree)!;
}

/** The best-order tree, when the site can be written pairwise (an einsum of three or more operands). */
function pairwiseTree(site: ContractionSite): StepNode | null {
  if (site.kind !== 'einsum' || site.precompiled || !site.contraction || !site.best || site.equation.dynamic || site.contraction.inputs.length < 3) return null;
  return contractionTree(site.contraction, site.best.path);
}

/** The keyword arguments of the call (`out`, `dtype`, …). */
function callKeywords(context: FixContext, site: ContractionSite): string[] {
  const call = nodeOf(context, site.range, 'call');
  const args = call.type === 'call' ? field(call, 'arguments') : null;
  return (args ? namedChildren(args) : []).filter((a) => a.type === 'keyword_argument').map((a) => context.source.textOf(field(a, 'name') ?? a));
}

/**
 * The factors are applied in the same loop as the contraction: moving one from outside a loop
 * onto a tensor inside it would multiply on every turn (and the count in the title would be wrong).
 */
function checkSameLoop(context: FixContext, site: ContractionSite, factors: readonly ScalarFactor[]): void {
  const loop = innermostLoop(nodeOf(context, site.range, 'call'));
  for (const factor of factors) {
    const application = nodeOf(context, factor.applicationRange, 'scalar application');
    if (innermostLoop(application) !== loop) {
      throw new RewriteRefusal(`\`${context.source.textOf(application)}\` runs ${loop ? 'outside the loop that holds the call' : 'in a loop the call is not in'}: moving it would change how often it multiplies`);
    }
  }
}

function innermostLoop(node: PyNode): PyNode | null {
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'function_definition' || parent.type === 'lambda' || parent.type === 'class_definition') return null;
    if ((parent.type === 'for_statement' || parent.type === 'while_statement') && child.field === 'body') return parent;
    if (parent.type.endsWith('comprehension') || parent.type === 'generator_expression') return parent;
  }
  return null;
}

/** `operand 2 (k)`, `the result`, `the intermediate ij,jk->ik, …`: read before the product is placed. */
function describe(context: FixContext, site: ContractionSite, target: Target, folding: ScalarFolding): string {
  if (target.kind === 'output') return 'the result';
  if (target.kind === 'operand') return `operand ${target.index + 1} (${folding.render(folding.operandNode(target.index))})`;
  const labelled = relabel(site.contraction!, einsumStyle(site, context.source.text).labels);
  const equation = stepEquation(labelled, target.node.children.map((n) => n.labels), target.node.labels);
  return `the intermediate ${equation}, contracting pairwise in the best order`;
}

/** ` * a`, ` / b`, or ` * (a / b * c)`: the factors' product, computed once as a scalar. */
export function productSuffix(context: FixContext, factors: readonly ScalarFactor[]): string {
  const ordered = [...factors].sort((a, b) => a.range.start - b.range.start);
  const texts = ordered.map((f) => {
    const node = nodeOf(context, f.range, 'scalar factor');
    return isTight(node) ? context.source.textOf(node) : `(${context.source.textOf(node)})`;
  });
  if (ordered.length === 1) return `${ordered[0].operation === 'divide' ? ' / ' : ' * '}${texts[0]}`;
  let product = ordered[0].operation === 'divide' ? `1 / ${texts[0]}` : texts[0];
  ordered.slice(1).forEach((f, i) => (product += `${f.operation === 'divide' ? ' / ' : ' * '}${texts[i + 1]}`));
  return ` * (${product})`;
}

/** Re-renders the expressions touched by the fold: applications stripped, the product added once. */
class ScalarFolding {
  private readonly applications = new Map<PyNode, Application>();
  private readonly statements: PyNode[] = [];
  private readonly rewritten = new Map<PyNode, string>();
  private target: { node: PyNode; suffix: string } | null = null;

  constructor(
    private readonly context: FixContext,
    private readonly site: ContractionSite,
    factors: readonly ScalarFactor[],
  ) {
    for (const factor of factors) {
      const node = nodeOf(context, factor.applicationRange, 'scalar application');
      if (node.type === 'augmented_assignment' || node.type === 'expression_statement') {
        this.statements.push(context.source.statementOf(node) ?? node);
        continue;
      }
      const tensor = tensorOf(node, factor);
      if (!tensor) throw new RewriteRefusal('a scalar application has a shape the fix does not know');
      // The text between the application and its tensor is dropped: it must hold no comment.
      checkNoComment(context, { start: node.start, end: tensor.start });
      checkNoComment(context, { start: tensor.end, end: node.end });
      this.applications.set(node, { node, tensor });
    }
  }

  operandNode(index: number): PyNode {
    return nodeOf(this.context, this.site.operands[index].range, 'operand');
  }

  /** The tensors the factors are applied to now (`q` in `q * c`, `y` in `y *= c`). */
  scaledTensors(): PyNode[] {
    const augmented = this.statements.map((statement) => {
      const assignment = statement.type === 'augmented_assignment' ? statement : namedChildren(statement)[0];
      return field(assignment, 'left') ?? assignment;
    });
    return [...[...this.applications.values()].flatMap((a) => (a.tensor ? [a.tensor] : [])), ...augmented];
  }

  scale(node: PyNode, suffix: string): void {
    this.target = { node, suffix };
  }

  replaceCall(call: PyNode, expression: string): void {
    this.rewritten.set(call, expression);
  }

  render(node: PyNode): string {
    const application = this.applications.get(node);
    let text: string;
    if (application?.tensor) {
      const inner = this.render(application.tensor);
      // `torch.mul(a + b, c)` stood where only a tight expression may: `(a + b)`.
      text = isTight(node) && !isTight(application.tensor) ? `(${inner})` : inner;
    } else if (this.rewritten.has(node)) {
      text = this.rewritten.get(node)!;
    } else if (this.droppableParens(node)) {
      text = this.render(namedChildren(node)[0]);
    } else {
      text = this.splice(node);
    }
    if (this.target?.node === node) {
      const left = bindsLikeProduct(this.effective(node)) ? text : `(${text})`;
      text = needsParentheses(this.landing(node)) ? `(${left}${this.target.suffix})` : `${left}${this.target.suffix}`;
    }
    return text;
  }

  edits(): FixEdit[] {
    const touched = [...this.applications.keys(), ...this.rewritten.keys(), ...(this.target ? [this.target.node] : [])];
    const outermost = touched.filter((n) => !touched.some((o) => o !== n && o.start <= n.start && n.end <= o.end));
    // `(x * c)` loses its parentheses with the factor: the edit then spans them.
    const unique = [...new Set(outermost.map((n) => (n.parent && this.droppableParens(n.parent) ? n.parent : n)))];
    return [
      ...unique.map((node) => replace(node, this.render(node))),
      ...this.statements.map((statement) => deleteStatement(this.context.source, statement)),
    ];
  }

  /** The node's text with every touched descendant re-rendered. */
  private splice(node: PyNode): string {
    let text = '';
    let cursor = node.start;
    for (const child of node.children) {
      if (!this.touches(child)) continue;
      text += this.context.source.text.slice(cursor, child.start) + this.render(child);
      cursor = child.end;
    }
    return text + this.context.source.text.slice(cursor, node.end);
  }

  private touches(node: PyNode): boolean {
    const inside = (n: PyNode) => node.start <= n.start && n.end <= node.end;
    return [...this.applications.keys()].some(inside) || [...this.rewritten.keys()].some(inside) || (this.target !== null && inside(this.target.node));
  }

  /** Where a node's text ends up: in place of the applications stripped around it (`2 * f()` → `f()`). */
  private landing(node: PyNode): PyNode {
    const parent = node.parent;
    return parent && this.applications.get(parent)?.tensor === node ? this.landing(parent) : node;
  }

  /** The expression left once applications are stripped. */
  effective(node: PyNode): PyNode {
    const application = this.applications.get(node);
    return application?.tensor ? this.effective(application.tensor) : node;
  }

  /** `(x * c)` becomes `x`, not `(x)`, when x is tight and nothing is added inside. */
  private droppableParens(node: PyNode): boolean {
    const inner = namedChildren(node);
    if (node.type !== 'parenthesized_expression' || inner.length !== 1 || !this.applications.has(inner[0])) return false;
    const target = this.target?.node;
    const holdsTarget = target !== undefined && inner[0].start <= target.start && target.end <= inner[0].end;
    return isTight(this.effective(inner[0])) && !holdsTarget && ![...this.rewritten.keys()].some((n) => inner[0].start <= n.start && n.end <= inner[0].end);
  }
}

/** The tensor side of `x * c`, `c * x`, `x / c`, `torch.mul(x, c)` or `x.mul(c)`. */
export function tensorOf(node: PyNode, factor: ScalarFactor): PyNode | null {
  const within = (n: PyNode) => n.start <= factor.range.start && factor.range.end <= n.end;
  if (node.type === 'binary_operator') {
    const left = field(node, 'left');
    const right = field(node, 'right');
    return left && right ? (within(right) ? left : right) : null;
  }
  if (node.type !== 'call') return null;
  const callee = field(node, 'function');
  const args = namedChildren(field(node, 'arguments') ?? node).filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
  if (callee?.type === 'attribute' && args.length === 1 && within(args[0])) return field(callee, 'object');
  return args.length === 2 && within(args[1]) ? args[0] : null;
}

/** Whether `node` with ` * s` appended would bind wrongly where it stands. */
export function needsParentheses(node: PyNode): boolean {
  const parent = node.parent;
  if (!parent || LOOSE_CONTEXTS.has(parent.type)) return false;
  if (parent.type === 'binary_operator') {
    const op = field(parent, 'operator')?.type;
    if (op === '+' || op === '-') return false;
    if ((op === '*' || op === '@' || op === '/') && field(parent, 'left') === node) return false;
  }
  return true;
}

/** `x`, `a * b`, `a @ b`: appending `* s` multiplies the whole of it. */
function bindsLikeProduct(node: PyNode): boolean {
  const op = node.type === 'binary_operator' ? field(node, 'operator')?.type : undefined;
  return isTight(node) || op === '*' || op === '/' || op === '@' || op === '//' || op === '%';
}
