/**
 * Statements and blocks, and the entry point: `parseFast(text)` builds the module's top-level
 * nodes as the copy of tree-sitter's tree has them, or returns why it declines.
 */
import type { PyNode } from '../syntax';
import { COLON, COMMA, LPAR, RPAR, STAR, AT, ARROW, K, S } from './codes';
import { SimpleStatementParser } from './simple-statements';
import { Decline, Kind, tokenize, type Tokens } from './tokens';

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

class StatementParser extends SimpleStatementParser {
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
