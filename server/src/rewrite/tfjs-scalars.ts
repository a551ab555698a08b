/**
 * tfjs scalar folding: the constant factors around a contraction (`tf.mul(q, 2)`, `x.div(8)`,
 * `tf.scalar(c)`) commute with it, so they are stripped where they are and their product is
 * applied once, with `.mul(..)`, to the smallest tensor: an operand or the result.
 */
import ts from 'typescript';
import type { ContractionSite, RuleCode, ScalarFactor } from '../analysis/model';
import { formatCount } from '../core/counts';
import { sizeProduct } from '../core/cost';
import { replace, type Fix, type FixEdit } from './edits';
import { notApplicable, RewriteRefusal } from './refusal';
import type { TfjsFixContext } from './tfjs-fixes';
import { isTight } from './tfjs-source';
import { fixTitle } from './titles';

type Target = { kind: 'operand'; index: number } | { kind: 'output' };

export function tfjsScalarFoldFix(context: TfjsFixContext, site: ContractionSite, code: RuleCode): Fix {
  const factors = site.scalars?.factors ?? [];
  const c = site.contraction;
  if (factors.length === 0 || !c) throw notApplicable('no scalar factors on a contraction of known shapes');
  const sizeOf = (target: Target) => sizeProduct(c, target.kind === 'output' ? c.output : c.inputs[target.index]);
  const current = factors.reduce((sum, f) => sum + sizeOf(f.appliedTo), 0n);
  const candidates: Target[] = [...c.inputs.map((_, index): Target => ({ kind: 'operand', index })), { kind: 'output' }];
  const best = candidates.reduce((a, b) => (sizeOf(b) < sizeOf(a) ? b : a));
  if (sizeOf(best) >= current) throw notApplicable('the factors already cost one multiplication of the smallest tensor');

  const folding = new Folding(context, factors);
  const targetRange = best.kind === 'output' ? site.range : site.operands[best.index].range;
  folding.scale(context.source.expressionAt(targetRange, 'scaled tensor'), productCall(context, factors));
  const where = best.kind === 'output' ? 'the result' : `operand ${best.index + 1} (${site.operands[best.index].text})`;
  return {
    title: fixTitle([`Apply the scalar factors once, to ${where}`, 'Apply the scalar factors once, to the smallest tensor'], `${formatCount(current)} → ${formatCount(sizeOf(best))} multiplications`),
    kind: 'quickfix',
    code,
    edits: folding.edits(),
    isPreferred: true,
  };
}

/** `.mul(a)`, `.div(b)`, or `.mul(a / b * c)`: the product of the factors as one JavaScript number. */
function productCall(context: TfjsFixContext, factors: readonly ScalarFactor[]): string {
  const ordered = [...factors].sort((a, b) => a.range.start - b.range.start);
  const texts = ordered.map((f) => numberText(context, f));
  if (ordered.length === 1) return `.${ordered[0].operation === 'divide' ? 'div' : 'mul'}(${texts[0].text})`;
  const operand = (k: number) => (texts[k].tight ? texts[k].text : `(${texts[k].text})`);
  let product = ordered[0].operation === 'divide' ? `1 / ${operand(0)}` : operand(0);
  ordered.slice(1).forEach((f, i) => (product += `${f.operation === 'divide' ? ' / ' : ' * '}${operand(i + 1)}`));
  return `.mul(${product})`;
}

/** The factor as a number expression: `tf.scalar(8)` is read as `8`. */
function numberText(context: TfjsFixContext, factor: ScalarFactor): { text: string; tight: boolean } {
  let node = context.source.expressionAt(factor.range, 'scalar factor');
  if (ts.isCallExpression(node) && node.arguments.length === 1 && /(^|\.)scalar$/.test(node.expression.getText())) node = node.arguments[0];
  const text = context.source.textOf(node);
  const tight = isTight(node) || ts.isNumericLiteral(node) || (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand));
  return { text, tight };
}

/** Re-renders the expressions the fold touches: applications stripped, the product added once. */
class Folding {
  /** Each application (`tf.mul(x, c)`, `x.div(c)`) and the tensor it scales. */
  private readonly applications = new Map<ts.Node, ts.Expression>();
  private target: { node: ts.Node; call: string } | null = null;

  constructor(
    private readonly context: TfjsFixContext,
    factors: readonly ScalarFactor[],
  ) {
    for (const factor of factors) {
      const node = context.source.expressionAt(factor.applicationRange, 'scalar application');
      const tensor = tensorOf(node, factor, context.source.sourceFile);
      if (!tensor) throw new RewriteRefusal('a scalar application has a form the fix does not know');
      if (context.source.hasComment(factor.applicationRange)) throw new RewriteRefusal('a scalar application holds a comment');
      this.applications.set(node, tensor);
    }
  }

  scale(node: ts.Node, call: string): void {
    this.target = { node, call };
  }

  edits(): FixEdit[] {
    const touched = [...this.applications.keys(), ...(this.target ? [this.target.node] : [])];
    const outermost = touched.filter((n) => !touched.some((o) => o !== n && o.pos <= n.pos && n.end <= o.end && contains(o, n)));
    return [...new Set(outermost)].map((node) => replace({ start: node.getStart(this.context.source.sourceFile), end: node.end }, this.render(node).text));
  }

  private render(node: ts.Node): { text: string; tight: boolean } {
    let text: string;
    let tight: boolean;
    const tensor = this.applications.get(node);
    if (tensor) {
      const inner = this.render(tensor);
      // The call stood where a tight expression may have been needed: `(a ? b : c)` keeps its parentheses.
      text = inner.tight ? inner.text : `(${inner.text})`;
      tight = true;
    } else {
      text = this.splice(node);
      tight = isTight(node);
    }
    if (this.target?.node === node) {
      text = `${tight ? text : `(${text})`}${this.target.call}`;
      tight = true;
    }
    return { text, tight };
  }

  /** The node's text with every touched descendant re-rendered. */
  private splice(node: ts.Node): string {
    const sourceFile = this.context.source.sourceFile;
    const text = this.context.source.text;
    let out = '';
    let cursor = node.getStart(sourceFile);
    ts.forEachChild(node, (child) => {
      if (!this.touches(child)) return;
      const start = child.getStart(sourceFile);
      out += text.slice(cursor, start) + this.render(child).text;
      cursor = child.end;
    });
    return out + text.slice(cursor, node.end);
  }

  private touches(node: ts.Node): boolean {
    const inside = (n: ts.Node) => contains(node, n);
    return [...this.applications.keys()].some(inside) || (this.target !== null && inside(this.target.node));
  }
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  for (let n: ts.Node | undefined = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

/** The tensor side of `tf.mul(x, c)`, `tf.mul(c, x)`, `tf.div(x, c)` or `x.mul(c)`. */
function tensorOf(node: ts.Expression, factor: ScalarFactor, sourceFile: ts.SourceFile): ts.Expression | null {
  if (!ts.isCallExpression(node)) return null;
  const within = (n: ts.Node) => n.getStart(sourceFile) <= factor.range.start && factor.range.end <= n.end;
  const args = node.arguments;
  if (args.length === 1 && within(args[0]) && ts.isPropertyAccessExpression(node.expression)) return node.expression.expression;
  if (args.length === 2) return within(args[1]) ? args[0] : within(args[0]) ? args[1] : null;
  return null;
}
