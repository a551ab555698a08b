/**
 * Equation strings in TypeScript and JavaScript: a literal (`'ij,jk->ik'`, a template without
 * substitutions), a `+` of such literals, or a `const` bound to one, decoded while remembering
 * for every character the source span that produced it, so an equation error points at the
 * right characters even through escapes (`'\x69j'`) and concatenation.
 */
import ts from 'typescript';
import type { SourceRange } from '../model';
import { equationTooLong } from '../source-size';
import { skipOuter, type NameResolver } from './names';

export interface DecodedString {
  value: string;
  /** One source span per UTF-16 unit of `value`. */
  charRanges: SourceRange[];
  /** The whole expression the string was read from. */
  range: SourceRange;
}

/** A string literal too long to be an equation, left undecoded: why, and where. */
export interface UnreadString {
  notRead: string;
  range: SourceRange;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '0': '\0' };
const MAX_DEPTH = 4;

/** The string an expression always evaluates to, or null; one too long to be an equation is not decoded. */
export function readString(node: ts.Expression, names: NameResolver, depth = 0): DecodedString | UnreadString | null {
  const inner = skipOuter(node);
  const sourceFile = names.sourceFile;
  const isLiteral = ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner);
  if (isLiteral || (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
    const start = inner.getStart(sourceFile);
    const notRead = equationTooLong(inner.end - start);
    if (notRead) return { notRead, range: { start, end: inner.end } };
    if (isLiteral) return { ...decodeLiteral(sourceFile.text.slice(start, inner.end), start), range: { start, end: inner.end } };
  }
  if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = readString(inner.left, names, depth);
    const right = left && !('notRead' in left) && readString(inner.right, names, depth);
    if (!left || !right) return null;
    if ('notRead' in left) return left;
    if ('notRead' in right) return right;
    return { value: left.value + right.value, charRanges: [...left.charRanges, ...right.charRanges], range: { start: left.range.start, end: right.range.end } };
  }
  if (ts.isIdentifier(inner) && depth < MAX_DEPTH) {
    const bound = names.constInitializer(inner);
    return bound ? readString(bound.value, names, depth + 1) : null;
  }
  return null;
}

/** Decodes one literal whose source text (quotes included) starts at `offset`. */
export function decodeLiteral(literal: string, offset: number): { value: string; charRanges: SourceRange[] } {
  let value = '';
  const charRanges: SourceRange[] = [];
  const push = (text: string, start: number, end: number) => {
    value += text;
    for (let k = 0; k < text.length; k++) charRanges.push({ start: offset + start, end: offset + end });
  };
  const bodyEnd = literal.length > 1 && literal[literal.length - 1] === literal[0] ? literal.length - 1 : literal.length;
  let i = 1;
  while (i < bodyEnd) {
    if (literal[i] !== '\\') {
      push(literal[i], i, i + 1);
      i++;
      continue;
    }
    const start = i;
    const next = literal[i + 1] ?? '';
    if (next === '\r' || next === '\n' || next === '\u2028' || next === '\u2029') {
      // A line continuation adds nothing.
      i += next === '\r' && literal[i + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(literal.slice(i + 2, i + 4))) {
      push(String.fromCharCode(parseInt(literal.slice(i + 2, i + 4), 16)), start, i + 4);
      i += 4;
      continue;
    }
    if (next === 'u') {
      const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(literal.slice(i + 2));
      const plain = /^[0-9a-fA-F]{4}/.exec(literal.slice(i + 2));
      if (braced) {
        push(String.fromCodePoint(parseInt(braced[1], 16)), start, i + 2 + braced[0].length);
        i += 2 + braced[0].length;
        continue;
      }
      if (plain) {
        push(String.fromCharCode(parseInt(plain[0], 16)), start, i + 6);
        i += 6;
        continue;
      }
    }
    push(Object.hasOwn(SIMPLE_ESCAPES, next) ? SIMPLE_ESCAPES[next] : next, start, i + 2);
    i += 2;
  }
  return { value, charRanges };
}
