/**
 * Statements, flow-sensitively: each read sees the values that reach it. Branches (`if`,
 * `try`, `match`) are merged where they meet, a loop body is evaluated until what its
 * variables hold stops changing (widened after a few rounds), and code after `return`,
 * `raise`, `break` or `continue` is reached by no path.
 */
import { NONE, UNKNOWN } from '../shapes/values';
import type { ShapeAnalysis } from './shape-analysis';
import type { Env, Frame } from './frame';
import { field, namedChildren, type PyNode } from './syntax';

/** Rounds over a loop body before what still changes is widened away. */
const LOOP_ROUNDS = 4;
const MAX_LOOP_ROUNDS = 8;

export class Flow {
  constructor(private readonly analysis: ShapeAnalysis) {}

  /** Runs a block (or a module's statements); returns the environment after it, or null when no path gets through. */
  block(frame: Frame, env: Env | null, node: PyNode | null): Env | null {
    if (!node) return env;
    for (const statement of node.children) {
      // Code no path reaches (after a return) has no values: its sites stay unknown.
      if (!env) return null;
      env = this.statement(frame, env, statement);
    }
    return env;
  }

  statement(frame: Frame, env: Env, node: PyNode): Env | null {
    const ev = this.analysis.expressions;
    switch (node.type) {
      case 'expression_statement':
        for (const child of namedChildren(node)) this.analysis.bindings.expressionStatement(frame, env, child, node);
        return env;
      case 'return_statement': {
        const value = namedChildren(node)[0];
        const result = value ? ev.evaluate(frame, env, value) : NONE;
        frame.returns = frame.returns ? this.analysis.join(frame, frame.returns, result, node, 'return') : result;
        return null;
      }
      case 'raise_statement':
        for (const child of namedChildren(node)) ev.evaluate(frame, env, child);
        return null;
      case 'break_statement':
        frame.loops[frame.loops.length - 1]?.breaks.push(env);
        return null;
      case 'continue_statement':
        frame.loops[frame.loops.length - 1]?.continues.push(env);
        return null;
      case 'if_statement':
        return this.ifStatement(frame, env, node);
      case 'for_statement':
        return this.forStatement(frame, env, node);
      case 'while_statement':
        return this.whileStatement(frame, env, node);
      case 'try_statement':
        return this.tryStatement(frame, env, node);
      case 'with_statement':
        return this.withStatement(frame, env, node);
      case 'match_statement':
        return this.matchStatement(frame, env, node);
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
        this.analysis.bindings.definition(frame, env, node);
        return env;
      case 'import_statement':
      case 'import_from_statement':
        this.analysis.bindings.importStatement(frame, env, node);
        return env;
      case 'delete_statement':
        for (const target of namedChildren(node)) {
          const inner = target.type === 'expression_list' ? namedChildren(target) : [target];
          for (const t of inner) if (t.type === 'identifier') env.delete(this.analysis.text(frame, t));
        }
        return env;
      case 'assert_statement':
        for (const child of namedChildren(node)) ev.evaluate(frame, env, child);
        return env;
      case 'block':
        return this.block(frame, env, node);
      default:
        // `pass`, `global`, `nonlocal`, comments, `print` statements of Python 2, ERROR nodes:
        // whatever expressions they hold are still read for their sites.
        for (const child of namedChildren(node)) if (isExpression(child)) ev.evaluate(frame, env, child);
        return env;
    }
  }

  private ifStatement(frame: Frame, env: Env, node: PyNode): Env | null {
    const ev = this.analysis.expressions;
    const ends: (Env | null)[] = [];
    let rest: Env = env;
    let hasElse = false;
    const condition = field(node, 'condition');
    if (condition) ev.evaluate(frame, rest, condition);
    ends.push(this.block(frame, new Map(rest), field(node, 'consequence')));
    for (const clause of node.children.filter((c) => c.field === 'alternative')) {
      if (clause.type === 'elif_clause') {
        const test = field(clause, 'condition');
        if (test) ev.evaluate(frame, rest, test);
        ends.push(this.block(frame, new Map(rest), field(clause, 'consequence')));
      } else {
        hasElse = true;
        ends.push(this.block(frame, new Map(rest), field(clause, 'body') ?? namedChildren(clause).find((c) => c.type === 'block') ?? null));
      }
    }
    if (!hasElse) ends.push(rest);
    return this.analysis.joinEnvs(frame, ends, node);
  }

  /**
   * A loop: the body runs with the merge of the values before the loop and after each round,
   * until that merge stops changing. The code after it sees the merge (the loop may run zero
   * times) and whatever `break` carried out.
   */
  private loop(frame: Frame, env: Env, node: PyNode, round: (head: Env) => Env | null): Env | null {
    let head = env;
    let exits = { breaks: [] as Env[], continues: [] as Env[] };
    for (let i = 0; i < MAX_LOOP_ROUNDS; i++) {
      exits = { breaks: [], continues: [] };
      frame.loops.push(exits);
      const end = round(new Map(head));
      frame.loops.pop();
      const next = this.analysis.joinEnvs(frame, [head, end, ...exits.continues], node, i >= LOOP_ROUNDS ? head : null)!;
      if (this.analysis.sameEnv(next, head)) break;
      head = next;
    }
    return this.analysis.joinEnvs(frame, [head, ...exits.breaks], node);
  }

