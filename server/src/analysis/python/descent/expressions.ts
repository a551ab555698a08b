/**
 * Expressions, as tree-sitter-python's grammar shapes them (its precedences, not Python's:
 * `^` binds tighter than `&`; operands of binary operators are primary expressions).
 */
import { isLongNumbersLiteralText, NUMBERS_LITERAL } from '../numbers-literal';
import { NO_CHILDREN, type PyNode } from '../syntax';
import { Builder } from './builder';
import { formatString } from './strings';
import { Decline, Kind, kw, op, OPERATOR_TEXT, RESERVED_LIMIT, type Tokens } from './tokens';

const LPAR = op('(');
const RPAR = op(')');
const LSQB = op('[');
const RSQB = op(']');
const LBRACE = op('{');
const RBRACE = op('}');
const COMMA = op(',');
const COLON = op(':');
const DOT = op('.');
const EQUAL = op('=');
const STAR = op('*');
const DOUBLESTAR = op('**');
const WALRUS = op(':=');
const ELLIPSIS = op('...');
const MINUS = op('-');
const PLUS = op('+');
const TILDE = op('~');

export const K = {
  False: kw('False'),
  None: kw('None'),
  True: kw('True'),
  and: kw('and'),
  as: kw('as'),
  async: kw('async'),
  await: kw('await'),
  else: kw('else'),
  for: kw('for'),
  from: kw('from'),
  if: kw('if'),
  in: kw('in'),
  is: kw('is'),
  lambda: kw('lambda'),
  not: kw('not'),
  or: kw('or'),
  yield: kw('yield'),
};

/** Precedence of binary operators by token code (tree-sitter-python's PREC). */
const BINARY = new Map<number, number>([
  [op('|'), 14], [op('&'), 15], [op('^'), 16], [op('<<'), 17], [op('>>'), 17], [op('+'), 18], [op('-'), 18],
  [op('*'), 19], [op('@'), 19], [op('/'), 19], [op('%'), 19], [op('//'), 19],
]);
const COMPARISON = new Set(['<', '<=', '==', '!=', '>=', '>', '<>'].map(op));

export class ExpressionParser extends Builder {
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

  protected disjunction(): void {
    const base = this.top;
    this.conjunction();
    while (this.isKw(K.or)) {
      this.at(base).field = 'left';
      this.leaf('or', false, 'operator');
      this.conjunction();
      this.at(this.top - 1).field = 'right';
      this.close('boolean_operator', base, this.firstOf(base));
    }
  }

  private conjunction(): void {
    const base = this.top;
    this.inversion();
    while (this.isKw(K.and)) {
      this.at(base).field = 'left';
      this.leaf('and', false, 'operator');
      this.inversion();
      this.at(this.top - 1).field = 'right';
      this.close('boolean_operator', base, this.firstOf(base));
    }
  }

  private inversion(): void {
    if (!this.isKw(K.not)) return this.comparison();
    this.enter();
    const base = this.top;
    const first = this.i++;
    this.inversion();
    this.at(this.top - 1).field = 'argument';
    this.close('not_operator', base, first);
    this.leave();
  }

