/**
 * Data flow between statements in TypeScript and JavaScript, as the Python front end does:
 * einsums whose result only feeds another einsum (chains that fuse into one contraction), and
 * constant scalar factors around contractions (`tf.mul(x, 2)`, `x.div(8)`, `tf.scalar(c)`),
 * which commute with them and can be applied to the smallest tensor involved.
 */
import ts from 'typescript';
import type { ChainLink, FlowFacts, Library, ScalarFactor, ScalarTarget } from '../model';
import { COMMUTING_OPS, SCALE_OPS, tfjsOp } from './callees';
import type { ConstantEvaluator } from './constants';
import { statementOf } from './context';
import { scopeOf } from './hints';
import { isConst, skipOuter, type NameResolver } from './names';
import { rangeOf } from './sites';
import { SortedByOffset, memoized } from '../sorted-offsets';

/** What data flow needs to know about a site. */
export interface FlowSite {
  id: number;
  kind: 'einsum' | 'matmul-chain';
  node: ts.CallExpression;
  operandNodes: ts.Expression[];
  library: Library;
  /** Equation and operands fully known (a dynamic site cannot be fused). */
  static: boolean;
}

export interface FlowEnvironment {
  names: NameResolver;
  constants: ConstantEvaluator;
  /** Tensor methods (`x.mul(2)`) count: the file imports tfjs. */
  tensorMethods: boolean;
}

type Factor = Omit<ScalarFactor, 'appliedTo'>;
const MAX_STEPS = 32;

export function analyzeFlow(sites: FlowSite[], env: FlowEnvironment): FlowFacts {
  return new FlowAnalysis(sites, env).run();
}

class FlowAnalysis {
  private readonly siteByNode = new Map<ts.Node, FlowSite>();
  private readonly reads = new Map<ts.VariableDeclaration, ts.Identifier[]>();
  /** Identifiers by name in a block's top-level statement (or the file), sorted: "between two statements" is a binary search. */
  private readonly identifiers = new Map<ts.Node, Map<string, SortedByOffset<ts.Identifier>>>();

  constructor(
    private readonly sites: FlowSite[],
    private readonly env: FlowEnvironment,
  ) {
    for (const site of sites) this.siteByNode.set(site.node, site);
  }

  private get sourceFile(): ts.SourceFile {
    return this.env.names.sourceFile;
  }

  run(): FlowFacts {
    const links: ChainLink[] = [];
    const scalars = new Map<number, ScalarFactor[]>();
    for (const site of this.sites) {
      if (site.kind === 'einsum' && site.static) {
        site.operandNodes.forEach((operand, index) => {
          const link = this.link(site, operand, index);
          if (link) links.push(link);
        });
      }
      const factors = [...this.operandFactors(site), ...this.outputFactors(site)];
      if (factors.length > 0) scalars.set(site.id, factors);
    }
    return { links, scalars };
  }

