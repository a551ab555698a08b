/**
 * Long literals of numbers only (data pasted into code), which the copy of the syntax tree
 * keeps as one leaf instead of hundreds of thousands of nodes no analysis reads.
 */
import type { PyNode } from './syntax';
import type { SyntaxCursor } from './tree-cursor';

/**
 * A list, tuple or set literal of numbers only (nested ones included) and at least this long is
 * copied as one `NUMBERS_LITERAL` leaf. A megabyte of `[1, 1, …]` (data pasted into code) is
 * 350,000 nodes, each several calls into WebAssembly: 300 ms of copying for elements no analysis
 * uses (no names, no calls of anything but numbers); a shape or constant read from such a
 * literal is then unknown rather than its hundreds of thousands of values.
 */
const NUMBERS_LITERAL_LENGTH = 65_536;

/** The type of a collection literal of numbers copied without its elements (see NUMBERS_LITERAL_LENGTH). */
export const NUMBERS_LITERAL = 'numbers_literal';

const COLLECTIONS = new Set(['list', 'tuple', 'set']);

/**
 * Whether `text[start, end)` holds only numbers, commas, brackets, signs and white space: every
 * word begins with a digit or a point (`1`, `2.5e-3`, `0x1F`, `1_000`, `3j`), so it names nothing.
 */
function onlyNumbers(text: string, start: number, end: number): boolean {
  let inWord = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const wordChar = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46; // 0-9 A-Z a-z _ .
    if (wordChar) {
      if (!inWord && !((c >= 48 && c <= 57) || c === 46)) return false;
      inWord = true;
      continue;
    }
    inWord = false;
    // , [ ] ( ) { } + - space \t \n \r
    if (c !== 44 && c !== 91 && c !== 93 && c !== 40 && c !== 41 && c !== 123 && c !== 125 && c !== 43 && c !== 45 && c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)$/;

/**
 * Whether `text[start, end)` is, to the letter, a comma-separated list of numbers (signed, or in
 * nested brackets and parentheses): nothing the parser could read as anything else or as an error.
 */
function numbersList(text: string, start: number, end: number): boolean {
  const closers: string[] = [];
  let previous: 'start' | 'open' | 'comma' | 'sign' | 'item' = 'start';
  for (let i = start; i < end; ) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === ',') {
      if (previous !== 'item') return false;
      previous = 'comma';
      i++;
    } else if (c === '(' || c === '[') {
      if (previous === 'item') return false;
      closers.push(c === '(' ? ')' : ']');
      previous = 'open';
      i++;
    } else if (c === ')' || c === ']') {
      if (closers.pop() !== c || previous === 'sign' || (previous === 'comma' && text[i - 1] === '(')) return false;
      previous = 'item';
      i++;
    } else if (c === '+' || c === '-') {
      if (previous === 'item') return false;
      previous = 'sign';
      i++;
    } else {
      if (previous === 'item') return false;
      let j = i;
      while (j < end && (/[\w.]/.test(text[j]) || ((text[j] === '+' || text[j] === '-') && /[eE]/.test(text[j - 1])))) j++;
      if (j === i || !NUMBER.test(text.slice(i, j))) return false;
      previous = 'item';
      i = j;
    }
  }
  return closers.length === 0 && (previous === 'item' || previous === 'comma');
}

/**
 * Whether the index of a subscript, from the child under the cursor to the closing bracket, is
 * a long list of numbers: tree-sitter's error recovery reads a megabyte list after an unclosed
 * string as `…[1, 1, …]`. It is copied as one `NUMBERS_LITERAL` index (an unknown index).
 */
export function isLongNumbersIndex(parent: PyNode, start: number, text: string): boolean {
  const close = parent.end - 1;
  return parent.type === 'subscript' && close - start >= NUMBERS_LITERAL_LENGTH && text[close] === ']' && numbersList(text, start, close);
}

/** Whether a list, tuple or set of this text is copied as a `NUMBERS_LITERAL` leaf (if it holds no error). */
export function isLongNumbersLiteralText(node: PyNode, text: string): boolean {
  return COLLECTIONS.has(node.type) && node.end - node.start >= NUMBERS_LITERAL_LENGTH && onlyNumbers(text, node.start, node.end);
}

/** Whether the collection under the cursor is copied as a `NUMBERS_LITERAL` leaf. */
export function isLongNumbersLiteral(cursor: SyntaxCursor, node: PyNode, text: string): boolean {
  return isLongNumbersLiteralText(node, text) && !cursor.hasError();
}
