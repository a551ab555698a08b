/**
 * Statements and blocks, and the entry point: `parseFast(text)` builds the module's top-level
 * nodes as the copy of tree-sitter's tree has them, or returns why it declines.
 */
import type { PyNode } from '../syntax';
import { ExpressionParser, K } from './expressions';
import { Decline, Kind, kw, op, tokenize, type Tokens } from './tokens';

const COLON = op(':');
const COMMA = op(',');
const SEMICOLON = op(';');
const EQUAL = op('=');
const LPAR = op('(');
const RPAR = op(')');
const DOT = op('.');
const ELLIPSIS = op('...');
const STAR = op('*');
const AT = op('@');
const ARROW = op('->');
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '@=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|='].map(op));
const TARGETS = new Set(['identifier', 'attribute', 'subscript']);

const S = {
  assert: kw('assert'),
  break: kw('break'),
  class: kw('class'),
  continue: kw('continue'),
  def: kw('def'),
  del: kw('del'),
  elif: kw('elif'),
  except: kw('except'),
  finally: kw('finally'),
  global: kw('global'),
  import: kw('import'),
  nonlocal: kw('nonlocal'),
  pass: kw('pass'),
  raise: kw('raise'),
  return: kw('return'),
  try: kw('try'),
  while: kw('while'),
  with: kw('with'),
  print: kw('print'),
  exec: kw('exec'),
  match: kw('match'),
  case: kw('case'),
  type: kw('type'),
  future: kw('__future__'),
};

export type FastParse = { nodes: PyNode[] } | { declined: string; at: number };

/** The module's top-level nodes (statements and extras), or why the text is left to tree-sitter. */
export function parseFast(text: string): FastParse {
  try {
    return { nodes: new StatementParser(text, tokenize(text)).module() };
  } catch (error) {
    if (error instanceof Decline) return { declined: error.reason, at: error.at };
    if (error instanceof RangeError) return { declined: 'a stack overflow', at: -1 };
    throw error;
  }
}

class StatementParser extends ExpressionParser {
  /** How many blocks the current statement is in (0: a top-level statement). */
  private blocks = 0;

  constructor(text: string, tokens: Tokens) {
    super(text, tokens);
  }

  module(): PyNode[] {
    while (this.kind() !== Kind.End) this.statement();
    return this.topLevel();
  }

  private statement(): void {
    const kind = this.kind();
    if (kind === Kind.Name) {
      const code = this.t.codes[this.i];
      if (code === K.if) return this.ifStatement();
      if (code === K.for) return this.forStatement(this.i);
      if (code === S.while) return this.whileStatement();
      if (code === S.try) return this.tryStatement();
      if (code === S.with) return this.withStatement(this.i);
      if (code === S.def) return this.functionDefinition(this.i);
      if (code === S.class) return this.classDefinition();
      if (code === K.async) {
        const next = this.t.codes[this.i + 1];
        const first = this.i++;
        if (next === S.def) return this.functionDefinition(first);
        if (next === K.for) return this.forStatement(first);
        if (next === S.with) return this.withStatement(first);
        this.decline('async before something else');
      }
    } else if (this.isOp(AT)) {
      return this.decorated();
    } else if (kind === Kind.Indent || kind === Kind.Dedent || kind === Kind.Newline) {
      this.decline('unexpected indentation');
    }
    this.simpleStatements(this.blocks === 0);
  }

  /** Simple statements on one line, separated by `;`, to the NEWLINE (passed). */
  private simpleStatements(topLevel: boolean): void {
    for (;;) {
      this.simpleStatement();
      if (!this.isOp(SEMICOLON)) break;
      // The copy keeps every child of the module, this anonymous token too.
      if (topLevel) this.leaf(';', false, null);
      else this.i++;
      if (this.kind() === Kind.Newline) break;
    }
    if (this.kind() !== Kind.Newline) this.decline('expected the end of the line');
    this.i++;
  }

