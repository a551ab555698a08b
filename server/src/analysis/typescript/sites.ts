/**
 * Einsum call sites in TypeScript and JavaScript: `tf.einsum` from any tfjs package under any
 * import form, and `einsum` from a module the user listed; their equation (a literal, a `+`
 * of literals, a `const` bound to one) and operands.
 */
import ts from 'typescript';
import type { EquationInfo, Library, SourceRange } from '../model';
import { isUserEinsum, tfjsOp } from './callees';
import { memberName, skipOuter, type ImportedName, type NameResolver } from './names';
import { readString } from './strings';

export interface EinsumCall {
  node: ts.CallExpression;
  library: Library;
  /** `tf.einsum` for tfjs; `module.einsum` for a user's module. */
  qualifiedName: string;
  equation: EquationInfo;
  operandNodes: ts.Expression[];
  /** `einsum(eq, ...xs)`: the operand list is only known at run time. */
  spreadOperands: boolean;
}

export function rangeOf(node: ts.Node, sourceFile: ts.SourceFile): SourceRange {
  return { start: node.getStart(sourceFile), end: node.end };
}

/** The einsum this call is, or null. */
export function readEinsumCall(node: ts.CallExpression, names: NameResolver, einsumModules: readonly string[]): EinsumCall | null {
  // Only a plain name (an alias) or a member named `einsum` can be one: skip resolving the rest.
  const callee = skipOuter(node.expression);
  if (!ts.isIdentifier(callee) && memberName(callee) !== 'einsum') return null;
  const qualified = names.qualified(callee);
  const kind = einsumKind(qualified, einsumModules);
  if (!kind) return null;
  const [first, ...rest] = node.arguments;
  const sourceFile = names.sourceFile;
  return {
    node,
    ...kind,
    equation: first && !ts.isSpreadElement(first) ? equationOf(first, names) : dynamicEquation(first ? rangeOf(first, sourceFile) : null),
    operandNodes: first && ts.isSpreadElement(first) ? [] : rest,
    spreadOperands: node.arguments.some((a) => ts.isSpreadElement(a)),
  };
}

function einsumKind(qualified: ImportedName | null, einsumModules: readonly string[]): { library: Library; qualifiedName: string } | null {
  if (tfjsOp(qualified) === 'einsum') return { library: 'tfjs', qualifiedName: 'tf.einsum' };
  if (qualified && isUserEinsum(qualified, einsumModules)) return { library: 'unknown', qualifiedName: `${qualified.module}.einsum` };
  return null;
}

function equationOf(node: ts.Expression, names: NameResolver): EquationInfo {
  const decoded = readString(node, names);
  if (!decoded) return dynamicEquation(rangeOf(node, names.sourceFile));
  if ('notRead' in decoded) return { ...dynamicEquation(decoded.range), notRead: decoded.notRead };
  return { form: 'string', text: decoded.value, dynamic: false, range: decoded.range, charRanges: decoded.charRanges };
}

function dynamicEquation(range: SourceRange | null): EquationInfo {
  return { form: 'string', text: null, dynamic: true, range, charRanges: null };
}