  private comparison(): void {
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

  private twoWords(type: string, at: number): void {
    this.i = at + 2;
    this.span(type, false, 'operators', at, at + 1);
  }

  /** Binary operators of at least precedence `min`, on operands with unary operators and powers. */
  private binary(min: number): void {
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

  private power(): void {
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

  private subscript(): void {
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

  private argument(): void {
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

  private atom(): void {
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

  /**
   * After a `*` in a collection or an expression list: tree-sitter reads `*a.b`, `*a[i]` and
   * `*f(x)` there either as the splat of the whole or as a splat of `a` inside an attribute,
   * item or call, as its ambiguous grammar resolves them; only the splat of a name is read.
   */
  private splatOperand(): void {
    const next = this.i + 1;
    if (!this.isIdentifier() || this.t.kinds[next] !== Kind.Operator || this.isOpAt(next, DOT) || this.isOpAt(next, LSQB) || this.isOpAt(next, LPAR)) {
      this.decline('a splat of an expression in a collection');
    }
  }

  private strings(): void {
    const base = this.top;
    const first = this.i;
    while (this.kind() === Kind.String || this.kind() === Kind.FormatString) {
      if (this.kind() === Kind.String) this.leaf('string', true, null);
      else {
        const at = this.i++;
        this.push(formatString(this.text, this.t.starts[at], this.t.ends[at], (tokens) => this.interpolated(tokens)), at, 4);
      }
    }
    if (this.top - base > 1) this.close('concatenated_string', base, first);
  }

  /** The expression of an f-string's interpolation, from its own tokens. */
  private interpolated(tokens: Tokens): PyNode {
    const parser = new ExpressionParser(this.text, tokens);
    parser.expression();
    if (parser.kind() !== Kind.End) throw new Decline('more than one expression in an f-string interpolation');
    return parser.at(0);
  }

  private parenthesized(): void {
    const base = this.top;
    const first = this.i++;
    if (this.isOp(RPAR)) {
      this.i++;
      this.close('tuple', base, first);
      return;
    }
    if (this.isKw(K.yield)) {
      this.yieldExpression();
      this.expectOp(RPAR);
      this.close('parenthesized_expression', base, first);
      return;
    }
    const splat = this.isOp(STAR);
    this.element();
    if (this.isOp(RPAR) && !splat) {
      this.i++;
      this.close('parenthesized_expression', base, first);
      return;
    }
    if (this.isOp(RPAR)) this.decline('a parenthesized list splat');
    this.collectionRest('tuple', 'generator_expression', RPAR, base, first, splat);
  }

  /** `[…]` or `{…}` of elements: a list or set, or its comprehension. */
  private collection(type: string, comprehension: string, closer: number): void {
    const base = this.top;
    const first = this.i++;
    if (this.isOp(closer)) {
      this.i++;
      this.close(type, base, first);
      return;
    }
    const splat = this.isOp(STAR);
    this.element();
    this.collectionRest(type, comprehension, closer, base, first, splat);
  }

  /** After a collection's first element (at `base`): a comprehension, or more elements. */
  private collectionRest(type: string, comprehension: string, closer: number, base: number, first: number, splat: boolean): void {
    if (!splat && (this.isKw(K.for) || this.isKw(K.async))) {
      this.at(base).field = 'body';
      this.comprehension(comprehension, base, first, closer);
      return;
    }
    this.elements(closer);
    this.numbers(this.close(type, base, first));
  }

  private braces(): void {
    const base = this.top;
    const first = this.i;
    if (this.isOpAt(first + 1, RBRACE)) {
      this.i += 2;
      this.close('dictionary', base, first);
      return;
    }
    if (this.isOpAt(first + 1, STAR)) return this.collection('set', 'set_comprehension', RBRACE);
    this.i++;
    if (!this.isOp(DOUBLESTAR)) {
      const yields = this.isKw(K.yield);
      this.element();
      if (!this.isOp(COLON)) return this.collectionRest('set', 'set_comprehension', RBRACE, base, first, false);
      if (yields) this.decline('a yield as a key');
      this.pairRest(base);
      if (this.isKw(K.for) || this.isKw(K.async)) {
        this.at(base).field = 'body';
        this.comprehension('dictionary_comprehension', base, first, RBRACE);
        return;
      }
    } else {
      this.dictionarySplat();
    }
    while (this.isOp(COMMA)) {
      this.i++;
      if (this.isOp(RBRACE)) break;
      if (this.isOp(DOUBLESTAR)) {
        this.dictionarySplat();
      } else {
        const pair = this.top;
        this.expression();
        this.pairRest(pair);
      }
    }
    this.expectOp(RBRACE);
    this.close('dictionary', base, first);
  }

  private pairRest(key: number): void {
    this.at(key).field = 'key';
    this.expectOp(COLON);
    this.expression('value');
    this.close('pair', key, this.firstOf(key));
  }

  private dictionarySplat(): void {
    const base = this.top;
    const first = this.i++;
    this.expression();
    this.close('dictionary_splat', base, first);
  }

  /** One element of a list, set or tuple: an expression, a yield or a `*` splat of one. */
  private element(): void {
    if (this.isKw(K.yield)) return this.yieldExpression();
    if (!this.isOp(STAR)) return this.expression();
    const base = this.top;
    const first = this.i++;
    this.splatOperand();
    this.expression();
    this.close('list_splat', base, first);
  }

  /** The elements after the first, to the closing bracket. */
  private elements(closer: number): void {
    while (this.isOp(COMMA)) {
      this.i++;
      if (this.isOp(closer)) break;
      this.element();
    }
    this.expectOp(closer);
  }

  /** A long list, tuple or set of numbers only becomes one leaf, as the copy makes it. */
  private numbers(node: PyNode): void {
    if (isLongNumbersLiteralText(node, this.text)) {
      node.type = NUMBERS_LITERAL;
      node.children = NO_CHILDREN;
    }
  }

  /** The `for … in … if …` clauses after the body at `base`, and the closing bracket. */
  private comprehension(type: string, base: number, first: number, closer: number): void {
    while (!this.isOp(closer)) {
      const clause = this.top;
      const start = this.i;
      if (this.isKw(K.if)) {
        this.i++;
        this.disjunction();
        this.close('if_clause', clause, start);
        continue;
      }
      if (this.isKw(K.async)) this.i++;
      this.expectKw(K.for);
      this.targets('left');
      this.expectKw(K.in);
      do {
        if (this.isKw(K.lambda)) this.decline('a lambda in a for clause');
        const right = this.top;
        this.disjunction();
        this.at(right).field = 'right';
      } while (this.isOp(COMMA) && (this.i++, !this.isOp(closer) && !this.isKw(K.for) && !this.isKw(K.if)));
      this.close('for_in_clause', clause, start);
    }
    this.i++;
    this.close(type, base, first);
  }

  /** Assignment targets up to `in` (a for statement or clause): a pattern or a pattern list. */
  protected targets(field: string): void {
    const base = this.top;
    const first = this.i;
    this.target();
    if (!this.isOp(COMMA)) {
      this.at(base).field = field;
      return;
    }
    while (this.isOp(COMMA)) {
      this.i++;
      if (this.isKw(K.in) || this.isOp(EQUAL)) break;
      this.target();
    }
    this.close('pattern_list', base, first, field);
  }

  private target(): void {
    const base = this.top;
    const first = this.i;
    if (this.isOp(STAR)) {
      this.i++;
      this.primary();
      this.checkTarget();
      this.close('list_splat_pattern', base, first);
    } else if (this.isOp(LPAR) || this.isOp(LSQB)) {
      const closer = this.isOp(LPAR) ? RPAR : RSQB;
      this.i++;
      let commas = 0;
      while (!this.isOp(closer)) {
        this.target();
        if (!this.isOp(COMMA)) break;
        this.i++;
        commas++;
      }
      this.expectOp(closer);
      if (closer === RPAR && commas === 0 && this.top > base) this.decline('a parenthesized target');
      this.close(closer === RPAR ? 'tuple_pattern' : 'list_pattern', base, first);
    } else {
      this.primary();
      this.checkTarget();
    }
  }

  private checkTarget(): void {
    const type = this.at(this.top - 1).type;
    if (type !== 'identifier' && type !== 'attribute' && type !== 'subscript') this.decline('a target that is not a name');
  }

  protected yieldExpression(): void {
    const base = this.top;
    const first = this.i++;
    if (this.isKw(K.from)) {
      this.i++;
      this.expression();
    } else if (!this.endsExpressions()) {
      this.expressions();
    }
    this.close('yield', base, first);
  }

  /** Whether no expression follows: a closing bracket, a line end, `=` or `;`. */
  protected endsExpressions(): boolean {
    const kind = this.kind();
    if (kind === Kind.Newline || kind === Kind.End) return true;
    if (kind !== Kind.Operator) return false;
    const code = this.t.codes[this.i];
    return code === RPAR || code === RSQB || code === RBRACE || code === EQUAL || code === op(';') || code === COLON;
  }

  /** `_expressions`: an expression, or an expression list (`a, b`, `a,`). */
  protected expressions(field: string | null = null): void {
    const base = this.top;
    this.expression();
    if (!this.isOp(COMMA)) {
      this.at(base).field = field;
      return;
    }
    while (this.isOp(COMMA)) {
      this.i++;
      if (this.endsExpressions() || this.isKw(K.in) || this.isKw(K.for)) break;
      this.expression();
    }
    this.close('expression_list', base, this.firstOf(base), field);
  }

  private lambda(field: string | null): void {
    const base = this.top;
    const first = this.i++;
    if (!this.isOp(COLON)) {
      const params = this.top;
      this.parameters(COLON, false);
      this.close('lambda_parameters', params, this.firstOf(params), 'parameters');
    }
    this.expectOp(COLON);
    this.expression('body');
    this.close('lambda', base, first, field);
  }

  /** Parameters up to `closer` (not passed): of a def (`typed`) or a lambda. */
  protected parameters(closer: number, typed: boolean): void {
    while (!this.isOp(closer)) {
      const base = this.top;
      const first = this.i;
      if (this.isOp(STAR) || this.isOp(DOUBLESTAR)) {
        const star = this.isOp(STAR);
        this.i++;
        if (star && (this.isOp(COMMA) || this.isOp(closer))) {
          this.span('keyword_separator', true, null, first, first);
        } else {
          this.identifier();
          this.close(star ? 'list_splat_pattern' : 'dictionary_splat_pattern', base, first);
          if (typed && this.isOp(COLON)) {
            this.i++;
            this.type('type');
            this.close('typed_parameter', base, first);
          }
        }
      } else if (this.isOp(op('/'))) {
        this.leaf('positional_separator', true, null);
      } else {
        this.identifier();
        const typedHere = typed && this.isOp(COLON);
        if (typedHere) {
          this.i++;
          this.type('type');
        }
        if (this.isOp(EQUAL)) {
          this.at(base).field = 'name';
          this.i++;
          this.expression('value');
          this.close(typedHere ? 'typed_default_parameter' : 'default_parameter', base, first);
        } else if (typedHere) {
          this.close('typed_parameter', base, first);
        }
      }
      if (!this.isOp(COMMA)) break;
      this.i++;
    }
  }

  /** A type annotation: a generic type (`List[int]`), a union of one, or an expression. */
  protected type(field: string): void {
    const base = this.top;
    const first = this.i;
    if (this.isIdentifier() && this.isOpAt(this.i + 1, LSQB)) {
      this.genericType();
      if (this.isOp(op('|'))) {
        this.close('type', base, first);
        this.i++;
        const right = this.top;
        this.type('');
        const inner = this.at(right).children[0];
        if (!inner || this.isOp(op('|')) || inner.type === 'union_type' || (inner.type === 'binary_operator' && inner.children[1]?.type === '|')) this.decline('a union of types');
        this.at(right).field = null;
        this.close('union_type', base, first);
      } else if (!this.endsType()) {
        this.decline('a generic type in an expression');
      }
    } else {
      this.enter();
      if (this.isKw(K.lambda) || this.isOp(STAR) || this.isOp(DOUBLESTAR)) this.decline('an unusual type');
      this.disjunction();
      if (this.isKw(K.if)) this.decline('a conditional type');
      if (this.unionOfGenerics(first)) this.decline('a union in a generic type');
      this.leave();
    }
    this.close('type', base, first, field || null);
  }

  /** Whether the type from token `first` has both `|` and `[`: tree-sitter may read a union_type there. */
  private unionOfGenerics(first: number): boolean {
    let union = false;
    let item = false;
    for (let k = first; k < this.i; k++) {
      union ||= this.isOpAt(k, op('|'));
      item ||= this.isOpAt(k, LSQB);
    }
    return union && item;
  }

  private genericType(): void {
    const base = this.top;
    const first = this.i;
    this.identifier();
    const params = this.top;
    const open = this.i++;
    do {
      this.type('');
      this.at(this.top - 1).field = null;
    } while (this.isOp(COMMA) && (this.i++, !this.isOp(RSQB)));
    this.expectOp(RSQB);
    this.close('type_parameter', params, open);
    this.close('generic_type', base, first);
  }

  private endsType(): boolean {
    const kind = this.kind();
    if (kind === Kind.Newline || kind === Kind.End) return true;
    const code = this.t.codes[this.i];
    return kind === Kind.Operator && (code === COMMA || code === RSQB || code === RPAR || code === EQUAL || code === COLON || code === op(';'));
  }
}
