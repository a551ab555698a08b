/**
 * What the rewrites need to know about the Python around a call: the syntax node at a range,
 * which expressions are safe to move or re-read, and where temporaries can be inserted so that
 * nothing else in the statement changes its order of evaluation.
 */
import type { SourceRange } from '../analysis/model';
import { DtypeInference } from '../analysis/python/dtypes';
import { EffectFacts, worstEffect, type OperandEffect } from '../analysis/python/effects';
import { NameResolver } from '../analysis/python/resolve';
import { buildScopes } from '../analysis/python/scopes';
import { field, namedChildren, walk, type PyNode } from '../analysis/python/syntax';

/** Where lines computing temporaries go: before the statement holding the call. */
export interface HoistPoint {
  offset: number;
  /** The statement's indentation, repeated on every inserted line. */
  indent: string;
  /** The statement follows `;` on its line: temporaries go before it as `t = …; `. */
  inline: boolean;
  /** The file's line break at that line (`\n` or `\r\n`). */
  newline: string;
  /** Temporaries that run code (operand calls) may go here, not only contractions. */
  effects: boolean;
}

const LITERALS = new Set(['integer', 'float', 'true', 'false', 'none', 'ellipsis']);
/** Expressions whose evaluation has no effect and reads the same value again and again. */
const PURE_WRAPPERS = new Set(['parenthesized_expression', 'unary_operator', 'slice', 'tuple', 'list', 'keyword_argument']);

export class PythonSource {
  private namesCache: Set<string> | null = null;
  private resolverCache: NameResolver | null = null;
  private effectsCache: EffectFacts | null = null;
  private dtypesCache: DtypeInference | null = null;

  constructor(
    readonly text: string,
    readonly module: PyNode,
  ) {}

  /** The deepest node spanning exactly `range`, or null. */
  nodeAt(range: SourceRange): PyNode | null {
    let node: PyNode | null = this.module;
    let found: PyNode | null = node.start === range.start && node.end === range.end ? node : null;
    while (node) {
      const inside: PyNode | undefined = node.children.find((c) => c.start <= range.start && range.end <= c.end);
      if (!inside) break;
      node = inside;
      if (node.start === range.start && node.end === range.end) found = node;
    }
    return found;
  }

  textOf(node: PyNode | SourceRange): string {
    return this.text.slice(node.start, node.end);
  }

  /** Scopes and name resolution over this text, built on first use. */
  resolver(): NameResolver {
    this.resolverCache ??= new NameResolver(buildScopes(this.module, this.text), this.text);
    return this.resolverCache;
  }

  /** What evaluating an operand may do (see `EffectFacts`). */
  effects(): EffectFacts {
    this.effectsCache ??= new EffectFacts(this.resolver());
    return this.effectsCache;
  }

  /** Element types of expressions, where the code says them. */
  dtypes(): DtypeInference {
    this.dtypesCache ??= new DtypeInference(this.resolver());
    return this.dtypesCache;
  }

  /** Every identifier spelled in the file: fresh names avoid all of them. */
  names(): Set<string> {
    if (!this.namesCache) {
      const names = new Set<string>();
      walk(this.module, (node) => {
        if (node.type === 'identifier') names.add(this.textOf(node));
      });
      this.namesCache = names;
    }
    return this.namesCache;
  }

  hasComment(range: SourceRange): boolean {
    let found = false;
    walk(this.module, (node) => {
      if (found || node.end <= range.start || node.start >= range.end) return false;
      if (node.type === 'comment') found = true;
    });
    return found;
  }

  /** True for reads that can be repeated or moved: names, attributes, literals, plain subscripts. */
  isPure(node: PyNode): boolean {
    if (node.type === 'identifier' || LITERALS.has(node.type)) return true;
    if (node.type === 'string' || node.type === 'concatenated_string') {
      let interpolated = false;
      walk(node, (n) => {
        if (n.type === 'interpolation') interpolated = true;
      });
      return !interpolated;
    }
    if (node.type === 'attribute') return this.isPure(field(node, 'object')!);
    if (node.type === 'subscript' || PURE_WRAPPERS.has(node.type)) return namedChildren(node).every((c) => this.isPure(c));
    return false;
  }

