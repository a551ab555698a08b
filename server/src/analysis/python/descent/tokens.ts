/**
 * The tokens of a Python module as tree-sitter-python's lexer and external scanner
 * (src/scanner.c) produce them for text it parses without an error: NEWLINE, INDENT and DEDENT
 * are zero-width tokens placed where the scanner places them (at the end of the previous token
 * or comment), and comments and line continuations are extras kept beside the tokens with the
 * index of the token they precede. Whatever the scanner would treat in a way not reproduced
 * here (odd white space, indentation it would not see, a continuation it would swallow) ends
 * the tokenizing with a `Decline`: the caller then parses with tree-sitter.
 */

export const enum Kind {
  End,
  Newline,
  Indent,
  Dedent,
  Name,
  Integer,
  Float,
  String,
  /** An f-string: its interpolations are parsed (see strings.ts). */
  FormatString,
  Operator,
}

/** Thrown to stop at anything not reproduced exactly; caught once, by `parseFast`. */
export class Decline {
  constructor(
    readonly reason: string,
    /** Where in the text, when known. */
    readonly at = -1,
  ) {}
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '>>', '<<', '<=', '>=', '==', '!=', '<>',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
  '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.', ';', '=',
];
/** Operator texts by code; a token's code is its index here (names: its keyword's code, or 0). */
export const OPERATOR_TEXT: readonly string[] = OPERATORS;
const OPERATOR_CODES = new Map(OPERATORS.map((op, i) => [op, i]));

/** The code of an operator's token. */
export function op(text: string): number {
  const code = OPERATOR_CODES.get(text);
  if (code === undefined) throw new Error(`not an operator: ${text}`);
  return code;
}

const KEYWORD_LIST = [
  '', 'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
  // Soft keywords: identifiers except where they start a statement of their own.
  'print', 'exec', 'match', 'case', 'type', '__future__',
];
const KEYWORD_CODES = new Map(KEYWORD_LIST.map((k, i) => [k, i]));

/** Keywords by length, first and last character, to look a name up without slicing it. */
function keywordKey(length: number, first: number, last: number): number {
  return (length * 128 + first) * 128 + last;
}
const KEYWORDS_BY_KEY = new Map<number, number[]>();
for (let code = 1; code < KEYWORD_LIST.length; code++) {
  const word = KEYWORD_LIST[code];
  const key = keywordKey(word.length, word.charCodeAt(0), word.charCodeAt(word.length - 1));
  const list = KEYWORDS_BY_KEY.get(key);
  if (list) list.push(code);
  else KEYWORDS_BY_KEY.set(key, [code]);
}

function keywordAt(text: string, start: number, end: number): number {
  if (end - start > 10) return 0;
  const candidates = KEYWORDS_BY_KEY.get(keywordKey(end - start, text.charCodeAt(start), text.charCodeAt(end - 1)));
  if (candidates) for (const code of candidates) if (text.startsWith(KEYWORD_LIST[code], start)) return code;
  return 0;
}

/** Operators by their characters' codes (all ASCII): one, two and three characters long. */
const OPERATOR_BY_CHARS = new Map(OPERATORS.map((text, code) => [charsKey(text, 0, text.length), code]));

function charsKey(text: string, at: number, length: number): number {
  let key = 0;
  for (let k = 0; k < length; k++) key = key * 128 + text.charCodeAt(at + k);
  return key + length * 128 ** 3;
}

/** The code of a keyword (or soft keyword) name token. */
export function kw(text: string): number {
  const code = KEYWORD_CODES.get(text);
  if (!code) throw new Error(`not a keyword: ${text}`);
  return code;
}

/** Names that are never identifiers (tree-sitter-python's reserved words). */
export const RESERVED_LIMIT = kw('yield');

const OPENERS = new Set([op('('), op('['), op('{')]);
const CLOSERS = new Set([op(')'), op(']'), op('}')]);
const COLON = op(':');
const MATCHING: Record<number, string> = { [op('(')]: ')', [op('[')]: ']', [op('{')]: '}' };

