/**
 * Names and what declares them, following JavaScript's scoping: `var` and parameters belong
 * to the function, `let`/`const`/`class` (and functions in nested blocks) to their block,
 * imports and top-level declarations to the module. One walk per top-level statement,
 * cached by node identity: TypeScript's incremental parser reuses the node objects of every
 * statement an edit did not touch, so after an edit only the edited statement is walked
 * again. (The type checker would resolve the same names, but binding the whole file again
 * after every keystroke costs more than the rest of the analysis.)
 */
import ts from 'typescript';
import { TooDeepError } from '../too-deep';

type Names = Map<string, ts.Declaration>;

/** What one top-level statement holds, for every pass of the analysis. */
export interface StatementFacts {
  statement: ts.Statement;
  /** Calls in source order, an outer call before the calls inside it. */
  calls: ts.CallExpression[];
  identifiers: Map<string, ts.Identifier[]>;
  /** Names assigned after their declaration (`x = ..`, `x += ..`, `x++`). */
  reassigned: Set<string>;
  /** Modules imported, required or dynamically imported. */
  modules: string[];
  /** Declarations this statement adds to the module scope (hoisted `var`s included). */
  moduleNames: Names;
}

export class FileScopes {
  /** Names declared in each scope-holding node (functions, blocks, loops, catch clauses). */
  private readonly scopes = new WeakMap<ts.Node, Names>();
  private readonly statementFacts = new WeakMap<ts.Statement, StatementFacts>();
  private moduleNames: Names = new Map();
  private facts: StatementFacts[] = [];
  private sourceFile: ts.SourceFile | null = null;
  /** Every statement's identifiers and reassigned names together, built on first use after an update. */
  private wholeFile: { identifiers: Map<string, ts.Identifier[]>; reassigned: Set<string> } | null = null;

  /** Brings the scopes up to date with `sourceFile`, walking only statements not seen before. */
  update(sourceFile: ts.SourceFile): readonly StatementFacts[] {
    this.sourceFile = sourceFile;
    this.facts = sourceFile.statements.map((statement) => {
      let facts = this.statementFacts.get(statement);
      if (!facts) {
        refuseTooDeep(statement);
        facts = new StatementWalker(statement, this.scopes).run();
        this.statementFacts.set(statement, facts);
      }
      return facts;
    });
    this.moduleNames = new Map();
    this.wholeFile = null;
    for (const facts of this.facts) for (const [name, declaration] of facts.moduleNames) if (!this.moduleNames.has(name)) this.moduleNames.set(name, declaration);
    return this.facts;
  }

  /** The declaration `name` means at `at`, or null for globals and undeclared names. */
  lookup(name: string, at: ts.Node): ts.Declaration | null {
    for (let node: ts.Node | undefined = at; node; node = node.parent) {
      if (!isBlockScope(node)) continue;
      const found = (ts.isSourceFile(node) ? this.moduleNames : this.scopes.get(node))?.get(name);
      if (found) return found;
    }
    return null;
  }

  /** The facts of the top-level statement holding `node`. */
  factsOf(node: ts.Node): StatementFacts | null {
    let current = node;
    while (current.parent && !ts.isSourceFile(current.parent)) current = current.parent;
    return ts.isSourceFile(current.parent) ? (this.statementFacts.get(current as ts.Statement) ?? null) : null;
  }

  /** Identifiers spelled `name` where a read of `declaration` may be: its statement, or everywhere for a module-level one. */
  candidates(name: string, declaration: ts.Declaration): ts.Identifier[] {
    return this.identifiersIn(name, this.moduleNames.get(name) === declaration ? this.file : declaration);
  }

  /** Identifiers spelled `name` in the top-level statement holding `node`, or anywhere when `node` is the file. */
  identifiersIn(name: string, node: ts.Node): ts.Identifier[] {
    if (ts.isSourceFile(node)) return this.fileWide().identifiers.get(name) ?? [];
    return this.factsOf(node)?.identifiers.get(name) ?? [];
  }

  /** The name is assigned somewhere it can be seen from `declaration`. */
  reassigned(name: string, declaration: ts.Declaration): boolean {
    if (this.moduleNames.get(name) === declaration) return this.fileWide().reassigned.has(name);
    return this.factsOf(declaration)?.reassigned.has(name) ?? false;
  }

