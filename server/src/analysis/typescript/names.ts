/**
 * What a name or property access refers to, through every import form: `import * as tf`,
 * default and named imports (with aliases), `import tf = require(..)`, `const tf = require(..)`,
 * destructuring (`const { einsum: e } = tf`), `await import(..)` and `const` aliases
 * (`const E = tf.einsum`). Reads are resolved through the file's scopes, so block scoping,
 * hoisting and shadowing follow the language.
 */
import ts from 'typescript';
import type { FileScopes } from './scopes';

/** A module, or something reached from it by property names (`@tensorflow/tfjs` + [`einsum`]). */
export interface ImportedName {
  module: string;
  path: readonly string[];
}

const MAX_DEPTH = 8;

/** Strips parentheses, type assertions and non-null assertions: none changes the value. */
export function skipOuter(node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    else if (ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current)) current = current.expression;
    else return current;
  }
}

/** The property name of `a.b` or `a['b']`, or null. */
export function memberName(node: ts.Node): string | null {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text;
  return null;
}

export class NameResolver {
  private readonly cache = new Map<ts.Node, ImportedName | null>();

  constructor(readonly scopes: FileScopes) {}

  get sourceFile(): ts.SourceFile {
    return this.scopes.file;
  }

  /** The declaration a read of `id` sees, or null for globals and undeclared names. */
  declarationOf(id: ts.Identifier): ts.Declaration | null {
    return this.scopes.lookup(id.text, id);
  }

  /** The initializer of a `const` the identifier reads (`const B = 64`), with its declaration. */
  constInitializer(id: ts.Identifier): { value: ts.Expression; declaration: ts.VariableDeclaration } | null {
    return this.constOf(this.declarationOf(id));
  }

  /** The `const` a name written in a hint (`B` in `x[B, 64]`) would read at `at`. */
  constNamed(name: string, at: ts.Node): { value: ts.Expression; declaration: ts.VariableDeclaration } | null {
    return this.constOf(this.scopes.lookup(name, at));
  }

  private constOf(declaration: ts.Declaration | null): { value: ts.Expression; declaration: ts.VariableDeclaration } | null {
    if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return null;
    if (!isConst(declaration)) return null;
    return { value: declaration.initializer, declaration };
  }

  /** The imported module (and property path) an expression stands for, or null. */
  qualified(node: ts.Expression, depth = 0): ImportedName | null {
    if (depth > MAX_DEPTH) return null;
    const inner = skipOuter(node);
    let result = this.cache.get(inner);
    if (result === undefined) {
      result = this.compute(inner, depth);
      this.cache.set(inner, result);
    }
    return result;
  }

  private compute(node: ts.Expression, depth: number): ImportedName | null {
    if (ts.isIdentifier(node)) {
      const declaration = this.declarationOf(node);
      return declaration ? this.fromDeclaration(declaration, depth) : null;
    }
    const member = memberName(node);
    if (member !== null && (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))) {
      const object = this.qualified(node.expression, depth);
      return object ? { module: object.module, path: [...object.path, member] } : null;
    }
    const required = requiredModule(node);
    return required !== null ? { module: required, path: [] } : null;
  }

  private fromDeclaration(declaration: ts.Declaration, depth: number): ImportedName | null {
    if (ts.isNamespaceImport(declaration) || ts.isImportClause(declaration)) {
      // A default import of a CommonJS module (esModuleInterop) is the module object itself.
      const module = moduleSpecifier(ts.isNamespaceImport(declaration) ? declaration.parent.parent : declaration.parent);
      return module !== null ? { module, path: [] } : null;
    }
    if (ts.isImportSpecifier(declaration)) {
      const module = moduleSpecifier(declaration.parent.parent.parent);
      const imported = declaration.propertyName ?? declaration.name;
      return module !== null ? { module, path: [imported.text] } : null;
    }
    if (ts.isImportEqualsDeclaration(declaration)) {
      const reference = declaration.moduleReference;
      if (ts.isExternalModuleReference(reference) && ts.isStringLiteralLike(reference.expression)) return { module: reference.expression.text, path: [] };
      return null;
    }
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      // `var tf = require(..)` is how older JavaScript imports: trusted whatever the keyword.
      const required = requiredModule(skipOuter(declaration.initializer));
      if (required !== null) return { module: required, path: [] };
      return isConst(declaration) ? this.qualified(declaration.initializer, depth + 1) : null;
    }
    if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent) && !declaration.dotDotDotToken) {
      const property = declaration.propertyName ?? declaration.name;
      const key = ts.isIdentifier(property) || ts.isStringLiteralLike(property) ? property.text : null;
      const holder = declaration.parent.parent;
      if (key === null || !ts.isVariableDeclaration(holder) || !holder.initializer || !isConst(holder)) return null;
      const object = this.qualified(holder.initializer, depth + 1);
      return object ? { module: object.module, path: [...object.path, key] } : null;
    }
    return null;
  }
}

/** Only a `const` binding is trusted to hold its initializer for good. */
export function isConst(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
}

function moduleSpecifier(declaration: ts.ImportDeclaration | ts.JSDocImportTag): string | null {
  return ts.isStringLiteralLike(declaration.moduleSpecifier) ? declaration.moduleSpecifier.text : null;
}

/** `require('m')` and `await import('m')`: the module name, or null. */
function requiredModule(node: ts.Expression): string | null {
  const call = ts.isAwaitExpression(node) ? skipOuter(node.expression) : node;
  if (!ts.isCallExpression(call) || call.arguments.length !== 1 || !ts.isStringLiteralLike(call.arguments[0])) return null;
  const isRequire = ts.isIdentifier(call.expression) && call.expression.text === 'require';
  const isImport = call.expression.kind === ts.SyntaxKind.ImportKeyword;
  return isRequire || isImport ? call.arguments[0].text : null;
}
