/**
 * F-strings, which the copy of tree-sitter's tree keeps with their children: `string_start`,
 * `string_content` runs, `interpolation`s (an expression, a conversion, a format specifier)
 * and `string_end`. Only interpolations on one line without comments, backslashes, nested
 * format fields, or strings other than plain one-line strings of the other quote are read;
 * anything else declines.
 */
import { NO_CHILDREN, type PyNode } from '../syntax';
import { leafNode } from './builder';
import { Decline, lexToken, Kind, stringEnd, Tokens } from './tokens';

/** Parses the expression in [start, end) of the text (the tokens given) into one node. */
export type InterpolationParser = (tokens: Tokens) => PyNode;

function adopt(parent: PyNode, children: PyNode[]): PyNode {
  for (const child of children) child.parent = parent;
  parent.children = children.length > 0 ? children : NO_CHILDREN;
  return parent;
}

/** The `string` node of the f-string token [start, end). */
export function formatString(text: string, start: number, end: number, parse: InterpolationParser): PyNode {
  let quote = start;
  while (text[quote] !== '"' && text[quote] !== "'") quote++;
  const q = text[quote];
  const triple = text[quote + 1] === q && text[quote + 2] === q;
  const bodyStart = quote + (triple ? 3 : 1);
  const bodyEnd = end - (triple ? 3 : 1);
  const string = leafNode('string', true, null, start, end);
  const children: PyNode[] = [leafNode('string_start', true, null, start, bodyStart)];
  let content = bodyStart;
  let i = bodyStart;
  const flushContent = (to: number) => {
    if (to > content) children.push(leafNode('string_content', true, null, content, to));
  };
  while (i < bodyEnd) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next === 'N' || next === '{' || next === '}') throw new Decline('an escape before a brace in an f-string');
      i += 2;
    } else if ((c === '{' && text[i + 1] === '{') || (c === '}' && text[i + 1] === '}')) {
      i += 2;
    } else if (c === '}') {
      throw new Decline('a lone closing brace in an f-string');
    } else if (c === '{') {
      flushContent(i);
      const close = interpolation(text, i, bodyEnd, q, children, parse);
      i = content = close + 1;
    } else {
      i++;
    }
  }
  flushContent(bodyEnd);
  children.push(leafNode('string_end', true, null, bodyEnd, end));
  return adopt(string, children);
}

/** Reads the interpolation whose `{` is at `open` into `siblings`; returns the index of its `}`. */
function interpolation(text: string, open: number, limit: number, quote: string, siblings: PyNode[], parse: InterpolationParser): number {
  let depth = 0;
  let j = open + 1;
  let expressionEnd = -1;
  for (; j < limit; j++) {
    const c = text[j];
    if (c === '\n' || c === '\r' || c === '#' || c === '\\' || c === quote) throw new Decline('an f-string interpolation over lines, or with quotes or comments');
    if (c === '"' || c === "'") {
      // A string of the other quote inside: skipped whole (its `:` or `}` end nothing).
      if (/[fFtT]/.test(text[j - 1] ?? '') || (text[j + 1] === c && text[j + 2] === c)) throw new Decline('an f-string or a triple-quoted string inside an f-string interpolation');
      j = stringEnd(text, j) - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === '!' || c === ':' || c === '=')) {
      const next = text[j + 1];
      const previous = text[j - 1];
      if (c === '!' && next === '=') j++;
      else if (c === '=' && (next === '=' || previous === '=' || previous === '!' || previous === '<' || previous === '>')) continue;
      else break;
    }
  }
  if (depth !== 0 || j >= limit) throw new Decline('an unclosed f-string interpolation');
  expressionEnd = j;
  const node = leafNode('interpolation', true, null, open, 0);
  const children: PyNode[] = [];
  const tokens = new Tokens(16);
  let k = open + 1;
  while (k < expressionEnd) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 9) k++;
    else k = lexToken(text, k, tokens);
  }
  if (k !== expressionEnd || tokens.count === 0) throw new Decline('an f-string interpolation');
  tokens.push(Kind.End, 0, expressionEnd, expressionEnd);
  tokens.finish();
  const expression = parse(tokens);
  expression.field = 'expression';
  children.push(expression);
  if (text[j] === '=') j++;
  if (text[j] === '!') {
    if (!/[a-z]/.test(text[j + 1] ?? '')) throw new Decline('an f-string conversion');
    children.push(leafNode('type_conversion', true, 'type_conversion', j, j + 2));
    j += 2;
  }
  if (text[j] === ':') {
    let e = j + 1;
    while (e < limit && text[e] !== '}') {
      if (text[e] === '{' || text[e] === '\n' || text[e] === quote) throw new Decline('a nested format specifier');
      e++;
    }
    children.push(leafNode('format_specifier', true, 'format_specifier', j, e));
    j = e;
  }
  if (text[j] !== '}') throw new Decline('an f-string interpolation');
  node.end = j + 1;
  siblings.push(adopt(node, children));
  return j;
}
