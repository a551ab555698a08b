/** Where a site sits: its statement, the enclosing function's name, loops and `call()` bodies. */
import ts from 'typescript';
import type { SiteContext } from '../model';

/** Array methods whose callback runs once per element, like a loop body. */
const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex']);
/** A tfjs layer computes in `call`; a hand-written model often in `forward` or `predict`. */
const FORWARD_METHODS = new Set(['call', 'forward', 'predict', 'apply']);

/** The statement directly inside a block, case clause or the file that contains `node`. */
export function statementOf(node: ts.Node): ts.Statement | null {
  let current: ts.Node = node;
  while (current.parent && !isStatementContainer(current.parent)) current = current.parent;
  return current.parent ? (current as ts.Statement) : null;
}

export function isStatementContainer(node: ts.Node): boolean {
  return ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isModuleBlock(node);
}

export function siteContext(node: ts.Node): SiteContext {
  const names: string[] = [];
  let inLoop = false;
  let inForward = false;
  let inFunction = false;
  for (let current: ts.Node = node; current.parent; current = current.parent) {
    const parent = current.parent;
    if (!inFunction && isLoopBody(parent, current)) inLoop = true;
    if (!ts.isFunctionLike(parent)) continue;
    const name = functionName(parent);
    if (!inFunction) {
      inForward = FORWARD_METHODS.has(name.slice(name.lastIndexOf('.') + 1));
      inLoop ||= isIterationCallback(parent);
    }
    inFunction = true;
    names.unshift(name);
  }
  return { scope: names.length > 0 ? names.join('.') : '<module>', inLoop, inForward };
}

/** `child` is the body of a loop statement (not its initializer or iterated expression). */
function isLoopBody(parent: ts.Node, child: ts.Node): boolean {
  if (ts.isForStatement(parent)) return child === parent.statement || child === parent.condition || child === parent.incrementor;
  if (ts.isForInStatement(parent) || ts.isForOfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) {
    return child === parent.statement || (!ts.isForInStatement(parent) && !ts.isForOfStatement(parent) && child === parent.expression);
  }
  return false;
}

function isIterationCallback(fn: ts.SignatureDeclaration): boolean {
  const call = fn.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) return false;
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && ITERATING_METHODS.has(callee.name.text);
}

/** `Model.call`, `helper`, or `<anonymous>` for an unnamed callback. */
function functionName(fn: ts.SignatureDeclaration): string {
  const own = fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name) || ts.isStringLiteral(fn.name)) ? fn.name.text : null;
  if (ts.isConstructorDeclaration(fn)) return qualifyByClass(fn, 'constructor');
  if (own !== null) return ts.isClassElement(fn) ? qualifyByClass(fn, own) : own;
  const holder = fn.parent;
  if ((ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder)) && ts.isIdentifier(holder.name)) {
    return ts.isPropertyDeclaration(holder) ? qualifyByClass(holder, holder.name.text) : holder.name.text;
  }
  return '<anonymous>';
}

function qualifyByClass(member: ts.Node, name: string): string {
  const owner = member.parent;
  return ts.isClassLike(owner) && owner.name ? `${owner.name.text}.${name}` : name;
}
