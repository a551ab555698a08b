/**
 * What the tfjs rewrites need to know about the TypeScript/JavaScript around a site: the
 * syntax node at a range, which expressions are safe to move or re-read, where temporaries can
 * go without changing what runs, and whether the result still parses.
 */
import ts from 'typescript';
import type { SourceRange } from '../analysis/model';
import { isStatementContainer } from '../analysis/typescript/context';
import { insert, replace, type FixEdit } from './edits';
import { RewriteRefusal } from './refusal';

/** Where lines computing temporaries go: before the statement holding the site. */
export interface TsHoistPoint {
  offset: number;
  indent: string;
  newline: string;
}

export class TsSource {
  readonly sourceFile: ts.SourceFile;
  private namesCache: Set<string> | null = null;

  constructor(readonly text: string) {
    this.sourceFile = parseBest(text);
  }

  /** The outermost node spanning exactly `range` (tokens excluded), or null. */
  nodeAt(range: SourceRange): ts.Node | null {
    let node: ts.Node = this.sourceFile;
    for (;;) {
      const inside = ts.forEachChild(node, (c) => (c.getStart(this.sourceFile) <= range.start && range.end <= c.end ? c : undefined));
      if (!inside) return null;
      if (inside.getStart(this.sourceFile) === range.start && inside.end === range.end) return inside;
      node = inside;
    }
  }

  /** The expression at `range`, or a refusal naming `what`. */
  expressionAt(range: SourceRange, what: string): ts.Expression {
    const node = this.nodeAt(range);
    if (!node || !isExpression(node)) throw new RewriteRefusal(`the ${what} is not where the analysis saw it (the text changed?)`);
    return node;
  }

  textOf(node: ts.Node | SourceRange): string {
    const start = 'kind' in node ? node.getStart(this.sourceFile) : node.start;
    return this.text.slice(start, node.end);
  }

  /** Every identifier spelled in the file: fresh names avoid all of them. */
  names(): Set<string> {
    if (!this.namesCache) {
      const names = new Set<string>();
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) names.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(this.sourceFile);
      this.namesCache = names;
    }
    return this.namesCache;
  }

  hasComment(range: SourceRange): boolean {
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, this.sourceFile.languageVariant, this.text, undefined, range.start, range.end - range.start);
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) return true;
    }
    return false;
  }

  /** Reads that can be repeated or moved: names, `this`, literals, property reads of those. */
  isPure(node: ts.Node): boolean {
    if (ts.isIdentifier(node) || ts.isLiteralExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword) return true;
    if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isPropertyAccessExpression(node) || ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) {
      return this.isPure(node.expression);
    }
    if (ts.isElementAccessExpression(node)) return this.isPure(node.expression) && this.isPure(node.argumentExpression);
    if (ts.isPrefixUnaryExpression(node)) return node.operator !== ts.SyntaxKind.PlusPlusToken && node.operator !== ts.SyntaxKind.MinusMinusToken && this.isPure(node.operand);
    if (ts.isArrayLiteralExpression(node)) return node.elements.every((e) => this.isPure(e));
    return false;
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  lineEnd(offset: number): number {
    const end = this.text.indexOf('\n', offset);
    return end < 0 ? this.text.length : end;
  }

  /**
   * Where temporaries for `node` can be computed, or null when moving work before the statement
   * could change what runs: inside a function expression, a conditional branch, the right side
   * of `&&`/`||`/`??`, a loop's header, or after something with an effect.
   */
  hoistPoint(node: ts.Node): TsHoistPoint | null {
    let child: ts.Node = node;
    for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
      if (isStatementContainer(parent)) return this.statementHoist(child as ts.Statement);
      if (!this.evaluatedFirstAndAlways(parent, child)) return null;
    }
    return null;
  }

  private evaluatedFirstAndAlways(parent: ts.Node, child: ts.Node): boolean {
    const before: ts.Node[] = [];
    ts.forEachChild(parent, (c) => {
      if (c.end <= child.getStart(this.sourceFile)) before.push(c);
    });
    const pureBefore = before.every((c) => this.isPure(c) || ts.isTypeNode(c) || ts.isModifier(c));
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) return pureBefore;
    if (ts.isBinaryExpression(parent)) {
      const kind = parent.operatorToken.kind;
      const shortCircuit = kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
      const assignment = kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
      if (shortCircuit || assignment) return child === parent.left ? !assignment : assignment && this.isPure(parent.left);
      return pureBefore;
    }
    if (ts.isVariableDeclaration(parent)) return child === parent.initializer;
    // A later declarator may read an earlier one's name, which temporaries would read too soon.
    if (ts.isVariableDeclarationList(parent)) return parent.declarations[0] === child;
    if (ts.isVariableStatement(parent) || ts.isExpressionStatement(parent) || ts.isReturnStatement(parent)) return true;
    if (ts.isIfStatement(parent) || ts.isSwitchStatement(parent)) return child === parent.expression;
    if (ts.isConditionalExpression(parent)) return child === parent.condition;
    return (
      ts.isParenthesizedExpression(parent) ||
      ts.isPropertyAccessExpression(parent) ||
      ts.isElementAccessExpression(parent) ||
      ts.isArrayLiteralExpression(parent) ||
      ts.isAwaitExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      ts.isPrefixUnaryExpression(parent) ||
      ts.isSpreadElement(parent) ||
      ts.isTemplateSpan(parent) ||
      ts.isTemplateExpression(parent)
    ) && pureBefore;
  }

  private statementHoist(statement: ts.Statement): TsHoistPoint | null {
    const start = statement.getStart(this.sourceFile);
    const lineStart = this.lineStart(start);
    const prefix = this.text.slice(lineStart, start);
    if (!/^[ \t]*$/.test(prefix)) return null;
    const end = this.lineEnd(start);
    return { offset: start, indent: prefix, newline: end > 0 && this.text[end - 1] === '\r' ? '\r\n' : '\n' };
  }

  /** The new text has no more syntax errors than the old. */
  parsesAfter(newText: string): boolean {
    return syntaxErrorCount(parseBest(newText)) <= syntaxErrorCount(this.sourceFile);
  }

  /**
   * Removes a statement alone on its line(s), with the line; one that shares its line with
   * other code is refused (the fix cannot tell what belongs to it).
   */
  deleteStatement(range: SourceRange): FixEdit {
    const lineStart = this.lineStart(range.start);
    const lineEnd = this.lineEnd(range.end);
    if (!/^[ \t]*$/.test(this.text.slice(lineStart, range.start)) || !/^[ \t]*\r?$/.test(this.text.slice(range.end, lineEnd))) {
      throw new RewriteRefusal('a statement to remove shares its line with other code');
    }
    return replace({ start: lineStart, end: Math.min(lineEnd + 1, this.text.length) }, '');
  }
}

