/** Lambdas, parameters and type annotations, as tree-sitter-python's grammar shapes them. */
import { CollectionParser } from './collections';
import { Kind } from './tokens';
import { RPAR, LSQB, RSQB, COMMA, COLON, EQUAL, STAR, DOUBLESTAR, VBAR, SEMICOLON, SLASH, K } from './codes';

export class ExpressionParser extends CollectionParser {
  protected lambda(field: string | null): void {
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
      } else if (this.isOp(SLASH)) {
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
      if (this.isOp(VBAR)) {
        this.close('type', base, first);
        this.i++;
        const right = this.top;
        this.type('');
        const inner = this.at(right).children[0];
        if (!inner || this.isOp(VBAR) || inner.type === 'union_type' || (inner.type === 'binary_operator' && inner.children[1]?.type === '|')) this.decline('a union of types');
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
  protected unionOfGenerics(first: number): boolean {
    let union = false;
    let item = false;
    for (let k = first; k < this.i; k++) {
      union ||= this.isOpAt(k, VBAR);
      item ||= this.isOpAt(k, LSQB);
    }
    return union && item;
  }

  protected genericType(): void {
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

  protected endsType(): boolean {
    const kind = this.kind();
    if (kind === Kind.Newline || kind === Kind.End) return true;
    const code = this.t.codes[this.i];
    return kind === Kind.Operator && (code === COMMA || code === RSQB || code === RPAR || code === EQUAL || code === COLON || code === SEMICOLON);
  }
}