  get file(): ts.SourceFile {
    return this.sourceFile!;
  }

  /** One pass over the statements' facts per update: a query per name and statement made N sites cost N². */
  private fileWide(): { identifiers: Map<string, ts.Identifier[]>; reassigned: Set<string> } {
    if (this.wholeFile) return this.wholeFile;
    const identifiers = new Map<string, ts.Identifier[]>();
    const reassigned = new Set<string>();
    for (const facts of this.facts) {
      for (const [name, ids] of facts.identifiers) {
        const list = identifiers.get(name);
        // One at a time: spreading a hundred thousand identifiers into push() overflows the stack.
        if (list) for (const id of ids) list.push(id);
        else identifiers.set(name, [...ids]);
      }
      for (const name of facts.reassigned) reassigned.add(name);
    }
    this.wholeFile = { identifiers, reassigned };
    return this.wholeFile;
  }
}

/**
 * The deepest statement the analysis walks: its walkers recurse, a few frames a level, and
 * near twice this depth the stack overflows at a depth that varies with what V8 has compiled.
 * Refusing deeper statements up front makes the outcome the same every time (and TypeScript's
 * own parser gives up on brackets nested about a thousand deep anyway).
 */
const MAX_TREE_DEPTH = 1000;

/** Throws `TooDeepError` at the first node deeper than the limit; walks without recursing. */
function refuseTooDeep(statement: ts.Statement): void {
  // Two stacks rather than a pair per node: a megabyte array literal is 350,000 nodes.
  const pending: ts.Node[] = [statement];
  const depths: number[] = [1];
  const push = (child: ts.Node) => {
    pending.push(child);
    depths.push(depth + 1);
  };
  let depth = 0;
  while (pending.length > 0) {
    const node = pending.pop()!;
    depth = depths.pop()!;
    if (depth > MAX_TREE_DEPTH) {
      const start = node.getStart();
      // A node missing at the end of the file starts there: its range is empty.
      const end = Math.min(start + 1, node.getSourceFile().text.length);
      throw new TooDeepError(`the code nests more than ${MAX_TREE_DEPTH.toLocaleString('en-US')} levels deep (here)`, { start, end });
    }
    ts.forEachChild(node, push);
  }
}

const FUNCTION_SCOPES: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.SourceFile,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.ClassStaticBlockDeclaration,
]);

const BLOCK_SCOPES: ReadonlySet<ts.SyntaxKind> = new Set([
  ...FUNCTION_SCOPES,
  ts.SyntaxKind.Block,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.CatchClause,
  ts.SyntaxKind.CaseBlock,
  ts.SyntaxKind.ModuleBlock,
]);

/** Where `var` goes: the nearest function, or the module. */
function isFunctionScope(node: ts.Node): boolean {
  return FUNCTION_SCOPES.has(node.kind);
}

/** Where `let`, `const` and `class` go. */
function isBlockScope(node: ts.Node): boolean {
  return BLOCK_SCOPES.has(node.kind);
}

class StatementWalker {
  private readonly facts: StatementFacts;

  constructor(
    statement: ts.Statement,
    private readonly scopes: WeakMap<ts.Node, Names>,
  ) {
    this.facts = { statement, calls: [], identifiers: new Map(), reassigned: new Set(), modules: [], moduleNames: new Map() };
  }

  run(): StatementFacts {
    this.visit(this.facts.statement);
    return this.facts;
  }

  private declare(scope: ts.Node, name: string, declaration: ts.Declaration): void {
    if (ts.isSourceFile(scope)) {
      if (!this.facts.moduleNames.has(name)) this.facts.moduleNames.set(name, declaration);
      return;
    }
    let names = this.scopes.get(scope);
    if (!names) this.scopes.set(scope, (names = new Map()));
    // The first declaration wins: `var x; var x = ..` and overloads name one thing.
    if (!names.has(name)) names.set(name, declaration);
  }

  /** Declares every identifier of a binding name (`{ a, b: [c] }`) with the element that binds it. */
  private declareBinding(scope: ts.Node, name: ts.BindingName, declaration: ts.Declaration): void {
    if (ts.isIdentifier(name)) return this.declare(scope, name.text, declaration);
    for (const element of name.elements) {
      if (!ts.isOmittedExpression(element)) this.declareBinding(scope, element.name, element);
    }
  }

