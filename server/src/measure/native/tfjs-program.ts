/**
 * TypeScript/JavaScript's syntax adapter for forms.ts (tfjs sites): the two forms become
 * functions of the unit's input tensors, parsed with the TypeScript compiler; the only names
 * bound are those the file imports from `@tensorflow/tfjs*`. TypeScript syntax is kept here and
 * stripped when the script is transpiled.
 */
import ts from 'typescript';
import type { ContractionSite, FileAnalysis, SourceRange } from '../../analysis/model';
import { buildForms, type FormSyntax } from './forms';
import { NativeUnavailable, normalizedCode, unitOf, type CodePiece, type NativeProgramParts } from './program';

const BUILTINS = new Set(['Math', 'Number', 'Array', 'Float32Array', 'Float64Array', 'Int32Array', 'undefined', 'NaN', 'Infinity']);
const SCALING_METHODS = new Set(['mul', 'div']);

function parse(code: string): ts.SourceFile {
  return ts.createSourceFile('measured.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
}

export function tfjsProgram(analysis: FileAnalysis, text: string, site: ContractionSite, shapes: number[][]): NativeProgramParts {
  const root = unitOf(analysis, site).root;
  if (root.library !== 'tfjs') throw new NativeUnavailable(`${root.qualifiedName} calls are not measured natively`);
  const file = parse(text);
  const syntax: FormSyntax = {
    baseOperand: (range, members) => baseOperand(file, text, range, members),
    number: String,
    assign: (name, expression) => `const ${name} = (${expression});`,
    func: (name, parameters, body, result) => `function ${name}(${parameters.join(', ')}) {\n${[...body, `return (${result});`].map((l) => `  ${l}`).join('\n')}\n}\n`,
    runsOnce: (result, offset) => runsOnce(file, result, offset),
    splitResult,
    substitute,
    freeNames,
    bindings: importBindings(file),
    builtins: BUILTINS,
  };
  return buildForms(analysis, text, site, shapes, syntax);
}

function nodeAt(file: ts.SourceFile, range: SourceRange): ts.Node | null {
  let found: ts.Node | null = null;
  const visit = (node: ts.Node): void => {
    if (node.getStart(file) <= range.start && range.end <= node.getEnd()) {
      if (node.getStart(file) === range.start && node.getEnd() === range.end) found = node;
      ts.forEachChild(node, visit);
    }
  };
  visit(file);
  return found;
}

function unwrap(node: ts.Node): ts.Node {
  let current = node;
  while (ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

/** `a` for an operand written `a.mul(3)` (or `tf.mul(a, 3)`) whose factor the analysis knows. */
function baseOperand(file: ts.SourceFile, text: string, range: SourceRange, members: readonly ContractionSite[]): string {
  const factors = members.flatMap((m) => m.scalars?.factors ?? []).filter((f) => f.appliedTo.kind === 'operand' && !f.nestedIn);
  const isFactor = (n: ts.Node) => factors.some((f) => f.range.start === n.getStart(file) && f.range.end === n.getEnd());
  let node = nodeAt(file, range);
  while (node) {
    const call = unwrap(node);
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !SCALING_METHODS.has(call.expression.name.text)) break;
    const args = call.arguments;
    if (args.length === 1 && isFactor(args[0])) node = call.expression.expression;
    else if (args.length === 2 && isFactor(args[1])) node = args[0];
    else if (args.length === 2 && call.expression.name.text === 'mul' && isFactor(args[0])) node = args[1];
    else break;
  }
  return node ? text.slice(node.getStart(file), node.getEnd()) : text.slice(range.start, range.end);
}

function runsOnce(file: ts.SourceFile, result: SourceRange, offset: number): boolean {
  let once = false;
  const visit = (node: ts.Node): void => {
    if (node.getStart(file) > result.start || node.getEnd() < result.end) return;
    const repeats = ts.isIterationStatement(node, false) || ts.isFunctionLike(node);
    if (repeats && !(node.getStart(file) < offset && offset <= node.getEnd())) once = true;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return once;
}

function splitResult(piece: CodePiece): { statements: string[]; expression: string } {
  const file = parse(piece.text);
  const statements = file.statements;
  const last = statements[statements.length - 1];
  if (statements.length <= 1 || !last || !ts.isExpressionStatement(last)) return { statements: [], expression: piece.text };
  return { statements: statements.slice(0, -1).map((s) => s.getText(file)), expression: last.expression.getText(file) };
}

/** Names that are not read as values: property names, declared names, object keys. */
function notARead(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node) ||
    (ts.isPropertyAssignment(parent) && parent.name === node)
  );
}

function substitute(code: string, holes: ReadonlyMap<string, string>): string {
  const file = parse(code);
  const replacements: { start: number; end: number; value: string }[] = [];
  const visit = (node: ts.Node): void => {
    const candidate = ts.isExpression(node) && !(ts.isIdentifier(node) && notARead(node));
    const value = candidate ? holes.get(normalizedCode(node.getText(file))) : undefined;
    if (value !== undefined) replacements.push({ start: node.getStart(file), end: node.getEnd(), value });
    else ts.forEachChild(node, visit);
  };
  visit(file);
  let out = code;
  for (const r of replacements.sort((a, b) => b.start - a.start)) out = out.slice(0, r.start) + r.value + out.slice(r.end);
  return out;
}

function freeNames(code: string): string[] {
  const file = parse(code);
  const bound = new Set<string>();
  const read: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      if (notARead(node)) {
        if (!ts.isPropertyAccessExpression(node.parent) && !ts.isPropertyAssignment(node.parent)) bound.add(node.text);
      } else read.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...new Set(read.filter((name) => !bound.has(name)))];
}

/** Name → the line that binds it from the tfjs module (`const tf = _ein_tfjs;`). */
function importBindings(file: ts.SourceFile): Map<string, string> {
  const bindings = new Map<string, string>();
  const tfjs = (specifier: ts.Expression | undefined) => specifier !== undefined && ts.isStringLiteral(specifier) && /^@tensorflow\/tfjs(-node(-gpu)?|-core)?$/.test(specifier.text);
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && tfjs(statement.moduleSpecifier) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) bindings.set(clause.name.text, `const ${clause.name.text} = _ein_tfjs;`);
      const named = clause.namedBindings;
      if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, `const ${named.name.text} = _ein_tfjs;`);
      if (named && ts.isNamedImports(named)) {
        for (const element of named.elements) {
          const imported = (element.propertyName ?? element.name).getText(file);
          bindings.set(element.name.text, `const ${element.name.text} = _ein_tfjs.${imported};`);
        }
      }
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        const required = init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && tfjs(init.arguments[0]);
        if (required && ts.isIdentifier(declaration.name)) bindings.set(declaration.name.text, `const ${declaration.name.text} = _ein_tfjs;`);
      }
    }
  }
  return bindings;
}
