/**
 * Data flow between statements, as opt_einsum_fx does on torch.fx graphs but on source:
 * einsums whose result only feeds another einsum (chains that can be fused into one
 * contraction), and constant scalar factors around contractions (which commute with them,
 * so they can be applied to the smallest tensor involved).
 */
import { nameTable } from '../../core/name-table';
import type { ChainLink, FlowFacts, Library, ScalarFactor, ScalarTarget, SourceRange, Unsafe } from '../model';
import { SortedByOffset, memoized } from '../sorted-offsets';
import type { ConstantEvaluator } from './constants';
import type { MutationAnalysis } from './mutation';
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
  /** For a matrix chain: constant factors on products inside it (`(A @ B) / 2`). */
  scalings?: PyNode[];
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

export function analyzeFlow(sites: FlowSite[], resolver: NameResolver, constants: ConstantEvaluator, sizeOf: SizeOf, mutation: MutationAnalysis): FlowFacts {
  return new FlowAnalysis(sites, resolver, constants, sizeOf, mutation).run();
}

/** A link before its check: the code that runs between the producer's contraction and the consumer's. */
interface PendingLink {
  link: ChainLink;
  region: PyNode[];
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
  /** Dotted names of callees: tracing an operand asks each of `scaling`, `commutingInput` and `productInputs`. */
  private readonly qualifiedNames = new Map<PyNode, string | null>();

  constructor(
    private readonly sites: FlowSite[],
    private readonly resolver: NameResolver,
    private readonly constants: ConstantEvaluator,
    private readonly sizeOf: SizeOf,
    private readonly mutation: MutationAnalysis,
  ) {
    for (const site of sites) this.siteByNode.set(site.node, site);
  }

  private get source(): string {
    return this.resolver.source;
  }

  run(): FlowFacts {
    const pending: PendingLink[] = [];
    const scalars = new Map<number, ScalarFactor[]>();
    for (const site of this.sites) {
      if (site.kind === 'einsum' && site.static) {
        site.operandNodes.forEach((operand, index) => {
          const link = this.link(site, operand, index);
          if (link) pending.push(link);
        });
      }
      const factors = [...this.operandFactors(site), ...this.innerFactors(site), ...this.outputFactors(site)];
      if (factors.length > 0) scalars.set(site.id, factors);
    }
    const feeders = new Map<number, PendingLink[]>();
    for (const p of pending) {
      const list = feeders.get(p.link.consumer);
      if (list) list.push(p);
      else feeders.set(p.link.consumer, [p]);
    }
    return { links: pending.map((p) => this.checked(p, feeders)), scalars };
  }

  /**
   * Fusing reads the producer's operands, and those of every einsum feeding it, at the
   * consumer: nothing in between may change them.
   */
  private checked({ link, region }: PendingLink, feeders: ReadonlyMap<number, readonly PendingLink[]>): ChainLink {
    const reads: PyNode[] = [];
    const gather = (producer: number) => {
      for (const operand of this.sites[producer].operandNodes) reads.push(operand);
      for (const feeding of feeders.get(producer) ?? []) gather(feeding.link.producer);
    };
    gather(link.producer);
    const blocker = this.mutation.blockerBetween(reads, region, this.sites[link.consumer].node);
    return blocker ? { ...link, blocked: blocker } : link;
  }

  /** The einsum producing this operand, when its result is used here and nowhere else. */
  private link(consumer: FlowSite, operand: PyNode, index: number): PendingLink | null {
    const node = unwrap(operand);
    const inline = this.siteByNode.get(node);
    if (inline) {
      if (!this.fusable(inline, consumer)) return null;
      // The consumer's later operands run after the nested call and before the fused contraction.
      const link = { producer: inline.id, consumer: consumer.id, operand: index, name: null, statementRange: null };
      return { link, region: consumer.operandNodes.slice(index + 1) };
    }
    if (node.type !== 'identifier') return null;
    const binding = this.singleUseBinding(node);
    // `h = einsum(x, y) / 3.0`: the factor goes with the fusion, onto the smallest tensor of the fused contraction.
    const { produced, factors } = this.peelScalars(binding?.value ? unwrap(binding.value) : null);
    const producer = produced ? this.siteByNode.get(produced) : undefined;
    if (!binding || !producer || !this.fusable(producer, consumer) || !this.plainAssignment(binding)) return null;
    const consumerStatement = statementOf(consumer.node);
    // The producer dominates the consumer: the same block, before it (not a value from the loop's last turn).
    if (!consumerStatement || consumerStatement.parent !== binding.statement.parent || binding.statement.end > consumerStatement.start) return null;
    const between = consumerStatement.parent!.children.slice(this.positionAmongSiblings(binding.statement) + 1, this.positionAmongSiblings(consumerStatement));
    const region = [...between, ...evaluatedBefore(consumer.node, consumerStatement), ...consumer.operandNodes.filter((o) => o !== operand)];
    const statementRange = { start: binding.statement.start, end: binding.statement.end };
    const link: ChainLink = { producer: producer.id, consumer: consumer.id, operand: index, name: binding.name, statementRange };
    return { link: factors.length > 0 ? { ...link, factors } : link, region };
  }