  private simpleStatement(): void {
    const base = this.top;
    const first = this.i;
    const code = this.kind() === Kind.Name ? this.t.codes[this.i] : 0;
    const keyword = (type: string, body: () => void) => {
      this.i++;
      body();
      this.close(type, base, first);
    };
    if (code === S.pass) return keyword('pass_statement', () => undefined);
    if (code === S.break) return keyword('break_statement', () => undefined);
    if (code === S.continue) return keyword('continue_statement', () => undefined);
    if (code === S.return) return keyword('return_statement', () => this.endsExpressions() || this.expressions());
    if (code === S.del) return keyword('delete_statement', () => this.expressions());
    if (code === S.raise) {
      return keyword('raise_statement', () => {
        if (!this.endsExpressions()) this.expressions();
        if (this.isKw(K.from)) {
          this.i++;
          this.expression('cause');
        }
      });
    }
    if (code === S.global || code === S.nonlocal) {
      return keyword(code === S.global ? 'global_statement' : 'nonlocal_statement', () => {
        do this.identifier();
        while (this.isOp(COMMA) && (this.i++, true));
      });
    }
    if (code === S.assert) {
      return keyword('assert_statement', () => {
        do this.expression();
        while (this.isOp(COMMA) && (this.i++, true));
      });
    }
    if (code === S.import) return keyword('import_statement', () => this.importList(false));
    if (code === K.from) return this.importFrom();
    if (code === S.print || code === S.exec || code === S.match || code === S.case || code === S.type) {
      // Soft keywords that start statements of their own: only a call or an assignment is read.
      const next = this.t.codes[this.i + 1];
      const nextIsOp = this.t.kinds[this.i + 1] === Kind.Operator;
      const call = nextIsOp && next === LPAR && (code === S.print || code === S.exec || code === S.type);
      if (!(nextIsOp && (next === DOT || next === EQUAL || AUGMENTED.has(next))) && !call) this.decline('a print, exec, match or type statement');
    }
    this.expressionStatement();
  }

  /** An expression statement, an assignment or an augmented assignment. */
  private expressionStatement(): void {
    const base = this.top;
    const first = this.i;
    if (this.isKw(K.yield)) {
      this.yieldExpression();
    } else {
      this.expression();
      let count = 1;
      let trailing = false;
      while (this.isOp(COMMA)) {
        this.i++;
        trailing = true;
        if (this.endsExpressions()) break;
        this.expression();
        count++;
        trailing = false;
      }
      if (this.isOp(EQUAL) || this.isOp(COLON) || (this.kind() === Kind.Operator && AUGMENTED.has(this.t.codes[this.i]))) {
        if (count > 1 || trailing) this.close('pattern_list', base, first);
        this.toPattern(this.at(base));
        this.assignment(base, first);
      }
    }
    this.close('expression_statement', base, first);
  }

  /** After the target at `base`: `= value`, `: type [= value]` or `op= value`. */
  private assignment(base: number, first: number): void {
    this.at(base).field = 'left';
    if (this.kind() === Kind.Operator && AUGMENTED.has(this.t.codes[this.i])) {
      this.leaf(this.text.slice(this.t.starts[this.i], this.t.ends[this.i]), false, 'operator');
      this.rightHandSide();
      this.close('augmented_assignment', base, first);
      return;
    }
    if (this.isOp(COLON)) {
      this.i++;
      this.type('type');
      if (!this.isOp(EQUAL)) {
        this.close('assignment', base, first);
        return;
      }
    }
    this.i++;
    this.rightHandSide();
    this.close('assignment', base, first);
  }

  /** The value of an assignment: expressions, a yield, or another assignment (`a = b = c`). */
  private rightHandSide(): void {
    const base = this.top;
    const first = this.i;
    if (this.isKw(K.yield)) {
      this.yieldExpression();
      this.at(base).field = 'right';
      return;
    }
    this.expressions('right');
    if (this.isOp(EQUAL) || (this.kind() === Kind.Operator && AUGMENTED.has(this.t.codes[this.i]))) {
      const target = this.at(base);
      if (target.type === 'expression_list') target.type = 'pattern_list';
      this.toPattern(target);
      this.assignment(base, first);
      this.at(base).field = 'right';
    }
  }