/** Inserts `lines` (each a statement without its `;`) before the statement and replaces `range`. */
export function hoistAndReplace(point: TsHoistPoint | null, lines: readonly string[], range: SourceRange, expression: string): FixEdit[] {
  if (lines.length === 0) return [replace(range, expression)];
  if (!point) throw new RewriteRefusal('temporaries cannot go here');
  const hoisted = lines.map((line) => `${line};${point.newline}${point.indent}`).join('');
  if (point.offset === range.start) return [replace(range, hoisted + expression)];
  return [insert(point.offset, hoisted), replace(range, expression)];
}

/** Binds as tightly as a call or member access: `x.mul(2)` needs no parentheses around x. */
export function isTight(node: ts.Node): boolean {
  return (
    ts.isIdentifier(node) ||
    ts.isPropertyAccessExpression(node) ||
    ts.isElementAccessExpression(node) ||
    ts.isCallExpression(node) ||
    ts.isParenthesizedExpression(node) ||
    ts.isArrayLiteralExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    node.kind === ts.SyntaxKind.ThisKeyword
  );
}

function isExpression(node: ts.Node): node is ts.Expression {
  return ts.isExpression(node) || ts.isIdentifier(node);
}

/** TypeScript or TSX, whichever reads the text with fewer errors (`<T>x` casts against JSX). */
function parseBest(text: string): ts.SourceFile {
  const plain = ts.createSourceFile('/rewrite.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  if (syntaxErrorCount(plain) === 0) return plain;
  const jsx = ts.createSourceFile('/rewrite.tsx', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  return syntaxErrorCount(jsx) < syntaxErrorCount(plain) ? jsx : plain;
}

function syntaxErrorCount(sourceFile: ts.SourceFile): number {
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === sourceFile.fileName ? sourceFile : undefined),
    getDefaultLibFileName: () => '/lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === sourceFile.fileName,
    readFile: () => undefined,
  };
  const program = ts.createProgram({ rootNames: [sourceFile.fileName], options: { noLib: true, noResolve: true, types: [] }, host });
  return program.getSyntacticDiagnostics(sourceFile).length;
}
