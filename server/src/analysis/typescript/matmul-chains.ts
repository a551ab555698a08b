/**
 * Matrix-product chains of three or more operands in tfjs: nested `tf.matMul` / `tf.dot`
 * calls and `.matMul()` / `.dot()` methods, in any mix (`tf.matMul(a.matMul(b), c)`).
 */
import ts from 'typescript';
import type { MatmulTree, SourceRange } from '../model';
import { MATMUL_OPS, tfjsOp } from './callees';
import { memberName, skipOuter, type NameResolver } from './names';
import { rangeOf } from './sites';

export interface MatmulChain {
  root: ts.CallExpression;
  leaves: ts.Expression[];
  tree: MatmulTree;
  /** The function as written (`tf.matMul`), or the method (`.matMul`). */
  callee: string;
  calleeRange: SourceRange;
  qualifiedName: string;
}

interface Product {
  left: ts.Expression;
  right: ts.Expression;
  /** `tf.matMul` / `tf.dot` when called as a function; null for a method. */
  op: string | null;
}

/**
 * `tensorMethods`: whether `.matMul()` on a value of unknown origin is a tfjs tensor method
 * (the file imports tfjs); functions are recognised by their import either way.
 */
export function findMatmulChains(calls: readonly ts.CallExpression[], names: NameResolver, tensorMethods: boolean): MatmulChain[] {
  const products = new Map<ts.Node, Product>();
  for (const call of calls) {
    const product = productOf(call, names, tensorMethods);
    if (product) products.set(call, product);
  }
  const inner = new Set<ts.Node>();
  for (const { left, right } of products.values()) {
    inner.add(skipOuter(left));
    inner.add(skipOuter(right));
  }
  const chains: MatmulChain[] = [];
  const sourceFile = names.sourceFile;
  for (const [root, product] of products) {
    if (inner.has(root)) continue;
    const leaves: ts.Expression[] = [];
    let op: string | null = null;
    const expand = (node: ts.Expression): MatmulTree => {
      const p = products.get(skipOuter(node));
      if (!p) return leaves.push(node) - 1;
      op ??= p.op;
      return [expand(p.left), expand(p.right)];
    };
    const tree = expand(root as ts.CallExpression);
    if (leaves.length < 3) continue;
    const call = root as ts.CallExpression;
    const callee = skipOuter(call.expression);
    const method = product.op === null && ts.isPropertyAccessExpression(callee);
    const calleeNode = method ? (callee as ts.PropertyAccessExpression).name : callee;
    chains.push({
      root: call,
      leaves,
      tree,
      callee: method ? `.${calleeNode.getText(sourceFile)}` : calleeNode.getText(sourceFile),
      calleeRange: rangeOf(calleeNode, sourceFile),
      qualifiedName: `tf.${op ?? (calleeNode as ts.Identifier).text}`,
    });
  }
  return chains.sort((a, b) => a.root.pos - b.root.pos);
}

function productOf(call: ts.CallExpression, names: NameResolver, tensorMethods: boolean): Product | null {
  const args = call.arguments;
  const callee = skipOuter(call.expression);
  const member = memberName(callee);
  if (args.some((a) => ts.isSpreadElement(a)) || (member !== null ? !MATMUL_OPS.has(member) : !ts.isIdentifier(callee))) return null;
  const op = tfjsOp(names.qualified(callee));
  if (op !== null) {
    // `tf.matMul(a, b, true)` multiplies a transpose: not a plain chain link.
    const plain = args.length === 2 || (op === 'matMul' && args.length <= 4 && args.slice(2).every(isFalse));
    return MATMUL_OPS.has(op) && args.length >= 2 && plain ? { left: args[0], right: args[1], op } : null;
  }
  // `a.matMul()` without an argument (mid-edit) multiplies nothing.
  if (!tensorMethods || !ts.isPropertyAccessExpression(callee) || !MATMUL_OPS.has(callee.name.text) || args.length === 0) return null;
  if (names.qualified(callee.expression) !== null) return null;
  const plain = args.length === 1 || (callee.name.text === 'matMul' && args.length <= 3 && args.slice(1).every(isFalse));
  return plain ? { left: callee.expression, right: args[0], op: null } : null;
}

function isFalse(node: ts.Expression): boolean {
  return skipOuter(node).kind === ts.SyntaxKind.FalseKeyword;
}