  /** Renames an expression read as an assignment target to its pattern (`(a, b)`: tuple_pattern). */
  private toPattern(node: PyNode): void {
    if (TARGETS.has(node.type)) return;
    const rename = (to: string) => {
      node.type = to;
      for (const child of node.children) if (child.type !== 'comment' && child.type !== 'line_continuation') this.toPattern(child);
    };
    if (node.type === 'pattern_list') rename('pattern_list');
    else if (node.type === 'tuple') rename('tuple_pattern');
    else if (node.type === 'list') rename('list_pattern');
    else if (node.type === 'list_splat' && node.children.length === 1 && TARGETS.has(node.children[0].type)) node.type = 'list_splat_pattern';
    else this.decline(`a ${node.type} as an assignment target`);
  }

  private importList(parenthesized: boolean): void {
    do {
      if (parenthesized && this.isOp(RPAR)) break;
      const base = this.top;
      const first = this.i;
      this.dottedName('name');
      if (this.isKw(K.as)) {
        this.at(base).field = 'name';
        this.i++;
        this.identifier('alias');
        this.close('aliased_import', base, first, 'name');
      }
    } while (this.isOp(COMMA) && (this.i++, parenthesized || !this.endsExpressions()));
  }

  private dottedName(field: string | null): void {
    const base = this.top;
    const first = this.i;
    do this.identifier();
    while (this.isOp(DOT) && (this.i++, true));
    this.close('dotted_name', base, first, field);
  }

  private importFrom(): void {
    const base = this.top;
    const first = this.i++;
    let type = 'import_from_statement';
    if (this.isKw(S.future)) {
      type = 'future_import_statement';
      this.i++;
    } else if (this.isOp(DOT) || this.isOp(ELLIPSIS)) {
      const relative = this.top;
      const start = this.i;
      while (this.isOp(DOT) || this.isOp(ELLIPSIS)) this.i++;
      this.span('import_prefix', true, null, start, this.i - 1);
      if (!this.isKw(S.import)) this.dottedName(null);
      this.close('relative_import', relative, start, 'module_name');
    } else {
      this.dottedName('module_name');
    }
    this.expectKw(S.import);
    if (this.isOp(STAR)) {
      if (type !== 'import_from_statement') this.decline('a wildcard future import');
      this.leaf('wildcard_import', true, null);
    } else if (this.isOp(LPAR)) {
      this.i++;
      this.importList(true);
      this.expectOp(RPAR);
    } else {
      this.importList(false);
    }
    this.close(type, base, first);
  }

  /** The block after a `:` (passed): an indented block, or simple statements on the same line. */
  private suite(field: string | null): void {
    this.enter();
    this.blocks++;
    const base = this.top;
    if (this.kind() === Kind.Indent) {
      this.i++;
      const first = this.i;
      while (this.kind() !== Kind.Dedent) {
        if (this.kind() === Kind.End) this.decline('a block without its end');
        this.statement();
      }
      this.i++;
      if (this.top === base) this.decline('an empty block');
      this.close('block', base, first, field);
    } else if (this.kind() === Kind.Newline || this.kind() === Kind.End) {
      this.decline('a block without statements');
    } else {
      const first = this.i;
      this.simpleStatements(false);
      this.close('block', base, first, field);
    }
    this.blocks--;
    this.leave();
  }

  private ifStatement(): void {
    const base = this.top;
    const first = this.i++;
    this.expression('condition');
    this.expectOp(COLON);
    this.suite('consequence');
    while (this.isKw(S.elif)) {
      const clause = this.top;
      const start = this.i++;
      this.expression('condition');
      this.expectOp(COLON);
      this.suite('consequence');
      this.close('elif_clause', clause, start, 'alternative');
    }
    this.elseClause('alternative');
    this.close('if_statement', base, first);
  }

