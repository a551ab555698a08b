/**
 * Data flow between statements, as opt_einsum_fx does on torch.fx graphs but on source:
 * einsums whose result only feeds another einsum (chains that can be fused into one
 * contraction), and constant scalar factors around contractions (which commute with them,
 * so they can be applied to the smallest tensor involved).
 */
import { nameTable } from '../../core/name-table';
import type { ChainLink, FlowFacts, Library, ScalarFactor, ScalarTarget, SourceRange } from '../model';
import { SortedByOffset, memoized } from '../sorted-offsets';
import type { ConstantEvaluator } from './constants';
import type { NameResolver } from './resolve';
import type { Binding, Scope } from './scopes';
import { binaryOperator, field, namedChildren, parentSkippingParens, textOf, unwrap, walk, type PyNode } from './syntax';

/** What data flow needs to know about a site. */
export interface FlowSite {
  id: number;
  kind: 'einsum' | 'matmul-chain';
  node: PyNode;
  operandNodes: PyNode[];
  library: Library;
  /** Equation and operands fully known (a dynamic site cannot be fused). */
  static: boolean;
}

const SCALE_FUNCTIONS = nameTable<'multiply' | 'divide'>({
  'torch.mul': 'multiply',
  'torch.multiply': 'multiply',
  'torch.div': 'divide',
  'torch.divide': 'divide',
  'torch.true_divide': 'divide',
  'numpy.multiply': 'multiply',
  'numpy.divide': 'divide',
  'numpy.true_divide': 'divide',
  'jax.numpy.multiply': 'multiply',
  'jax.numpy.divide': 'divide',
  'tensorflow.multiply': 'multiply',
  'tensorflow.math.multiply': 'multiply',
  'tensorflow.divide': 'divide',
  'tensorflow.math.divide': 'divide',
});
const SCALE_METHODS = nameTable<'multiply' | 'divide'>({ mul: 'multiply', multiply: 'multiply', div: 'divide', divide: 'divide' });
/**
 * Operations a scalar factor passes through unchanged. Not reshape/view: they return views whose
 * storage other code may share, so a rewrite could not move the factor across them safely.
 */
const COMMUTING_METHODS = new Set(['transpose', 'permute', 'swapaxes', 'swapdims', 't']);
const COMMUTING_ATTRIBUTES = new Set(['T', 'mT']);
/** Products a scalar factor passes through into either input. */
const PRODUCT_FUNCTIONS = new Set([
  'torch.matmul',
  'torch.mm',
  'torch.bmm',
  'torch.tensordot',
  'numpy.matmul',
  'numpy.dot',
  'numpy.tensordot',
  'jax.numpy.matmul',
  'jax.numpy.dot',
  'jax.numpy.tensordot',
  'tensorflow.matmul',
  'tensorflow.tensordot',
]);
const PRODUCT_METHODS = new Set(['matmul', 'mm', 'bmm', 'dot']);
const COMMUTING_FUNCTIONS = new Set(['torch.transpose', 'torch.permute', 'numpy.transpose', 'numpy.swapaxes', 'jax.numpy.transpose', 'tensorflow.transpose']);

/** Elements of the tensor an expression evaluates to, when its shape is known. */
export type SizeOf = (node: PyNode) => bigint | null;

export function analyzeFlow(sites: FlowSite[], resolver: NameResolver, constants: ConstantEvaluator, sizeOf: SizeOf): FlowFacts {
  return new FlowAnalysis(sites, resolver, constants, sizeOf).run();
}

/** A scope's facts about one name, indexed once per analysis: every query is then logarithmic or constant. */
interface NameIndex {
  /** Binding statements, by start. */
  bindings: SortedByOffset<Binding>;
  /** Reads in the scope itself, by start. */
  uses: SortedByOffset<PyNode>;
  /** Reads in the scope and in nested scopes that do not bind the name again. */
  usesWithNested: number;
}

class FlowAnalysis {
  private readonly siteByNode = new Map<PyNode, FlowSite>();
  private readonly names = new Map<Scope, Map<string, NameIndex>>();
  private readonly statementIndex = new Map<PyNode, Map<PyNode, number>>();

  constructor(
    private readonly sites: FlowSite[],
    private readonly resolver: NameResolver,
    private readonly constants: ConstantEvaluator,
    private readonly sizeOf: SizeOf,
  ) {
    for (const site of sites) this.siteByNode.set(site.node, site);
  }