  /** The expression under constant factors (`einsum(...) / 3.0 * 2`), and the factors, on its result. */
  private peelScalars(value: PyNode | null): { produced: PyNode | null; factors: ScalarFactor[] } {
    const factors: ScalarFactor[] = [];
    let node = value;
    let scaled = node ? this.scaling(node) : null;
    while (node && scaled) {
      factors.push({ ...scaled.factor, appliedTo: { kind: 'output' } });
      node = unwrap(scaled.tensor);
      scaled = this.scaling(node);
    }
    return { produced: node, factors };
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

  /** Factors inside a matrix chain scale one of its intermediates: they reach the result through the products after them. */
  private innerFactors(site: FlowSite): ScalarFactor[] {
    return (site.scalings ?? []).flatMap((application) => {
      const scaled = this.scaling(application);
      if (!scaled) return [];
      const tensor = unwrap(scaled.tensor);
      const nestedIn = { text: textOf(this.source, tensor), range: rangeOf(tensor), elements: this.sizeOf(tensor) };
      return [{ ...scaled.factor, appliedTo: { kind: 'output' as const }, nestedIn }];
    });
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
    // The name whose value is being traced (`qs` of `qs = q * c`) and where it is read.
    let via: { statement: PyNode; use: PyNode } | null = null;
    for (let guard = 0; current && guard < 32; guard++) {
      const scaled = this.scaling(current);
      if (scaled) {
        const tensor = unwrap(scaled.tensor);
        const nestedIn = nested ? { text: textOf(this.source, tensor), range: rangeOf(tensor), elements: this.sizeOf(tensor) } : undefined;
        const unsafe = via ? this.aliasAfterFold(tensor, via.statement, via.use) : null;
        factors.push({ ...scaled.factor, appliedTo: target, ...(nestedIn ? { nestedIn } : {}), ...(unsafe ? { unsafe } : {}) });
        current = tensor;
        via = null;
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
      if (current.type !== 'identifier') return;
      const use: PyNode = current;
      current = this.tracedName(current, factors, target);
      const binding = current ? this.resolver.resolve(use) : null;
      via = binding ? { statement: binding.statement, use } : null;
    }
  }

  /**
   * Folding `qs = q * c` leaves `qs = q`: qs then shares q's object, so anything that writes q
   * before qs is read would now change qs too.
   */
  private aliasAfterFold(tensor: PyNode, statement: PyNode, use: PyNode): Unsafe | null {
    if (!this.mutation.pathOf(tensor)) return null;
    const useStatement = statementOf(use);
    const name = textOf(this.source, use);
    if (!useStatement || useStatement.parent !== statement.parent) {
      return { reason: `\`${name}\` is computed in another block than it is used: folding would make it an alias of \`${textOf(this.source, tensor)}\``, at: rangeOf(statement) };
    }
    const between = statement.parent!.children.slice(this.positionAmongSiblings(statement) + 1, this.positionAmongSiblings(useStatement));
    const blocker = this.mutation.blockerBetween([tensor], [...between, ...evaluatedBefore(use, useStatement)], use);
    return blocker ? { reason: `folding makes \`${name}\` an alias, and ${blocker.reason}`, at: blocker.at } : null;
  }

  /** The two inputs of a product that is not a site itself: `a @ b`, `torch.matmul(a, b)`, `np.tensordot(a, b, …)`, `a.mm(b)`. */
  private productInputs(node: PyNode): PyNode[] | null {
    if (this.siteByNode.has(node)) return null;
    if (binaryOperator(node) === '@') return [field(node, 'left')!, field(node, 'right')!];
    if (node.type !== 'call') return null;
    const callee = field(node, 'function');
    const args = namedChildren(field(node, 'arguments') ?? node).filter((a) => a.type !== 'keyword_argument');
    const qualified = this.qualifiedName(callee);
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
      // Deleting `q *= c` leaves q unscaled for every other holder of its object.
      const unsafe = this.mutation.privateObject(node)
        ? null
        : { reason: `\`${textOf(this.source, binding.statement)}\` scales \`${binding.name}\` in place, where other code may see it`, at: rangeOf(binding.statement) };
      factors.push({ ...factor, appliedTo: target, ...(unsafe ? { unsafe } : {}) });
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

  private qualifiedName(callee: PyNode | null): string | null {
    if (!callee) return null;
    let qualified = this.qualifiedNames.get(callee);
    if (qualified === undefined) {
      qualified = this.resolver.qualifiedName(callee);
      this.qualifiedNames.set(callee, qualified);
    }
    return qualified;
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
    const args = namedChildren(field(node, 'arguments') ?? node);
    // `torch.mul(W, 2, out=W)` writes W: not a product that can move.
    if (args.some((a) => a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
    const qualified = this.qualifiedName(callee);
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
    const qualified = this.qualifiedName(callee);
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

/**
 * What a statement evaluates before `node` (which it contains): earlier operands and
 * arguments, an augmented target, a condition; not the targets of an assignment, which run after.
 */
function evaluatedBefore(node: PyNode, statement: PyNode): PyNode[] {
  const before: PyNode[] = [];
  let child = node;
  for (let parent = node.parent; parent && child !== statement; child = parent, parent = parent.parent) {
    if (parent.type === 'assignment' || parent.type === 'block') continue;
    if (parent.type === 'conditional_expression') {
      // `a if c else b`: c runs first.
      const [, condition] = namedChildren(parent);
      if (condition && condition !== child) before.push(condition);
      continue;
    }
    for (const sibling of namedChildren(parent)) if (sibling.end <= child.start) before.push(sibling);
  }
  return before;
}
