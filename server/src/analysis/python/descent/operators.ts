/**
 * Expressions, as tree-sitter-python's grammar shapes them (its precedences, not Python's:
 * `^` binds tighter than `&`; operands of binary operators are primary expressions): from
 * `expression` down to atoms. Collections, comprehensions and strings are in collections.ts,
 * lambdas, parameters and types in expressions.ts.
 */
import { Builder } from './builder';
import { LPAR, RPAR, LSQB, RSQB, LBRACE, COMMA, COLON, DOT, EQUAL, STAR, DOUBLESTAR, WALRUS, ELLIPSIS, MINUS, PLUS, TILDE, K } from './codes';
import { Kind, op, OPERATOR_TEXT, RESERVED_LIMIT } from './tokens';

/** Precedence of binary operators by token code (tree-sitter-python's PREC). */
const BINARY = new Map<number, number>([
  [op('|'), 14], [op('&'), 15], [op('^'), 16], [op('<<'), 17], [op('>>'), 17], [op('+'), 18], [op('-'), 18],
  [op('*'), 19], [op('@'), 19], [op('/'), 19], [op('%'), 19], [op('//'), 19],
]);
const COMPARISON = new Set(['<', '<=', '==', '!=', '>=', '>', '<>'].map(op));

export abstract class OperatorParser extends Builder {
  protected abstract lambda(field: string | null): void;
  protected abstract strings(): void;
  protected abstract parenthesized(): void;
  protected abstract collection(type: string, comprehension: string, closer: number): void;
  protected abstract braces(): void;
  protected abstract splatOperand(): void;
  protected abstract comprehension(type: string, base: number, first: number, closer: number): void;

  /** A name that stands for an identifier here: not a reserved word. */
  protected isIdentifier(at = this.i): boolean {
    const code = this.t.codes[at];
    return this.t.kinds[at] === Kind.Name && (code === 0 || code > RESERVED_LIMIT);
  }

  protected identifier(field: string | null = null): void {
    if (!this.isIdentifier()) this.decline('expected a name');
    this.leaf('identifier', true, field);
  }

  /** `expression`: lambda, named expression, conditional expression and below. */
  protected expression(field: string | null = null): void {
    this.enter();
    if (this.isKw(K.lambda)) {
      this.lambda(field);
    } else if (this.isIdentifier() && this.isOpAt(this.i + 1, WALRUS)) {
      const base = this.top;
      const first = this.i;
      this.identifier('name');
      this.i++;
      this.expression('value');
      this.close('named_expression', base, first, field);
    } else {
      const base = this.top;
      this.disjunction();
      if (this.isKw(K.if)) {
        this.i++;
        this.disjunction();
        this.expectKw(K.else);
        this.expression();
        this.close('conditional_expression', base, this.firstOf(base), field);
      } else {
        this.at(base).field = field;
      }
    }
    this.leave();
  }

  /** An expression as a with item or an exception: `x as y` is an `as_pattern`. */
  protected expressionAs(field: string): void {
    const base = this.top;
    this.expression();
    if (!this.isKw(K.as)) {
      this.at(base).field = field;
      return;
    }
    this.i++;
    const target = this.top;
    this.expression();
    this.close('as_pattern_target', target, this.firstOf(target), 'alias');
    this.close('as_pattern', base, this.firstOf(base), field);
  }

  /** `or` of `and`s of `not`s: left-associative boolean operators. */
  protected disjunction(): void {
    this.booleans(true);
  }

  protected booleans(or: boolean): void {
    const base = this.top;
    if (or) this.booleans(false);
    else this.inversion();
    while (this.isKw(or ? K.or : K.and)) {
      this.at(base).field = 'left';
      this.leaf(or ? 'or' : 'and', false, 'operator');
      if (or) this.booleans(false);
      else this.inversion();
      this.at(this.top - 1).field = 'right';
      this.close('boolean_operator', base, this.firstOf(base));
    }
  }

  protected inversion(): void {
    if (!this.isKw(K.not)) return this.comparison();
    this.enter();
    const base = this.top;
    const first = this.i++;
    this.inversion();
    this.at(this.top - 1).field = 'argument';
    this.close('not_operator', base, first);
    this.leave();
  }

  protected comparison(): void {
    const base = this.top;
    this.binary(14);
    let operators = 0;
    for (;;) {
      const at = this.i;
      if (this.kind() === Kind.Operator && COMPARISON.has(this.t.codes[at])) this.leaf(OPERATOR_TEXT[this.t.codes[at]], false, 'operators');
      else if (this.isKw(K.in)) this.leaf('in', false, 'operators');
      else if (this.isKw(K.not) && this.t.kinds[at + 1] === Kind.Name && this.t.codes[at + 1] === K.in) this.twoWords('not in', at);
      else if (this.isKw(K.is)) {
        if (this.t.kinds[at + 1] === Kind.Name && this.t.codes[at + 1] === K.not) this.twoWords('is not', at);
        else this.leaf('is', false, 'operators');
      } else break;
      operators++;
      this.binary(14);
    }
    if (operators > 0) this.close('comparison_operator', base, this.firstOf(base));
  }

  protected twoWords(type: string, at: number): void {
    this.i = at + 2;
    this.span(type, false, 'operators', at, at + 1);
  }