  /** The statement directly inside a block or the module that holds `node`. */
  statementOf(node: PyNode): PyNode | null {
    let current: PyNode | null = node;
    while (current?.parent && current.parent.type !== 'block' && current.parent.type !== 'module') current = current.parent;
    return current?.parent ? current : null;
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset of the line break ending the line of `offset` (or the text's length). */
  lineEnd(offset: number): number {
    const end = this.text.indexOf('\n', offset);
    return end < 0 ? this.text.length : end;
  }

  /**
   * Where temporaries for `node` can be computed, or null when moving its operands before the
   * statement could change what runs: inside a lambda, a comprehension, a conditional branch,
   * a class body, a compound statement's one-line body, or after anything with an effect.
   * Temporaries that run code (`effects`) may go there only when nothing evaluated before the
   * node in the statement is a read such code could change.
   */
  hoistPoint(node: PyNode): HoistPoint | null {
    let child = node;
    let before: OperandEffect = 'stable';
    for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
      if (parent.type === 'expression_statement' || parent.type === 'return_statement') {
        const point = this.statementHoist(parent);
        return point && { ...point, effects: before === 'stable' };
      }
      const earlier = this.evaluatedBefore(parent, child);
      if (earlier === null) return null;
      before = worstEffect([before, ...earlier.map((c) => this.effects().operandEffect(c))]);
      if (before === 'effect') return null;
    }
    return null;
  }

  /** What `parent` evaluates before `child`, or null when `child` may not run, or not first. */
  private evaluatedBefore(parent: PyNode, child: PyNode): PyNode[] | null {
    const before = namedChildren(parent).filter((c) => c.end <= child.start);
    switch (parent.type) {
      case 'argument_list': {
        const callee = parent.parent ? field(parent.parent, 'function') : null;
        return callee ? [callee, ...before] : null;
      }
      case 'call':
        return child.field === 'function' || child.field === 'arguments' ? [] : null;
      case 'keyword_argument':
        return child.field === 'value' ? [] : null;
      case 'assignment':
        // The targets are evaluated after the value; only the value may move.
        return child.field === 'right' ? [] : null;
      case 'augmented_assignment':
        return child.field === 'right' ? [field(parent, 'left')!] : null;
      case 'named_expression':
        return child.field === 'value' ? [] : null;
      case 'boolean_operator':
        return child.field === 'left' ? [] : null;
      case 'comparison_operator':
        return namedChildren(parent).length === 2 ? before : null;
      case 'binary_operator':
      case 'subscript':
      case 'attribute':
      case 'tuple':
      case 'list':
      case 'set':
      case 'expression_list':
      case 'pair':
      case 'dictionary':
        return before;
      case 'parenthesized_expression':
      case 'unary_operator':
      case 'not_operator':
      case 'await':
        return [];
      default:
        return null;
    }
  }

  private statementHoist(statement: PyNode): HoistPoint | null {
    const block = statement.parent;
    if (!block || (block.type !== 'block' && block.type !== 'module')) return null;
    // Temporaries in a class body would become class attributes.
    if (block.parent?.type === 'class_definition') return null;
    const start = this.lineStart(statement.start);
    const prefix = this.text.slice(start, statement.start);
    const end = this.lineEnd(statement.start);
    const newline = end > 0 && this.text[end - 1] === '\r' ? '\r\n' : '\n';
    if (/^[ \t]*$/.test(prefix)) return { offset: statement.start, indent: prefix, inline: false, newline, effects: true };
    if (prefix.trimEnd().endsWith(';')) return { offset: statement.start, indent: '', inline: true, newline, effects: true };
    return null;
  }
}

/** Lines for temporaries, inserted at a hoist point: each ends so that the statement follows. */
export function hoistedText(point: HoistPoint, lines: readonly string[]): string {
  if (point.inline) return lines.map((line) => `${line}; `).join('');
  return lines.map((line) => `${line}${point.newline}${point.indent}`).join('');
}