  /** The einsum producing this operand, when its result is used here and nowhere else. */
  private link(consumer: FlowSite, operand: ts.Expression, index: number): ChainLink | null {
    const node = skipOuter(operand);
    const inline = this.siteByNode.get(node);
    if (inline) return this.fusable(inline, consumer) ? { producer: inline.id, consumer: consumer.id, operand: index, name: null, statementRange: null } : null;
    if (!ts.isIdentifier(node)) return null;
    const declaration = this.singleUseDeclaration(node);
    const producer = declaration?.initializer ? this.siteByNode.get(skipOuter(declaration.initializer)) : undefined;
    if (!declaration || !producer || !this.fusable(producer, consumer)) return null;
    const statement = declaration.parent.parent;
    const consumerStatement = statementOf(consumer.node);
    // `const t = einsum(..);` alone in its statement, in the same block as the consumer.
    if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) return null;
    if (!consumerStatement || consumerStatement.parent !== statement.parent) return null;
    if (!this.operandsStable(producer, statement, consumerStatement)) return null;
    return { producer: producer.id, consumer: consumer.id, operand: index, name: node.text, statementRange: rangeOf(statement, this.sourceFile) };
  }

  private fusable(producer: FlowSite, consumer: FlowSite): boolean {
    return producer.kind === 'einsum' && producer.static && producer.library === consumer.library;
  }

  /**
   * The declaration of a name read exactly once, here, in the function that declares it:
   * `const` (or `let`/`var` never reassigned), not exported, not captured by a closure.
   */
  private singleUseDeclaration(node: ts.Identifier): ts.VariableDeclaration | null {
    const declaration = this.env.names.declarationOf(node);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return null;
    if (!isConst(declaration) && this.env.names.scopes.reassigned(node.text, declaration)) return null;
    const statement = declaration.parent.parent;
    if (!ts.isVariableStatement(statement) || statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return null;
    if (scopeOf(node) !== scopeOf(declaration)) return null;
    return this.readsOf(declaration).length === 1 ? declaration : null;
  }

  /** The one read of the `const` whose value `node` is, in the same function; null otherwise. */
  private onlyReadOfValue(node: ts.Expression): ts.Identifier | null {
    let value: ts.Node = node;
    while (ts.isParenthesizedExpression(value.parent) || ts.isAsExpression(value.parent) || ts.isNonNullExpression(value.parent)) value = value.parent;
    const declaration = value.parent;
    if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== value || !ts.isIdentifier(declaration.name)) return null;
    const reads = this.readsOf(declaration);
    return reads.length === 1 && this.singleUseDeclaration(reads[0]) === declaration ? reads[0] : null;
  }

  /** Reads that see this declaration, in nested functions too. */
  private readsOf(declaration: ts.VariableDeclaration): ts.Identifier[] {
    let reads = this.reads.get(declaration);
    if (!reads) {
      reads = this.findReads(declaration);
      this.reads.set(declaration, reads);
    }
    return reads;
  }

  private findReads(declaration: ts.VariableDeclaration): ts.Identifier[] {
    const name = (declaration.name as ts.Identifier).text;
    return this.env.names.scopes.candidates(name, declaration).filter((id) => id !== declaration.name && this.env.names.declarationOf(id) === declaration);
  }

  /**
   * Fusing moves the producer's operands down to the consumer: none may be reassigned,
   * disposed or `assign`ed (a `tf.Variable`) in between.
   */
  private operandsStable(producer: FlowSite, from: ts.Statement, to: ts.Statement): boolean {
    const names = new Set<string>();
    for (const operand of producer.operandNodes) {
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) names.add(n.text);
        n.forEachChild(visit);
      };
      visit(operand);
    }
    const start = to.getStart(this.sourceFile);
    for (const name of names) {
      const byName = memoized(this.identifiers, from.parent, () => new Map<string, SortedByOffset<ts.Identifier>>());
      const sorted = memoized(byName, name, () => new SortedByOffset(this.env.names.scopes.identifiersIn(name, from.parent), (id) => id.pos));
      const between = sorted.between(from.end, start).filter((id) => id.end <= start);
      if (between.some((id) => changes(id))) return false;
    }
    return true;
  }

  private operandFactors(site: FlowSite): ScalarFactor[] {
    const factors: ScalarFactor[] = [];
    site.operandNodes.forEach((operand, index) => {
      const target: ScalarTarget = { kind: 'operand', index };
      let current: ts.Expression | null = skipOuter(operand);
      for (let step = 0; current && step < MAX_STEPS; step++) {
        const scaled = this.scaling(current);
        if (scaled) {
          factors.push({ ...scaled.factor, appliedTo: target });
          current = skipOuter(scaled.tensor);
          continue;
        }
        const through = this.commutingInput(current);
        if (through) {
          current = skipOuter(through);
          continue;
        }
        // `const qs = tf.mul(q, 2)` read only by this einsum: follow it.
        const single: ts.VariableDeclaration | null = ts.isIdentifier(current) ? this.singleUseDeclaration(current) : null;
        current = single?.initializer ? skipOuter(single.initializer) : null;
      }
    });
    return factors;
  }

  private outputFactors(site: FlowSite): ScalarFactor[] {
    const factors: ScalarFactor[] = [];
    const target: ScalarTarget = { kind: 'output' };
    let current: ts.Expression = site.node;
    for (let step = 0; step < MAX_STEPS; step++) {
      const enclosing = this.enclosingOperation(current);
      if (!enclosing) {
        // `const y = einsum(..)` read once, later: follow the result to that read.
        const read = this.onlyReadOfValue(current);
        if (!read) break;
        current = read;
        continue;
      }
      const scaled = this.scaling(enclosing);
      if (scaled && skipOuter(scaled.tensor) === current) factors.push({ ...scaled.factor, appliedTo: target });
      else if (this.commutingInput(enclosing) !== current) break;
      current = enclosing;
    }
    return factors;
  }

  /** The call `node` is the tensor input of: `tf.mul(node, c)`, `node.div(c)`, `node.transpose()`. */
  private enclosingOperation(node: ts.Expression): ts.CallExpression | null {
    let child: ts.Node = node;
    let parent = node.parent;
    while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) {
      child = parent;
      parent = parent.parent;
    }
    if (ts.isCallExpression(parent) && parent.arguments.includes(child as ts.Expression)) return parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === child && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      return parent.parent;
    }
    return null;
  }

  /** `tf.mul(x, c)`, `tf.mul(c, x)`, `tf.div(x, c)`, `x.mul(c)`, `x.div(c)`: the tensor and the factor. */
  private scaling(node: ts.Expression): { tensor: ts.Expression; factor: Factor } | null {
    if (!ts.isCallExpression(node) || node.arguments.some((a) => ts.isSpreadElement(a))) return null;
    const args = node.arguments;
    const op = tfjsOp(this.env.names.qualified(node.expression));
    if (op !== null) {
      const operation = SCALE_OPS.get(op);
      if (!operation || args.length !== 2) return null;
      const onRight = this.factor(args[1], operation, node);
      if (onRight && !this.factor(args[0], operation, node)) return { tensor: args[0], factor: onRight };
      const onLeft = operation === 'multiply' ? this.factor(args[0], operation, node) : null;
      return onLeft && !this.factor(args[1], operation, node) ? { tensor: args[1], factor: onLeft } : null;
    }
    const method = this.tensorMethod(node);
    const operation = method && SCALE_OPS.get(method.name);
    if (!method || !operation || args.length !== 1) return null;
    const factor = this.factor(args[0], operation, node);
    return factor ? { tensor: method.receiver, factor } : null;
  }

  /** The tensor input of a transpose, which a scalar passes through. */
  private commutingInput(node: ts.Expression): ts.Expression | null {
    if (!ts.isCallExpression(node)) return null;
    const op = tfjsOp(this.env.names.qualified(node.expression));
    if (op !== null) return COMMUTING_OPS.has(op) ? (node.arguments[0] ?? null) : null;
    const method = this.tensorMethod(node);
    return method && COMMUTING_OPS.has(method.name) ? method.receiver : null;
  }

  /** `x.name(..)` on a value that is not a module. */
  private tensorMethod(node: ts.CallExpression): { name: string; receiver: ts.Expression } | null {
    const callee = skipOuter(node.expression);
    if (!this.env.tensorMethods || !ts.isPropertyAccessExpression(callee)) return null;
    if (this.env.names.qualified(callee.expression) !== null) return null;
    return { name: callee.name.text, receiver: callee.expression };
  }

  /** A constant (`2`, `Math.sqrt(D)`, `tf.scalar(8)`), not zero. */
  private factor(node: ts.Expression, operation: 'multiply' | 'divide', application: ts.Expression): Factor | null {
    const inner = skipOuter(node);
    let value = this.env.constants.evaluate(inner)?.value;
    if (value === undefined && ts.isCallExpression(inner) && tfjsOp(this.env.names.qualified(inner.expression)) === 'scalar') {
      value = inner.arguments.length === 1 ? this.env.constants.evaluate(inner.arguments[0])?.value : undefined;
    }
    if (value === undefined || value === 0) return null;
    const range = rangeOf(node, this.sourceFile);
    return { value, text: this.sourceFile.text.slice(range.start, range.end), range, applicationRange: rangeOf(application, this.sourceFile), operation };
  }
}

/** A use that changes what the name holds: assignment, `++`, `.dispose()`, `.assign(..)`, `tf.dispose(x)`. */
function changes(id: ts.Identifier): boolean {
  // `tf.dispose([a, b])` disposes every element.
  const parent = ts.isArrayLiteralExpression(id.parent) ? id.parent.parent : id.parent;
  const held = parent === id.parent ? id : (id.parent as ts.Expression);
  if (ts.isBinaryExpression(parent) && parent.left === id && isAssignment(parent.operatorToken.kind)) return true;
  if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && isIncrement(parent.operator)) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === id) return ['dispose', 'assign'].includes(parent.name.text);
  if (ts.isCallExpression(parent) && parent.arguments.includes(held)) {
    const callee = parent.expression;
    return (ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '') === 'dispose';
  }
  return false;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function isIncrement(operator: ts.SyntaxKind): boolean {
  return operator === ts.SyntaxKind.PlusPlusToken || operator === ts.SyntaxKind.MinusMinusToken;
}