  private forStatement(frame: Frame, env: Env, node: PyNode): Env | null {
    const ev = this.analysis.expressions;
    const right = field(node, 'right');
    const iterable = right ? ev.evaluate(frame, env, right) : UNKNOWN;
    const element = ev.elementOf(frame, iterable, right ?? node);
    const left = field(node, 'left');
    const after = this.loop(frame, env, node, (head) => {
      if (left) this.analysis.bindings.assign(frame, head, left, element, node);
      return this.block(frame, head, field(node, 'body'));
    });
    return this.elseClause(frame, after, node);
  }

  private whileStatement(frame: Frame, env: Env, node: PyNode): Env | null {
    const ev = this.analysis.expressions;
    const condition = field(node, 'condition');
    const after = this.loop(frame, env, node, (head) => {
      if (condition) ev.evaluate(frame, head, condition);
      return this.block(frame, head, field(node, 'body'));
    });
    return this.elseClause(frame, after, node);
  }

  private elseClause(frame: Frame, env: Env | null, node: PyNode): Env | null {
    const clause = node.children.find((c) => c.type === 'else_clause');
    if (!clause || !env) return env;
    return this.block(frame, env, field(clause, 'body') ?? namedChildren(clause).find((c) => c.type === 'block') ?? null);
  }

  /**
   * `try`: a handler may start after any statement of the body, so it sees the merge of every
   * point in it; `else` follows the body; `finally` runs after all of them.
   */
  private tryStatement(frame: Frame, env: Env, node: PyNode): Env | null {
    const points: Env[] = [env];
    let current: Env | null = new Map(env);
    const body = field(node, 'body');
    for (const statement of body?.children ?? []) {
      if (!current) break;
      current = this.statement(frame, current, statement);
      if (current) points.push(new Map(current));
    }
    const ends: (Env | null)[] = [];
    const anywhere = this.analysis.joinEnvs(frame, points, node) ?? new Map(env);
    for (const clause of node.children) {
      if (clause.type === 'except_clause' || clause.type === 'except_group_clause') {
        const handler = new Map(anywhere);
        this.analysis.bindings.exceptTarget(frame, handler, clause);
        ends.push(this.block(frame, handler, namedChildren(clause).find((c) => c.type === 'block') ?? null));
      }
    }
    const elseClause = node.children.find((c) => c.type === 'else_clause');
    ends.push(elseClause && current ? this.block(frame, current, field(elseClause, 'body') ?? namedChildren(elseClause).find((c) => c.type === 'block') ?? null) : current);
    const finallyClause = node.children.find((c) => c.type === 'finally_clause');
    const joined = this.analysis.joinEnvs(frame, ends, node);
    if (!finallyClause) return joined;
    // `finally` also runs on the way out of a return or an exception: read it with every point merged.
    const finallyBlock = namedChildren(finallyClause).find((c) => c.type === 'block') ?? null;
    if (!joined) {
      this.block(frame, new Map(anywhere), finallyBlock);
      return null;
    }
    return this.block(frame, joined, finallyBlock);
  }

  private withStatement(frame: Frame, env: Env, node: PyNode): Env | null {
    const clause = node.children.find((c) => c.type === 'with_clause');
    for (const item of clause ? namedChildren(clause) : []) this.analysis.bindings.withItem(frame, env, item, node);
    return this.block(frame, env, field(node, 'body'));
  }

  private matchStatement(frame: Frame, env: Env, node: PyNode): Env | null {
    const ev = this.analysis.expressions;
    const subject = field(node, 'subject');
    if (subject) ev.evaluate(frame, env, subject);
    const ends: (Env | null)[] = [env];
    const body = field(node, 'body');
    for (const clause of body ? namedChildren(body) : []) {
      if (clause.type !== 'case_clause') continue;
      const branch = new Map(env);
      for (const child of namedChildren(clause)) {
        if (child.type === 'case_pattern') this.analysis.bindings.patternTargets(frame, branch, child);
        else if (child.field === 'guard') ev.evaluate(frame, branch, child);
      }
      ends.push(this.block(frame, branch, field(clause, 'consequence')));
    }
    return this.analysis.joinEnvs(frame, ends, node);
  }
}

const NOT_EXPRESSIONS = new Set(['comment', 'block', 'identifier_list', 'dotted_name', 'pass_statement']);

function isExpression(node: PyNode): boolean {
  return !NOT_EXPRESSIONS.has(node.type) && !node.type.endsWith('_statement') && !node.type.endsWith('_clause');
}