  private enclosing(node: ts.Node, test: (n: ts.Node) => boolean): ts.Node {
    let current = node.parent;
    while (current && !test(current)) current = current.parent;
    return current ?? node.getSourceFile();
  }

  private visit = (node: ts.Node): void => {
    // A scope's names all come from inside it: walking it again starts it afresh.
    if (isBlockScope(node) && !ts.isSourceFile(node)) this.scopes.delete(node);
    switch (node.kind) {
      case ts.SyntaxKind.Identifier: {
        const id = node as ts.Identifier;
        const list = this.facts.identifiers.get(id.text);
        if (list) list.push(id);
        else this.facts.identifiers.set(id.text, [id]);
        return;
      }
      case ts.SyntaxKind.VariableDeclaration: {
        const declaration = node as ts.VariableDeclaration;
        const list = declaration.parent;
        const lexical = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.BlockScoped) !== 0;
        const scope = ts.isCatchClause(list) ? list : this.enclosing(declaration, lexical ? isBlockScope : isFunctionScope);
        this.declareBinding(scope, declaration.name, declaration);
        break;
      }
      case ts.SyntaxKind.Parameter: {
        const parameter = node as ts.ParameterDeclaration;
        this.declareBinding(parameter.parent, parameter.name, parameter);
        break;
      }
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.ClassDeclaration: {
        const declaration = node as ts.FunctionDeclaration | ts.ClassDeclaration;
        if (declaration.name) this.declare(this.enclosing(declaration, isBlockScope), declaration.name.text, declaration);
        break;
      }
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.ClassExpression: {
        // A named function expression sees its own name.
        const expression = node as ts.FunctionExpression | ts.ClassExpression;
        if (expression.name) this.declare(expression, expression.name.text, expression);
        break;
      }
      case ts.SyntaxKind.ImportDeclaration:
        this.importDeclaration(node as ts.ImportDeclaration);
        break;
      case ts.SyntaxKind.ImportEqualsDeclaration: {
        const declaration = node as ts.ImportEqualsDeclaration;
        this.declare(this.enclosing(declaration, isBlockScope), declaration.name.text, declaration);
        const reference = declaration.moduleReference;
        if (ts.isExternalModuleReference(reference) && ts.isStringLiteralLike(reference.expression)) this.facts.modules.push(reference.expression.text);
        break;
      }
      case ts.SyntaxKind.ExportDeclaration: {
        const specifier = (node as ts.ExportDeclaration).moduleSpecifier;
        if (specifier && ts.isStringLiteralLike(specifier)) this.facts.modules.push(specifier.text);
        break;
      }
      case ts.SyntaxKind.CallExpression:
        this.call(node as ts.CallExpression);
        break;
      case ts.SyntaxKind.BinaryExpression: {
        const binary = node as ts.BinaryExpression;
        const kind = binary.operatorToken.kind;
        if (kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment && ts.isIdentifier(binary.left)) {
          this.facts.reassigned.add(binary.left.text);
        }
        break;
      }
      case ts.SyntaxKind.PrefixUnaryExpression:
      case ts.SyntaxKind.PostfixUnaryExpression: {
        const { operand, operator } = node as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression;
        const steps = operator === ts.SyntaxKind.PlusPlusToken || operator === ts.SyntaxKind.MinusMinusToken;
        if (steps && ts.isIdentifier(operand)) this.facts.reassigned.add(operand.text);
        break;
      }
    }
    ts.forEachChild(node, this.visit);
  };

  private importDeclaration(declaration: ts.ImportDeclaration): void {
    if (ts.isStringLiteralLike(declaration.moduleSpecifier)) this.facts.modules.push(declaration.moduleSpecifier.text);
    const clause = declaration.importClause;
    if (!clause) return;
    const scope = declaration.parent;
    if (clause.name) this.declare(scope, clause.name.text, clause);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) this.declare(scope, bindings.name.text, bindings);
    else if (bindings) for (const element of bindings.elements) this.declare(scope, element.name.text, element);
  }

  private call(call: ts.CallExpression): void {
    this.facts.calls.push(call);
    const argument = call.arguments[0];
    const loads = call.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(call.expression) && call.expression.text === 'require');
    if (loads && argument && ts.isStringLiteralLike(argument)) this.facts.modules.push(argument.text);
  }
}
