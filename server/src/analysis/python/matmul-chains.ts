/**
 * Matrix-product chains of three or more operands: `A @ B @ v`, nested `torch.matmul` /
 * `np.matmul` / `np.dot` / `torch.mm` / `torch.bmm`, and `.matmul()` / `.dot()` methods. A
 * constant factor on a product inside the chain (`A @ B / 2 @ v`) does not end it: a scalar
 * commutes with matrix products, so the chain is still one contraction.
 */
import type { Library, MatmulTree } from '../model';
import { MATMUL_METHODS, isMatmulFunction } from './callees';
import { libraryOf } from './constructors';
import type { NameResolver } from './resolve';
import { binaryOperator, field, namedChildren, textOf, unwrap, type PyNode } from './syntax';

export interface MatmulChain {
  root: PyNode;
  leaves: PyNode[];
  tree: MatmulTree;
  /** `@`, or the function as written (`torch.matmul`, `.dot`). */
  callee: string;
  calleeRange: { start: number; end: number };
  qualifiedName: string;
  /** Library named by the functions used; null for `@` and methods. */
  library: Library | null;
  /** Constant factors applied to products inside the chain (`(A @ B) / 2`), outermost first. */
  scalings: PyNode[];
}

interface Product {
  left: PyNode;
  right: PyNode;
  qualified: string | null;
}

/** The tensor side of `x * c`, `c * x` or `x / c` with a constant c; null for anything else. */
export type ScaledTensor = (node: PyNode) => PyNode | null;

export function findMatmulChains(candidates: PyNode[], resolver: NameResolver, scaledTensor: ScaledTensor): MatmulChain[] {
  const products = new Map<PyNode, Product>();
  for (const node of candidates) {
    const product = productOf(node, resolver);
    if (product) products.set(node, product);
  }
  // Through constant factors, to the product they scale (when it is one).
  const throughScalings = (node: PyNode, scalings: PyNode[] | null = null): PyNode => {
    let current = unwrap(node);
    for (let tensor = scaledTensor(current); tensor && products.has(unwrap(tensor)); tensor = scaledTensor(current)) {
      scalings?.push(current);
      current = unwrap(tensor);
    }
    return current;
  };
  // A product that is an operand of another product is part of that chain, not a root.
  const inner = new Set<PyNode>();
  for (const { left, right } of products.values()) {
    inner.add(throughScalings(left));
    inner.add(throughScalings(right));
  }
  const chains: MatmulChain[] = [];
  for (const [root, product] of products) {
    if (inner.has(root)) continue;
    const leaves: PyNode[] = [];
    const scalings: PyNode[] = [];
    let qualified: string | null = null;
    const expand = (node: PyNode): MatmulTree => {
      const p = products.get(throughScalings(node, scalings));
      if (!p) return leaves.push(node) - 1;
      qualified ??= p.qualified;
      return [expand(p.left), expand(p.right)];
    };
    const tree = expand(root);
    if (leaves.length < 3) continue;
    chains.push({
      root,
      leaves,
      tree,
      ...calleeOf(root, product, resolver.source),
      qualifiedName: qualified ?? (root.type === 'binary_operator' ? 'operator.matmul' : 'matmul'),
      library: qualified ? libraryOf(qualified) : null,
      scalings,
    });
  }
  return chains.sort((a, b) => a.root.start - b.root.start);
}

function productOf(node: PyNode, resolver: NameResolver): Product | null {
  if (binaryOperator(node) === '@') {
    const left = field(node, 'left');
    const right = field(node, 'right');
    return left && right ? { left, right, qualified: null } : null;
  }
  if (node.type !== 'call') return null;
  const callee = field(node, 'function');
  if (!callee || !resolver.couldName(callee, MATMUL_METHODS)) return null;
  const args = field(node, 'arguments');
  if (!args || args.type !== 'argument_list') return null;
  const all = namedChildren(args);
  if (all.some((a) => a.type !== 'keyword_argument' && a.type.endsWith('splat'))) return null;
  const positional = all.filter((a) => a.type !== 'keyword_argument');
  const qualified = resolver.qualifiedName(callee);
  if (isMatmulFunction(qualified) && positional.length === 2) return { left: positional[0], right: positional[1], qualified };
  if (qualified === null && callee.type === 'attribute' && positional.length === 1) {
    const method = field(callee, 'attribute');
    const object = field(callee, 'object');
    if (method && object && MATMUL_METHODS.has(textOf(resolver.source, method))) {
      return { left: object, right: positional[0], qualified: null };
    }
  }
  return null;
}

function calleeOf(root: PyNode, product: Product, source: string): { callee: string; calleeRange: { start: number; end: number } } {
  if (root.type === 'binary_operator') {
    const op = field(root, 'operator')!;
    return { callee: '@', calleeRange: { start: op.start, end: op.end } };
  }
  const callee = field(root, 'function')!;
  if (product.qualified) return { callee: textOf(source, callee), calleeRange: { start: callee.start, end: callee.end } };
  const method = field(callee, 'attribute')!;
  return { callee: `.${textOf(source, method)}`, calleeRange: { start: method.start, end: method.end } };
}
