/**
 * Collections, comprehensions, strings, assignment targets and expression lists, as
 * tree-sitter-python's grammar shapes them.
 */
import { isLongNumbersLiteralText, NUMBERS_LITERAL } from '../numbers-literal';
import { NO_CHILDREN, type PyNode } from '../syntax';
import { LPAR, RPAR, LSQB, RSQB, RBRACE, COMMA, COLON, DOT, EQUAL, STAR, DOUBLESTAR, SEMICOLON, K } from './codes';
import { OperatorParser } from './operators';
import { formatString } from './strings';
import { Decline, Kind, type Tokens } from './tokens';

export abstract class CollectionParser extends OperatorParser {
  /**
   * After a `*` in a collection or an expression list: tree-sitter reads `*a.b`, `*a[i]` and
   * `*f(x)` there either as the splat of the whole or as a splat of `a` inside an attribute,
   * item or call, as its ambiguous grammar resolves them; only the splat of a name is read.
   */
  protected splatOperand(): void {
    const next = this.i + 1;
    if (!this.isIdentifier() || this.t.kinds[next] !== Kind.Operator || this.isOpAt(next, DOT) || this.isOpAt(next, LSQB) || this.isOpAt(next, LPAR)) {
      this.decline('a splat of an expression in a collection');
    }
  }

  protected strings(): void {
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
  protected interpolated(tokens: Tokens): PyNode {
    // A parser of this same class (not imported: the classes extend one another).
    const parser = new (this.constructor as new (text: string, tokens: Tokens) => CollectionParser)(this.text, tokens);
    parser.expression();
    if (parser.kind() !== Kind.End) throw new Decline('more than one expression in an f-string interpolation');
    return parser.at(0);
  }

  protected parenthesized(): void {
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
  protected collection(type: string, comprehension: string, closer: number): void {
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
  protected collectionRest(type: string, comprehension: string, closer: number, base: number, first: number, splat: boolean): void {
    if (!splat && (this.isKw(K.for) || this.isKw(K.async))) {
      this.at(base).field = 'body';
      this.comprehension(comprehension, base, first, closer);
      return;
    }
    this.elements(closer);
    this.numbers(this.close(type, base, first));
  }

  protected braces(): void {
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

  protected pairRest(key: number): void {
    this.at(key).field = 'key';
    this.expectOp(COLON);
    this.expression('value');
    this.close('pair', key, this.firstOf(key));
  }

  protected dictionarySplat(): void {
    const base = this.top;
    const first = this.i++;
    this.expression();
    this.close('dictionary_splat', base, first);
  }

  /** One element of a list, set or tuple: an expression, a yield or a `*` splat of one. */
  protected element(): void {
    if (this.isKw(K.yield)) return this.yieldExpression();
    if (!this.isOp(STAR)) return this.expression();
    const base = this.top;
    const first = this.i++;
    this.splatOperand();
    this.expression();
    this.close('list_splat', base, first);
  }

  /** The elements after the first, to the closing bracket. */
  protected elements(closer: number): void {
    while (this.isOp(COMMA)) {
      this.i++;
      if (this.isOp(closer)) break;
      this.element();
    }
    this.expectOp(closer);
  }

  /** A long list, tuple or set of numbers only becomes one leaf, as the copy makes it. */
  protected numbers(node: PyNode): void {
    if (isLongNumbersLiteralText(node, this.text)) {
      node.type = NUMBERS_LITERAL;
      node.children = NO_CHILDREN;
    }
  }

  /** The `for … in … if …` clauses after the body at `base`, and the closing bracket. */
  protected comprehension(type: string, base: number, first: number, closer: number): void {
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

  protected target(): void {
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

  protected checkTarget(): void {
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
    return code === RPAR || code === RSQB || code === RBRACE || code === EQUAL || code === SEMICOLON || code === COLON;
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
}
