/** Simple statements: expression statements, assignments, imports and the keyword statements. */
import type { PyNode } from '../syntax';
import { COLON, COMMA, SEMICOLON, EQUAL, LPAR, RPAR, DOT, ELLIPSIS, STAR, K, S } from './codes';
import { ExpressionParser } from './expressions';
import { Kind, op } from './tokens';

const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '@=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|='].map(op));
const TARGETS = new Set(['identifier', 'attribute', 'subscript']);

export class SimpleStatementParser extends ExpressionParser {
  /** Simple statements on one line, separated by `;`, to the NEWLINE (passed). */
  protected simpleStatements(topLevel: boolean): void {
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
}