  private elseClause(field: string | null): void {
    if (!this.isKw(K.else)) return;
    const base = this.top;
    const first = this.i++;
    this.expectOp(COLON);
    this.suite('body');
    this.close('else_clause', base, first, field);
  }

  private forStatement(first: number): void {
    const base = this.top;
    this.expectKw(K.for);
    this.targets('left');
    this.expectKw(K.in);
    this.expressions('right');
    this.expectOp(COLON);
    this.suite('body');
    this.elseClause('alternative');
    this.close('for_statement', base, first);
  }

  private whileStatement(): void {
    const base = this.top;
    const first = this.i++;
    this.expression('condition');
    this.expectOp(COLON);
    this.suite('body');
    this.elseClause('alternative');
    this.close('while_statement', base, first);
  }

  private tryStatement(): void {
    const base = this.top;
    const first = this.i++;
    this.expectOp(COLON);
    this.suite('body');
    while (this.isKw(S.except)) {
      const clause = this.top;
      const start = this.i++;
      if (this.isOp(STAR)) this.decline('except*');
      if (!this.isOp(COLON)) {
        this.expressionAs('value');
        if (this.isOp(COMMA)) this.decline('an except clause with a list');
      }
      this.expectOp(COLON);
      this.suite(null);
      this.close('except_clause', clause, start);
    }
    this.elseClause(null);
    if (this.isKw(S.finally)) {
      const clause = this.top;
      const start = this.i++;
      this.expectOp(COLON);
      this.suite(null);
      this.close('finally_clause', clause, start);
    }
    if (this.top === base + 1) this.decline('a try without handlers');
    this.close('try_statement', base, first);
  }

  private withStatement(first: number): void {
    const base = this.top;
    this.expectKw(S.with);
    if (this.isOp(LPAR)) this.decline('a parenthesized with');
    const clause = this.top;
    const start = this.i;
    for (;;) {
      const item = this.top;
      const itemStart = this.i;
      this.expressionAs('value');
      this.close('with_item', item, itemStart);
      if (!this.isOp(COMMA)) break;
      this.i++;
    }
    this.close('with_clause', clause, start);
    this.expectOp(COLON);
    this.suite('body');
    this.close('with_statement', base, first);
  }

  private functionDefinition(first: number): void {
    const base = this.top;
    this.expectKw(S.def);
    this.identifier('name');
    if (!this.isOp(LPAR)) this.decline('type parameters');
    const params = this.top;
    const open = this.i++;
    this.parameters(RPAR, true);
    this.expectOp(RPAR);
    this.close('parameters', params, open, 'parameters');
    if (this.isOp(ARROW)) {
      this.i++;
      this.type('return_type');
    }
    this.expectOp(COLON);
    this.suite('body');
    this.close('function_definition', base, first);
  }

  private classDefinition(): void {
    const base = this.top;
    const first = this.i++;
    this.identifier('name');
    if (this.isOp(LPAR)) {
      this.arguments('superclasses');
    } else if (!this.isOp(COLON)) {
      this.decline('type parameters');
    }
    this.expectOp(COLON);
    this.suite('body');
    this.close('class_definition', base, first);
  }

  private decorated(): void {
    const base = this.top;
    const first = this.i;
    while (this.isOp(AT)) {
      const decorator = this.top;
      const start = this.i++;
      this.expression();
      if (this.kind() !== Kind.Newline) this.decline('expected the end of a decorator');
      this.i++;
      this.close('decorator', decorator, start);
    }
    const definition = this.top;
    if (this.isKw(S.def)) this.functionDefinition(this.i);
    else if (this.isKw(S.class)) this.classDefinition();
    else if (this.isKw(K.async) && this.t.codes[this.i + 1] === S.def) this.functionDefinition(this.i++);
    else this.decline('a decorator before something else');
    this.at(definition).field = 'definition';
    this.close('decorated_definition', base, first);
  }
}
