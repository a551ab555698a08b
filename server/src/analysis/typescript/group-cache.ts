/**
 * Reusing the sites of unchanged code after an edit. A top-level function (or class, or
 * `const f = () => ..`) is read as a group of its own: what it holds depends only on itself
 * and on the module-level code around it (imports, constants, module-level hints), so while
 * that module-level code stays the same, a function the incremental parser kept (the same
 * node) keeps its sites, moved by however far the edit shifted it. The module-level code is
 * one group, read again after every edit, so data flow between its statements stays exact.
 */
import ts from 'typescript';
import type { SourceRange } from '../model';
import type { GroupSites } from './read-sites';
import type { StatementFacts } from './scopes';

/** A top-level statement whose sites nothing else in the file can see into. */
export function isSelfContained(statement: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) return true;
  if (!ts.isVariableStatement(statement)) return false;
  return statement.declarationList.declarations.every((d) => {
    const value = d.initializer && skipParentheses(d.initializer);
    return value !== undefined && (ts.isArrowFunction(value) || ts.isFunctionExpression(value) || ts.isClassExpression(value));
  });
}

function skipParentheses(node: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(node) ? skipParentheses(node.expression) : node;
}

/**
 * What a self-contained statement may read from the rest of the file: the text of every other
 * statement that is not self-contained, the comments before every statement (module-level
 * hints), the names each declares and assigns (a function that assigns a module-level `let`
 * changes what the others may assume of it), and the options the front end reads.
 */
export function environmentKey(sourceFile: ts.SourceFile, statements: readonly StatementFacts[], optionsKey: string): string {
  const text = sourceFile.text;
  const parts = [optionsKey];
  for (const { statement, reassigned } of statements) {
    if (!isSelfContained(statement)) parts.push(text.slice(statement.pos, statement.end));
    else parts.push(text.slice(statement.pos, statement.getStart(sourceFile)), declaredNames(statement), [...reassigned].sort().join(','));
  }
  parts.push(text.slice(sourceFile.endOfFileToken.pos));
  return parts.join('\u0000');
}

function declaredNames(statement: ts.Statement): string {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map((d) => d.name.getText()).join(',');
  return (statement as ts.FunctionDeclaration | ts.ClassDeclaration).name?.text ?? '';
}

interface Entry {
  sites: GroupSites;
  /** The largest offset its ranges hold: an edit after it moves nothing in it. */
  maxOffset: number;
}

export class GroupCache {
  private entries = new Map<ts.Statement, Entry>();
  private environment = '';
  /** Top-level statements and their spans at the previous analysis, in order. */
  private previous: { statement: ts.Statement; pos: number; end: number }[] = [];

  /**
   * Starts an analysis of `sourceFile`: forgets everything when the environment changed, else
   * moves every kept group's ranges to where the statements they point into now are.
   */
  begin(sourceFile: ts.SourceFile, environment: string): void {
    const current = new Set(sourceFile.statements);
    if (environment !== this.environment) this.entries.clear();
    this.environment = environment;
    const spans = this.previous;
    // Offsets before the first statement that moved or went are where they were.
    const changed = spans.find((s) => !current.has(s.statement) || s.statement.pos !== s.pos);
    const firstChange = changed?.pos ?? Infinity;
    for (const [statement, entry] of this.entries) {
      if (!current.has(statement)) this.entries.delete(statement);
      else if (entry.maxOffset >= firstChange) {
        const sites = shiftRanges(entry.sites, (offset) => mapOffset(spans, current, offset));
        if (sites) this.set(statement, sites);
        else this.entries.delete(statement);
      }
    }
    this.previous = sourceFile.statements.map((statement) => ({ statement, pos: statement.pos, end: statement.end }));
  }

  get(statement: ts.Statement): GroupSites | undefined {
    return this.entries.get(statement)?.sites;
  }

  set(statement: ts.Statement, sites: GroupSites): void {
    this.entries.set(statement, { sites, maxOffset: maxOffsetOf(sites) });
  }
}

/**
 * Old offset → new offset, moved with the statement that held it (an offset on the boundary
 * of two statements goes with the first, whose end it is); null where that statement is gone.
 */
function mapOffset(spans: readonly { statement: ts.Statement; pos: number; end: number }[], current: Set<ts.Statement>, offset: number): number | null {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (spans[mid].end < offset) low = mid + 1;
    else high = mid;
  }
  const span = spans[low];
  if (!span || span.pos > offset || !current.has(span.statement)) return null;
  return offset + span.statement.pos - span.pos;
}

/**
 * A copy of `value` with every source range moved by `map`; null when some range cannot be.
 * Objects shared inside `value` (one shape read by two operands) stay shared in the copy.
 */
function shiftRanges<T>(value: T, map: (offset: number) => number | null): T | null {
  let failed = false;
  const copies = new Map<object, unknown>();
  const visit = (item: unknown): unknown => {
    if (item === null || typeof item !== 'object') return item;
    const done = copies.get(item);
    if (done !== undefined) return done;
    let copy: unknown;
    if (Array.isArray(item)) copy = item.map(visit);
    else if (item instanceof Map) copy = new Map([...item].map(([k, v]) => [k, visit(v)]));
    else if (isRange(item)) {
      const start = map(item.start);
      const end = map(item.end);
      if (start === null || end === null) failed = true;
      copy = { start: start ?? 0, end: end ?? 0 };
    } else {
      const fields: Record<string, unknown> = {};
      for (const key in item) fields[key] = visit((item as Record<string, unknown>)[key]);
      copy = fields;
    }
    copies.set(item, copy);
    return copy;
  };
  const shifted = visit(value) as T;
  return failed ? null : shifted;
}

/** `{ start, end }` and nothing else: a source range. */
function isRange(item: object): item is SourceRange {
  if (typeof (item as SourceRange).start !== 'number' || typeof (item as SourceRange).end !== 'number') return false;
  let keys = 0;
  for (const _ in item) keys++;
  return keys === 2;
}

function maxOffsetOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) return value.reduce((max: number, item) => Math.max(max, maxOffsetOf(item)), 0);
  if (value instanceof Map) return maxOffsetOf([...value.values()]);
  if (isRange(value)) return value.end;
  let max = 0;
  for (const key in value) max = Math.max(max, maxOffsetOf((value as Record<string, unknown>)[key]));
  return max;
}
