/**
 * What the code around a call says about how it runs, for the findings' severity and rules:
 * inside `pytest.raises(...)` / `self.assertRaises(...)` an error is the point of the test;
 * inside a function that builds a torch.fx graph, or one compiled by `torch.jit.script`,
 * `torch.compile`, `jax.jit` or `tf.function`, an einsum runs once while the graph is built or
 * traced, not at every call.
 */
import type { NameResolver } from './resolve';
import { field, namedChildren, textOf, type PyNode } from './syntax';

/** Context managers that expect the block to raise. */
const RAISES = new Set(['pytest.raises', 'numpy.testing.assert_raises', 'numpy.testing.assert_raises_regex', 'unittest.TestCase.assertRaises']);
/** unittest's methods, called on `self` (any receiver: the name is what says it). */
const RAISES_METHODS = new Set(['assertRaises', 'assertRaisesRegex', 'assertRaisesRegexp']);

/** Decorators under which the function body is compiled or traced, with what they do. */
const TRACING_DECORATORS = new Map([
  ['torch.jit.script', 'compiled by torch.jit.script'],
  ['torch.jit.trace', 'traced by torch.jit.trace'],
  ['torch.compile', 'compiled by torch.compile'],
  ['torch.fx.wrap', 'a torch.fx leaf function'],
  ['jax.jit', 'traced by jax.jit'],
  ['jax.pmap', 'traced by jax.pmap'],
  ['tensorflow.function', 'traced by tf.function'],
  ['flax.linen.jit', 'traced by flax.linen.jit'],
  ['flax.nnx.jit', 'traced by nnx.jit'],
]);

/** Constructors of a torch.fx graph under construction: einsums on their proxies only record nodes. */
const FX_BUILDERS = new Set([
  'torch.fx.Graph',
  'torch.fx.Proxy',
  'torch.fx.GraphModule',
  'torch.fx.Tracer',
  'torch.fx.symbolic_trace',
  'torch.fx.proxy.Proxy',
  'torch.fx.proxy.GraphAppendingTracer',
  'torch.fx.graph.Graph',
]);

/** The last part of each name in FX_BUILDERS: only a call that could name one is resolved. */
const FX_BUILDER_NAMES = new Set([...FX_BUILDERS].map((name) => name.slice(name.lastIndexOf('.') + 1)));

const BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition']);

export class CallContext {
  private readonly tracing = new Map<PyNode, string | null>();

  constructor(private readonly resolver: NameResolver) {}

  /** Inside the body of a `with` whose context manager expects an exception, in the same function. */
  expectsError(node: PyNode): boolean {
    let child = node;
    for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
      if (BOUNDARIES.has(parent.type)) return false;
      if (parent.type === 'with_statement' && child.field === 'body' && this.raisingManager(parent)) return true;
    }
    return false;
  }

  /** Why the enclosing function (or one around it) runs the call only while tracing; null when it does not. */
  traced(node: PyNode): string | null {
    for (let parent = node.parent; parent; parent = parent.parent) {
      if (parent.type !== 'function_definition') continue;
      let reason = this.tracing.get(parent);
      if (reason === undefined) {
        reason = this.tracingOf(parent);
        this.tracing.set(parent, reason);
      }
      if (reason) return reason;
    }
    return null;
  }

  private raisingManager(statement: PyNode): boolean {
    const clause = statement.children.find((c) => c.type === 'with_clause');
    for (const item of clause ? namedChildren(clause) : []) {
      let value = field(item, 'value');
      if (value?.type === 'as_pattern') value = value.children.find((c) => c.named && c.field !== 'alias') ?? null;
      if (value?.type !== 'call') continue;
      const callee = field(value, 'function');
      if (RAISES.has(this.resolver.qualifiedName(callee) ?? '')) return true;
      const method = callee?.type === 'attribute' ? field(callee, 'attribute') : null;
      if (method && RAISES_METHODS.has(textOf(this.resolver.source, method))) return true;
    }
    return false;
  }

  private tracingOf(definition: PyNode): string | null {
    const decorated = definition.parent?.type === 'decorated_definition' ? definition.parent : null;
    for (const decorator of decorated ? decorated.children.filter((c) => c.type === 'decorator') : []) {
      const reason = this.decoratorReason(decorator.children.find((c) => c.named) ?? null);
      if (reason) return reason;
    }
    const body = field(definition, 'body');
    return body && this.buildsFxGraph(body) ? 'builds a torch.fx graph (einsums on its proxies record nodes)' : null;
  }

  /** `@jax.jit`, `@torch.compile(mode=...)`, `@functools.partial(jax.jit, static_argnums=0)`. */
  private decoratorReason(expression: PyNode | null): string | null {
    if (!expression) return null;
    if (expression.type === 'call') {
      const callee = field(expression, 'function');
      const name = this.resolver.qualifiedName(callee);
      if (name === 'functools.partial') {
        const args = field(expression, 'arguments');
        return this.decoratorReason(args ? (namedChildren(args)[0] ?? null) : null);
      }
      return this.decoratorReason(callee);
    }
    return TRACING_DECORATORS.get(this.resolver.qualifiedName(expression) ?? '') ?? null;
  }

  /**
   * Whether the module's text could name an fx graph builder at all. A qualified name is made
   * of the module's own text (imports, star imports, loader strings, attributes), so without
   * `torch` and a builder's last name in it no callee resolves to one, and the walk of every
   * function holding a site (most of the cost of a module that never imports torch) is skipped.
   */
  private mayBuildFx: boolean | null = null;

  /** A call in the function's own body (not nested functions) that constructs fx graph objects. */
  private buildsFxGraph(body: PyNode): boolean {
    const source = this.resolver.source;
    this.mayBuildFx ??= source.includes('torch') && [...FX_BUILDER_NAMES].some((name) => source.includes(name));
    if (!this.mayBuildFx) return false;
    const stack = [...body.children];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (BOUNDARIES.has(node.type)) continue;
      if (node.type === 'call') {
        // Resolving every callee of every function holding a site was most of this walk's cost.
        const callee = field(node, 'function');
        if (this.resolver.couldName(callee, FX_BUILDER_NAMES) && FX_BUILDERS.has(this.resolver.qualifiedName(callee) ?? '')) return true;
      }
      for (const child of node.children) stack.push(child);
    }
    return false;
  }
}
