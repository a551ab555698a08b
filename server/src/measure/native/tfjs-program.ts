/**
 * The tfjs side of a native measurement: the unit as written and as fixed, as two JavaScript
 * functions of the unit's input tensors, cut out of a TypeScript or JavaScript file the way
 * python-program.ts cuts Python: operands become parameters, scalar factors numbers, and the
 * only names bound are those the file imports from `@tensorflow/tfjs*`; anything else is refused
 * by name. TypeScript syntax is kept here and stripped when the script is transpiled.
 */
import ts from 'typescript';
import type { ContractionSite, FileAnalysis, SourceRange } from '../../analysis/model';
import { NativeUnavailable, normalizedCode, readRewritten, resultRange, sourceOf, unitFixes, unitOf, type CodePiece, type NativeProgramParts } from './program';

const BUILTINS = new Set(['Math', 'Number', 'Array', 'Float32Array', 'Float64Array', 'Int32Array', 'undefined', 'NaN', 'Infinity']);
const SCALING_METHODS = new Set(['mul', 'div']);

function parse(code: string): ts.SourceFile {
  return ts.createSourceFile('measured.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
}

export function tfjsProgram(analysis: FileAnalysis, text: string, site: ContractionSite, shapes: number[][]): NativeProgramParts {
  const unit = unitOf(analysis, site);
  if (unit.root.library !== 'tfjs') throw new NativeUnavailable(`${unit.root.qualifiedName} calls are not measured natively`);
  const file = parse(text);
  const leaves = unit.chain?.fused ? unit.chain.fused.operands : unit.root.operands;
  const holes = new Map<string, string>();
  const inputs: NativeProgramParts['inputs'] = [];
  leaves.forEach((leaf, k) => {
    const base = baseOperand(file, text, leaf.range, unit.members);
    if (holes.has(normalizedCode(base))) return;
    const name = `_ein_x${inputs.length}`;
    holes.set(normalizedCode(base), name);
    inputs.push({ name, text: base, shape: shapes[k] });
  });
  for (const member of unit.members) {
    for (const factor of member.scalars?.factors ?? []) {
      if (!/^[0-9.eE+-]+$/.test(factor.text)) holes.set(normalizedCode(factor.text), String(factor.value));
    }
  }
  const lineOf = (offset: number) => file.getLineAndCharacterOfPosition(offset).line + 1;
  const links = (unit.chain?.links ?? []).filter((link) => link.name !== null);
  const producer = (id: number) => unit.members.find((m) => m.id === id) as ContractionSite;
  const asWrittenBody = links.map((link) => `const ${link.name} = (${sourceOf(text, resultRange(producer(link.producer))).text});`);
  const form = (name: string, body: string[], result: string) =>
    substitute(`function ${name}(${inputs.map((i) => i.name).join(', ')}) {\n${[...body, `return (${result});`].map((l) => `  ${l}`).join('\n')}\n}\n`, holes);
  const asWritten = form('_ein_as_written', asWrittenBody, sourceOf(text, resultRange(unit.root)).text);
  const fixes = unitFixes(analysis, text, unit);
  let rewritten: string | null = null;
  let setup: string[] = [];
  if (fixes.length > 0) {
    const read = readRewritten(text, fixes.flatMap((f) => f.edits), unit, (offset) => runsOnce(file, resultRange(unit.root), offset), lineOf);
    const { statements, expression } = splitResult(read.result);
    rewritten = form('_ein_rewritten', [...read.before.map((p) => p.text), ...statements], expression);
    setup = read.setup.map((piece) => substitute(piece.text, holes));
  }
  const code = [asWritten, rewritten ?? '', ...setup].join('\n');
  const bindings = importBindings(file);
  const free = freeNames(code);
  const unbound = free.filter((name) => !bindings.has(name));
  if (unbound.length > 0) {
    throw new NativeUnavailable(`the code uses ${unbound.map((n) => `'${n}'`).join(', ')}, defined elsewhere in your program; einsight runs only the contraction, never your code`);
  }
  return { inputs, imports: [...new Set(free.map((name) => bindings.get(name) as string))], asWritten, rewritten, setup, fixes };
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
  const bound = new Set<string>(BUILTINS);
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
  return [...new Set(read.filter((name) => !bound.has(name) && !name.startsWith('_ein_')))];
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