const FLOAT = /(?:(?:[0-9]+_?)+\.(?:[0-9]+_?)*(?:[eE][+-]?(?:[0-9]+_?)+)?|(?:[0-9]+_?)*\.(?:[0-9]+_?)+(?:[eE][+-]?(?:[0-9]+_?)+)?|(?:[0-9]+_?)+[eE][+-]?(?:[0-9]+_?)+)[jJ]?/y;
const INTEGER = /0[xX](?:_?[A-Fa-f0-9]+)+[Ll]?|0[oO](?:_?[0-7]+)+[Ll]?|0[bB](?:_?[01]+)+[Ll]?|(?:[0-9]+_?)+[LljJ]?/y;
const IDENTIFIER_START = /[_\p{XID_Start}]/u;
const IDENTIFIER_PART = /\p{XID_Continue}/u;
/** Not a quote, a letter that may prefix one: the scanner takes any run of these before a quote. */
const PREFIX = /[rRbBuUfFtT]*["']/y;

export interface Extra {
  type: 'comment' | 'line_continuation';
  start: number;
  end: number;
  /** The index of the token it comes before. */
  before: number;
}

export class Tokens {
  kinds: Uint8Array;
  codes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  count = 0;
  readonly extras: Extra[] = [];
  /** How many extras come before token i (a prefix sum, filled by `finish`). */
  extrasBefore: Int32Array = new Int32Array(0);

  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.codes = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  push(kind: Kind, code: number, start: number, end: number): void {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.codes[i] = code;
    this.starts[i] = start;
    this.ends[i] = end;
  }

  finish(): void {
    const before = new Int32Array(this.count + 1);
    let e = 0;
    for (let i = 0; i <= this.count; i++) {
      while (e < this.extras.length && this.extras[e].before <= i) e++;
      before[i] = e;
    }
    this.extrasBefore = before;
  }

  private grow(): void {
    const size = this.kinds.length * 2 + 16;
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const codes = new Uint8Array(size);
    codes.set(this.codes);
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const ends = new Int32Array(size);
    ends.set(this.ends);
    this.kinds = kinds;
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }
}

function isNameStart(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
  if (c >= 0xd800 && c <= 0xdfff) throw new Decline('a character outside the basic plane');
  return IDENTIFIER_START.test(text[i]);
}

function isNamePart(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
  if (c >= 0xd800 && c <= 0xdfff) throw new Decline('a character outside the basic plane');
  return IDENTIFIER_PART.test(text[i]);
}

/** The end of the string literal whose quote (after any prefix) is at `quote`. */
export function stringEnd(text: string, quote: number): number {
  const q = text.charCodeAt(quote);
  const triple = text.charCodeAt(quote + 1) === q && text.charCodeAt(quote + 2) === q;
  let i = quote + (triple ? 3 : 1);
  for (;;) {
    if (i >= text.length) throw new Decline('an unterminated string');
    const c = text.charCodeAt(i);
    if (c === 92) {
      // A backslash escapes a quote, a backslash or a line end, in raw strings too.
      const next = text.charCodeAt(i + 1);
      if (next === 13 && text.charCodeAt(i + 2) === 10) i += 3;
      else i += next === q || next === 92 || next === 10 ? 2 : 1;
    } else if (c === q) {
      if (!triple) return i + 1;
      if (text.charCodeAt(i + 1) === q && text.charCodeAt(i + 2) === q) return i + 3;
      i++;
    } else if (c === 10 && !triple) {
      throw new Decline('a line end inside a string');
    } else {
      i++;
    }
  }
}

/**
 * Lexes the string, name, number or operator at `i` (not white space, a comment or a
 * continuation) into `tokens`; returns where it ends.
 */
export function lexToken(text: string, i: number, tokens: Tokens): number {
  const n = text.length;
  const c = text.charCodeAt(i);
  const start = i;
  if (c === 34 || c === 39) {
    i = stringEnd(text, i);
    tokens.push(Kind.String, 0, start, i);
    return i;
  }
  if (isNameStart(c, text, i)) {
    let j = i + 1;
    while (j < n && isNamePart(text.charCodeAt(j), text, j)) j++;
    const q = text.charCodeAt(j);
    if (q === 34 || q === 39) {
      const prefix = text.slice(i, j);
      if (/^[rRbBuUfFtT]+$/.test(prefix)) {
        if (j - i > 3 || /[tT]/.test(prefix)) throw new Decline('a template string or a long string prefix');
        i = stringEnd(text, j);
        tokens.push(/[fF]/.test(prefix) ? Kind.FormatString : Kind.String, 0, start, i);
        return i;
      }
    }
    tokens.push(Kind.Name, keywordAt(text, i, j), start, j);
    return j;
  }
  if ((c >= 48 && c <= 57) || (c === 46 && text.charCodeAt(i + 1) >= 48 && text.charCodeAt(i + 1) <= 57)) {
    FLOAT.lastIndex = i;
    INTEGER.lastIndex = i;
    const f = FLOAT.test(text) ? FLOAT.lastIndex : -1;
    const k = INTEGER.test(text) ? INTEGER.lastIndex : -1;
    const end = Math.max(f, k);
    if (end <= i) throw new Decline('a number');
    const after = text.charCodeAt(end);
    if (end < n && (isNamePart(after, text, end) || after === 46)) throw new Decline('a number run into a name');
    tokens.push(f >= k ? Kind.Float : Kind.Integer, 0, start, end);
    return end;
  }
  for (let length = Math.min(3, n - i); length > 0; length--) {
    if (text.charCodeAt(i + length - 1) >= 128) continue;
    const code = OPERATOR_BY_CHARS.get(charsKey(text, i, length));
    if (code !== undefined) {
      tokens.push(Kind.Operator, code, start, i + length);
      return i + length;
    }
  }
  throw new Decline(`the character ${JSON.stringify(text[i])}`);
}

/** Tokenizes `text` (a whole module); throws `Decline`. */
export function tokenize(text: string): Tokens {
  // tree-sitter's lexer reads a NUL as the end of the text, in comments and strings too.
  if (text.includes('\0')) throw new Decline('a NUL character');
  const tokens = new Tokens(Math.max(64, text.length >> 2));
  const n = text.length;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    i = 1;
    if (n > 1 && text.charCodeAt(1) <= 32) throw new Decline('white space after a byte order mark');
  }
  const indents = [0];
  let depth = 0;
  /** End of the last token or extra: where zero-width tokens go. */
  let lastEnd = i;
  let lineHasTokens = false;
  const bracketStack: number[] = [];

  /**
   * At a line end outside brackets (or the start or end of the file): the comment lines and
   * blank lines up to the next line of code, with NEWLINE, INDENT and DEDENT as the scanner
   * emits them around those comments.
   */
  const lineBreak = (atStart: boolean) => {
    const comments: number[] = []; // [indent, start, end] triples
    let indent = 0;
    let j = i;
    for (;;) {
      indent = 0;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 32) indent++;
        else if (c === 9) indent += 8;
        else if (c === 12) indent = 0;
        else if (c === 13 && text.charCodeAt(j + 1) === 10) indent = 0;
        else break;
        j++;
      }
      if (j >= n) {
        indent = 0;
        break;
      }
      const c = text.charCodeAt(j);
      if (c === 10) {
        j++;
        continue;
      }
      if (c === 35) {
        let e = text.indexOf('\n', j);
        if (e < 0) e = n;
        comments.push(indent, j, e);
        j = e;
        continue;
      }
      break;
    }
    const atEnd = j >= n;
    if (atStart) {
      // The scanner measures no indentation before the first line of code.
      for (let k = 0; k < comments.length; k += 3) {
        tokens.extras.push({ type: 'comment', start: comments[k + 1], end: comments[k + 2], before: tokens.count });
        lastEnd = comments[k + 2];
      }
      i = j;
      return;
    }
    const top = indents[indents.length - 1];
    // INDENT is valid only after a block's colon; elsewhere deeper code is read without one.
    const last = tokens.count - 1;
    const opensBlock = tokens.kinds[last] === Kind.Operator && tokens.codes[last] === COLON;
    if (!atEnd && indent > top && opensBlock) {
      tokens.push(Kind.Indent, 0, lastEnd, lastEnd);
      indents.push(indent);
      for (let k = 0; k < comments.length; k += 3) {
        tokens.extras.push({ type: 'comment', start: comments[k + 1], end: comments[k + 2], before: tokens.count });
        lastEnd = comments[k + 2];
      }
    } else {
      tokens.push(Kind.Newline, 0, lastEnd, lastEnd);
      for (let k = 0; k < comments.length; k += 3) {
        // A dedent waits for the comments as indented as the block that ends (scanner.c).
        while (indent < indents[indents.length - 1] && comments[k] < indents[indents.length - 1]) {
          indents.pop();
          tokens.push(Kind.Dedent, 0, lastEnd, lastEnd);
        }
        tokens.extras.push({ type: 'comment', start: comments[k + 1], end: comments[k + 2], before: tokens.count });
        lastEnd = comments[k + 2];
      }
      while (indent < indents[indents.length - 1]) {
        indents.pop();
        tokens.push(Kind.Dedent, 0, lastEnd, lastEnd);
      }
    }
    i = j;
  };

  lineBreak(true);
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 12) {
      i++;
      continue;
    }
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) {
      i += c === 13 ? 2 : 1;
      if (depth === 0 && lineHasTokens) {
        lineHasTokens = false;
        lineBreak(false);
      }
      continue;
    }
    if (c === 35) {
      let e = text.indexOf('\n', i);
      if (e < 0) e = n;
      tokens.extras.push({ type: 'comment', start: i, end: e, before: tokens.count });
      lastEnd = i = e;
      continue;
    }
    if (c === 92) {
      if (!lineHasTokens && depth === 0) throw new Decline('a line that starts with a backslash');
      const nl = text.charCodeAt(i + 1) === 13 ? i + 2 : i + 1;
      if (text.charCodeAt(nl) !== 10) throw new Decline('a backslash outside a string');
      let j = nl + 1;
      while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
      const next = text.charCodeAt(j);
      // The scanner swallows a continuation before these (no node), or reads a line end after it.
      PREFIX.lastIndex = j;
      if (j >= n || next === 10 || next === 13 || next === 35 || next === 92 || next === 12 || PREFIX.test(text)) {
        throw new Decline('a line continuation before a string, a comment or a blank line');
      }
      tokens.extras.push({ type: 'line_continuation', start: i, end: nl + 1, before: tokens.count });
      lastEnd = nl + 1;
      i = j;
      continue;
    }
    lineHasTokens = true;
    const start = i;
    i = lexToken(text, i, tokens);
    lastEnd = i;
    if (tokens.kinds[tokens.count - 1] !== Kind.Operator) continue;
    const code = tokens.codes[tokens.count - 1];
    if (OPENERS.has(code)) {
      depth++;
      bracketStack.push(code);
    } else if (CLOSERS.has(code)) {
      const open = bracketStack.pop();
      if (open === undefined || MATCHING[open] !== OPERATOR_TEXT[code]) throw new Decline('unbalanced brackets');
      depth--;
    }
  }
  if (depth > 0) throw new Decline('unclosed brackets');
  if (lineHasTokens) lineBreak(false);
  tokens.push(Kind.End, 0, lastEnd, lastEnd);
  tokens.finish();
  return tokens;
}