  private get source(): string {
    return this.resolver.source;
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
  private link(consumer: FlowSite, operand: PyNode, index: number): ChainLink | null {
    const node = unwrap(operand);
    const inline = this.siteByNode.get(node);
    if (inline) return this.fusable(inline, consumer) ? { producer: inline.id, consumer: consumer.id, operand: index, name: null, statementRange: null } : null;
    if (node.type !== 'identifier') return null;
    const binding = this.singleUseBinding(node);
    const value = binding?.value ? unwrap(binding.value) : null;
    const producer = value ? this.siteByNode.get(value) : undefined;
    if (!binding || !producer || !this.fusable(producer, consumer) || !this.plainAssignment(binding)) return null;
    const consumerStatement = statementOf(consumer.node);
    if (!consumerStatement || consumerStatement.parent !== binding.statement.parent) return null;
    if (!this.operandsStable(producer, binding.statement, consumerStatement)) return null;
    const statementRange = { start: binding.statement.start, end: binding.statement.end };
    return { producer: producer.id, consumer: consumer.id, operand: index, name: binding.name, statementRange };
  }

  private fusable(producer: FlowSite, consumer: FlowSite): boolean {
    return producer.kind === 'einsum' && producer.static && producer.library === consumer.library;
  }

  /**
   * The binding of a name read exactly once: bound once (never reassigned, augmented or
   * deleted), read only here and in the same scope (not returned, captured or read twice).
   */
  private singleUseBinding(node: PyNode): Binding | null {
    const binding = this.resolver.resolveUnique(node);
    if (!binding || binding.kind !== 'assign' || !binding.value) return null;
    if (this.resolver.scopeAt(node) !== binding.scope) return null;
    return this.indexOf(binding.scope, binding.name).usesWithNested === 1 ? binding : null;
  }

  private indexOf(scope: Scope, name: string): NameIndex {
    const byName = memoized(this.names, scope, () => new Map<string, NameIndex>());
    return memoized(byName, name, () => ({
      bindings: new SortedByOffset(scope.bindings.get(name) ?? [], (b) => b.statement.start),
      uses: new SortedByOffset(scope.uses.get(name) ?? [], (use) => use.start),
      usesWithNested: countUses(scope, name),
    }));
  }

  /** `h = einsum(...)` as a statement of its own, one target. */
  private plainAssignment(binding: Binding): boolean {
    const assignment = binding.statement.children[0];
    return (
      binding.statement.type === 'expression_statement' &&
      assignment?.type === 'assignment' &&
      field(assignment, 'left') === binding.node &&
      field(assignment, 'right')?.type !== 'assignment'
    );
  }

  /** No operand of the producer is rebound or mutated in place between the two statements. */
  private operandsStable(producer: FlowSite, from: PyNode, to: PyNode): boolean {
    const names = new Set<string>();
    for (const operand of producer.operandNodes) {
      walk(operand, (n) => {
        if (n.type === 'identifier') names.add(textOf(this.source, n));
      });
    }
    const scope = this.resolver.scopeAt(from);
    for (const name of names) {
      const { bindings, uses } = this.indexOf(scope, name);
      if (bindings.between(from.end, to.start).length > 0) return false;
      if (uses.between(from.end, to.start).some((use) => mutates(use, this.source))) return false;
    }
    return true;
  }

  private operandFactors(site: FlowSite): ScalarFactor[] {
    const factors: ScalarFactor[] = [];
    site.operandNodes.forEach((operand, index) => this.traceOperand(operand, { kind: 'operand', index }, false, factors, 0));
    return factors;
  }

  /**
   * Walks from an operand towards where its value is made, collecting scalar factors: through
   * products with constants, transposes, names read once, and into the inputs of a matrix
   * product or tensordot (a scalar commutes with all of them). Factors found inside such a
   * product are `nestedIn` the tensor they scale.
   */
  private traceOperand(start: PyNode, target: ScalarTarget, nested: boolean, factors: ScalarFactor[], depth: number): void {
    let current: PyNode | null = unwrap(start);
    for (let guard = 0; current && guard < 32; guard++) {
      const scaled = this.scaling(current);
      if (scaled) {
        const tensor = unwrap(scaled.tensor);
        const nestedIn = nested ? { text: textOf(this.source, tensor), range: rangeOf(tensor), elements: this.sizeOf(tensor) } : undefined;
        factors.push({ ...scaled.factor, appliedTo: target, ...(nestedIn ? { nestedIn } : {}) });
        current = tensor;
        continue;
      }
      const through = this.commutingInput(current);
      if (through) {
        current = unwrap(through);
        continue;
      }
      const inputs = depth < 4 ? this.productInputs(current) : null;
      if (inputs) {
        for (const input of inputs) this.traceOperand(input, target, true, factors, depth + 1);
        return;
      }
      current = current.type === 'identifier' ? this.tracedName(current, factors, target) : null;
    }
  }

  /** The two inputs of a product that is not a site itself: `a @ b`, `torch.matmul(a, b)`, `np.tensordot(a, b, …)`, `a.mm(b)`. */
  private productInputs(node: PyNode): PyNode[] | null {
    if (this.siteByNode.has(node)) return null;
    if (binaryOperator(node) === '@') return [field(node, 'left')!, field(node, 'right')!];
    if (node.type !== 'call') return null;
    const callee = field(node, 'function');
    const args = namedChildren(field(node, 'arguments') ?? node).filter((a) => a.type !== 'keyword_argument');
    const qualified = this.resolver.qualifiedName(callee);
    if (qualified && PRODUCT_FUNCTIONS.has(qualified) && args.length >= 2) return args.slice(0, 2);
    const object = callee?.type === 'attribute' ? field(callee, 'object') : null;
    if (!qualified && object && PRODUCT_METHODS.has(this.attributeName(callee!)) && args.length === 1) return [object, args[0]];
    return null;
  }

  /** Follows a name to its value (`qs = q * c`) or through `q *= c`, when this is its only reader. */
  private tracedName(node: PyNode, factors: ScalarFactor[], target: ScalarTarget): PyNode | null {
    const binding = this.resolver.resolve(node);
    if (!binding || this.resolver.scopeAt(node) !== binding.scope) return null;
    if (binding.kind === 'augmented') {
      const factor = this.augmentedFactor(binding.statement, binding.name);
      const laterUses = this.indexOf(binding.scope, binding.name).uses.countFrom(binding.statement.end);
      if (!factor || laterUses !== 1) return null;
      factors.push({ ...factor, appliedTo: target });
      return null;
    }
    const single = this.singleUseBinding(node);
    return single?.value ? unwrap(single.value) : null;
  }

  private outputFactors(site: FlowSite): ScalarFactor[] {
    const factors: ScalarFactor[] = [];
    const target: ScalarTarget = { kind: 'output' };
    let current = site.node;
    for (let guard = 0; guard < 32; guard++) {
      const enclosing = this.enclosingOperation(current);
      if (!enclosing) break;
      const scaled = this.scaling(enclosing);
      if (scaled && unwrap(scaled.tensor) === current) {
        factors.push({ ...scaled.factor, appliedTo: target });
      } else {
        const through = this.commutingInput(enclosing);
        if (!through || unwrap(through) !== current) break;
      }
      current = enclosing;
    }
    factors.push(...this.followingAugmented(current, target));
    return factors;
  }

  /** The operation `node` is an input of: `node * c`, `f(node, …)`, `node.mul(c)`, `node.T`. */
  private enclosingOperation(node: PyNode): PyNode | null {
    const { parent, child } = parentSkippingParens(node);
    if (!parent) return null;
    if (parent.type === 'argument_list') return parent.parent?.type === 'call' ? parent.parent : null;
    if (parent.type === 'attribute' && field(parent, 'object') === child) {
      const call = parent.parent;
      return call?.type === 'call' && field(call, 'function') === parent ? call : parent;
    }
    return parent.type === 'binary_operator' ? parent : null;
  }

  /** `y = einsum(...)` followed by `y *= c` / `y /= c` (before anything else reads y). */
  private followingAugmented(value: PyNode, target: ScalarTarget): ScalarFactor[] {
    const { parent } = parentSkippingParens(value);
    const statement = parent?.type === 'assignment' ? parent.parent : null;
    const left = parent ? field(parent, 'left') : null;
    if (!statement || statement.type !== 'expression_statement' || left?.type !== 'identifier') return [];
    const name = textOf(this.source, left);
    const siblings = statement.parent?.children ?? [];
    const factors: ScalarFactor[] = [];
    for (let at = this.positionAmongSiblings(statement) + 1; at < siblings.length; at++) {
      const next = siblings[at];
      if (next.type === 'comment') continue;
      const factor = this.augmentedFactor(next, name);
      if (!factor) break;
      factors.push({ ...factor, appliedTo: target });
    }
    return factors;
  }

  /** Where a statement stands in its block, without a scan of the block per question. */
  private positionAmongSiblings(statement: PyNode): number {
    const parent = statement.parent;
    if (!parent) return -1;
    const positions = memoized(this.statementIndex, parent, () => new Map(parent.children.map((child, i) => [child, i])));
    return positions.get(statement) ?? -1;
  }

  /** `name *= c` or `name /= c` with a constant c. */
  private augmentedFactor(statement: PyNode, name: string): Omit<ScalarFactor, 'appliedTo'> | null {
    const augmented = statement.type === 'expression_statement' ? statement.children[0] : null;
    if (augmented?.type !== 'augmented_assignment') return null;
    const left = field(augmented, 'left');
    const right = field(augmented, 'right');
    const op = field(augmented, 'operator')?.type;
    if (!left || !right || textOf(this.source, left) !== name || (op !== '*=' && op !== '/=')) return null;
    return this.factor(right, op === '*=' ? 'multiply' : 'divide', statement);
  }

  /** `x * c`, `c * x`, `x / c`, `torch.mul(x, c)`, `x.div(c)`: the tensor and the factor. */
  private scaling(node: PyNode): { tensor: PyNode; factor: Omit<ScalarFactor, 'appliedTo'> } | null {
    const op = binaryOperator(node);
    if (op === '*' || op === '/') {
      const left = field(node, 'left')!;
      const right = field(node, 'right')!;
      const onRight = this.factor(right, op === '*' ? 'multiply' : 'divide', node);
      if (onRight && !this.isConstant(left)) return { tensor: left, factor: onRight };
      const onLeft = op === '*' ? this.factor(left, 'multiply', node) : null;
      return onLeft && !this.isConstant(right) ? { tensor: right, factor: onLeft } : null;
    }
    if (node.type !== 'call') return null;
    const callee = field(node, 'function');
    const args = namedChildren(field(node, 'arguments') ?? node).filter((a) => a.type !== 'keyword_argument');
    const qualified = this.resolver.qualifiedName(callee);
    const scaleFunction = qualified ? SCALE_FUNCTIONS.get(qualified) : undefined;
    if (scaleFunction && args.length === 2) {
      const factor = this.factor(args[1], scaleFunction, node);
      return factor ? { tensor: args[0], factor } : null;
    }
    if (!qualified && callee?.type === 'attribute' && args.length === 1) {
      const method = this.attributeName(callee);
      const operation = SCALE_METHODS.get(method);
      const factor = operation ? this.factor(args[0], operation, node) : null;
      const object = field(callee, 'object');
      return factor && object ? { tensor: object, factor } : null;
    }
    return null;
  }

  /** The tensor input of a transpose-like operation, which a scalar passes through. */
  private commutingInput(node: PyNode): PyNode | null {
    if (node.type === 'attribute') return COMMUTING_ATTRIBUTES.has(this.attributeName(node)) ? field(node, 'object') : null;
    if (node.type !== 'call') return null;
    const callee = field(node, 'function');
    const qualified = this.resolver.qualifiedName(callee);
    const args = namedChildren(field(node, 'arguments') ?? node).filter((a) => a.type !== 'keyword_argument');
    if (qualified && COMMUTING_FUNCTIONS.has(qualified)) return args[0] ?? null;
    if (!qualified && callee?.type === 'attribute' && COMMUTING_METHODS.has(this.attributeName(callee))) return field(callee, 'object');
    return null;
  }

  private factor(node: PyNode, operation: 'multiply' | 'divide', application: PyNode): Omit<ScalarFactor, 'appliedTo'> | null {
    const value = this.constants.evaluate(node)?.value;
    if (value === undefined || value === 0) return null;
    return { value, text: textOf(this.source, node), range: rangeOf(node), applicationRange: rangeOf(application), operation };
  }

  private isConstant(node: PyNode): boolean {
    return this.constants.evaluate(node) !== null;
  }

  private attributeName(node: PyNode): string {
    const attribute = field(node, 'attribute');
    return attribute ? textOf(this.source, attribute) : '';
  }
}

/** Reads of `name` in `scope` and in nested scopes that do not bind it again. */
function countUses(scope: Scope, name: string): number {
  let count = 0;
  const pending = [scope];
  while (pending.length > 0) {
    const current = pending.pop()!;
    count += current.uses.get(name)?.length ?? 0;
    for (const child of current.children) if (!child.bindings.has(name)) pending.push(child);
  }
  return count;
}

function rangeOf(node: PyNode): SourceRange {
  return { start: node.start, end: node.end };
}

/** The statement directly inside a block (or the module) that contains `node`. */
export function statementOf(node: PyNode): PyNode | null {
  let current: PyNode | null = node;
  while (current?.parent && current.parent.type !== 'block' && current.parent.type !== 'module') current = current.parent;
  return current?.parent ? current : null;
}

/** A read that changes the value in place: `x[i] = …`, `x += …`, `x.add_(…)`. */
function mutates(use: PyNode, source: string): boolean {
  const parent = use.parent;
  if (!parent) return false;
  if (parent.type === 'augmented_assignment' && field(parent, 'left') === use) return true;
  if (parent.type === 'subscript' && parent.parent?.type === 'assignment' && field(parent.parent, 'left') === parent) return true;
  if (parent.type === 'attribute' && parent.parent?.type === 'call') {
    const method = field(parent, 'attribute');
    return method !== null && textOf(source, method).endsWith('_');
  }
  return false;
}