  /** Binary operators of at least precedence `min`, on operands with unary operators and powers. */
  protected binary(min: number): void {
    const base = this.top;
    this.power();
    for (;;) {
      const precedence = this.kind() === Kind.Operator ? BINARY.get(this.t.codes[this.i]) : undefined;
      if (precedence === undefined || precedence < min) return;
      this.at(base).field = 'left';
      this.leaf(OPERATOR_TEXT[this.t.codes[this.i]], false, 'operator');
      this.enter();
      this.binary(precedence + 1);
      this.leave();
      this.at(this.top - 1).field = 'right';
      this.close('binary_operator', base, this.firstOf(base));
    }
  }

  protected power(): void {
    this.enter();
    const base = this.top;
    const first = this.i;
    if (this.isOp(MINUS) || this.isOp(PLUS) || this.isOp(TILDE)) {
      this.leaf(OPERATOR_TEXT[this.t.codes[this.i]], false, 'operator');
      this.power();
      this.at(this.top - 1).field = 'argument';
      this.close('unary_operator', base, first);
    } else if (this.isKw(K.await)) {
      this.i++;
      this.power();
      this.close('await', base, first);
    } else {
      this.primary();
      if (this.isOp(DOUBLESTAR)) {
        this.at(base).field = 'left';
        this.leaf('**', false, 'operator');
        this.power();
        this.at(this.top - 1).field = 'right';
        this.close('binary_operator', base, first);
      }
    }
    this.leave();
  }

  /** An atom and its attributes, calls and subscripts. */
  protected primary(): void {
    const base = this.top;
    const first = this.i;
    this.atom();
    for (;;) {
      if (this.isOp(DOT)) {
        this.at(base).field = 'object';
        this.i++;
        this.identifier('attribute');
        this.close('attribute', base, first);
      } else if (this.isOp(LPAR)) {
        this.at(base).field = 'function';
        this.arguments();
        this.close('call', base, first);
      } else if (this.isOp(LSQB)) {
        this.at(base).field = 'value';
        this.i++;
        const index = this.top;
        do {
          this.subscript();
        } while (this.isOp(COMMA) && (this.i++, !this.isOp(RSQB)));
        this.expectOp(RSQB);
        if (this.t.starts[this.i - 1] - this.at(index).start >= 65_536) this.decline('a long index');
        this.close('subscript', base, first);
      } else {
        return;
      }
    }
  }

  protected subscript(): void {
    const base = this.top;
    const first = this.i;
    if (!this.isOp(COLON)) {
      this.expression('subscript');
      if (!this.isOp(COLON)) return;
      this.at(base).field = null;
    }
    this.i++;
    if (!this.isOp(COLON) && !this.isOp(COMMA) && !this.isOp(RSQB)) this.expression();
    if (this.isOp(COLON)) {
      this.i++;
      if (!this.isOp(COMMA) && !this.isOp(RSQB)) this.expression();
    }
    this.close('slice', base, first, 'subscript');
  }

  /** `(…)` after a callee: an argument list, or a generator expression as the only argument. */
  protected arguments(field = 'arguments'): void {
    const base = this.top;
    const first = this.i++;
    if (this.isOp(RPAR)) {
      this.i++;
      this.close('argument_list', base, first, field);
      return;
    }
    this.argument();
    if (this.isKw(K.for) || this.isKw(K.async)) {
      this.at(base).field = 'body';
      this.comprehension('generator_expression', base, first, RPAR);
      this.at(base).field = field;
      return;
    }
    while (this.isOp(COMMA)) {
      this.i++;
      if (this.isOp(RPAR)) break;
      this.argument();
    }
    this.expectOp(RPAR);
    this.close('argument_list', base, first, field);
  }

  protected argument(): void {
    const base = this.top;
    const first = this.i;
    if (this.isOp(STAR) || this.isOp(DOUBLESTAR)) {
      const type = this.isOp(STAR) ? 'list_splat' : 'dictionary_splat';
      this.i++;
      this.expression();
      this.close(type, base, first);
    } else if (this.isIdentifier() && this.isOpAt(this.i + 1, EQUAL)) {
      this.identifier('name');
      this.i++;
      this.expression('value');
      this.close('keyword_argument', base, first);
    } else if (this.isOp(LPAR) && this.isOpAt(this.i + 1, STAR)) {
      this.decline('a parenthesized list splat');
    } else {
      this.expression();
    }
  }

  protected atom(): void {
    const kind = this.kind();
    if (kind === Kind.Name) {
      const code = this.t.codes[this.i];
      if (code === 0 || code > RESERVED_LIMIT) this.leaf('identifier', true, null);
      else if (code === K.True) this.leaf('true', true, null);
      else if (code === K.False) this.leaf('false', true, null);
      else if (code === K.None) this.leaf('none', true, null);
      else this.decline('a keyword where an expression was expected');
    } else if (kind === Kind.Integer) {
      this.leaf('integer', true, null);
    } else if (kind === Kind.Float) {
      this.leaf('float', true, null);
    } else if (kind === Kind.String || kind === Kind.FormatString) {
      this.strings();
    } else if (this.isOp(LPAR)) {
      this.parenthesized();
    } else if (this.isOp(LSQB)) {
      this.collection('list', 'list_comprehension', RSQB);
    } else if (this.isOp(LBRACE)) {
      this.braces();
    } else if (this.isOp(ELLIPSIS)) {
      this.leaf('ellipsis', true, null);
    } else if (this.isOp(STAR)) {
      // `*x` as a primary expression: tree-sitter's list_splat_pattern, named list_splat.
      const base = this.top;
      const first = this.i++;
      this.splatOperand();
      this.primary();
      if (this.at(this.top - 1).type !== 'identifier') this.decline('a splat of an expression');
      this.close('list_splat', base, first);
    } else {
      this.decline('a token where an expression was expected');
    }
  }
}
