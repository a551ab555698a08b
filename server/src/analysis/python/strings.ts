/**
 * Decoding Python string literals while remembering, for every decoded character, the source
 * span that produced it: an equation error then points at the right characters even through
 * prefixes, escapes and implicit concatenation (`"ij," "jk"`).
 */
import { standInFor } from '../labels';
import type { SourceRange } from '../model';
import { equationTooLong } from '../source-size';

export interface DecodedString {
  /** The value, or null for an f-string with replacement fields (computed at run time). */
  value: string | null;
  charRanges: SourceRange[];
  /** Why the literal was not decoded (too long to be an equation); `value` is then null. */
  notRead?: string;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Decodes one literal (`rb'..'`, `"""..."""`, `f"..."`) whose text starts at `offset`. */
export function decodeStringLiteral(literal: string, offset: number): DecodedString {
  return decode(literal, offset, true);
}

/**
 * The value of one literal, as `decodeStringLiteral` gives it, without the source span of each
 * character: most strings the analysis meets (docstrings, keys, messages) only need their value,
 * and a range object per character was most of what reading a docstring allocated.
 */
export function stringLiteralValue(literal: string): string | null {
  return decode(literal, 0, false).value;
}

function decode(literal: string, offset: number, withRanges: boolean): DecodedString {
  const notRead = equationTooLong(literal.length);
  if (notRead) return { value: null, charRanges: [], notRead };
  let i = 0;
  while (i < literal.length && literal[i] !== '"' && literal[i] !== "'") i++;
  // tree-sitter's error recovery can make a string node of text without a quote: its value is unknown.
  if (i === literal.length) return { value: null, charRanges: [] };
  const prefix = literal.slice(0, i).toLowerCase();
  const quote = literal.startsWith(literal[i].repeat(3), i) ? literal[i].repeat(3) : literal[i];
  const bodyStart = i + quote.length;
  const bodyEnd = literal.endsWith(quote) && literal.length - quote.length >= bodyStart ? literal.length - quote.length : literal.length;
  const raw = prefix.includes('r');
  const formatted = prefix.includes('f');
  const bytes = prefix.includes('b');
  let value = '';
  const charRanges: SourceRange[] = [];
  // Without escapes the value is the body itself.
  if (!withRanges && !formatted && (raw || !literal.slice(bodyStart, bodyEnd).includes('\\'))) return { value: literal.slice(bodyStart, bodyEnd), charRanges };
  const push = (text: string, start: number, end: number) => {
    if (withRanges) for (let k = 0; k < text.length; k++) charRanges.push({ start: offset + start, end: offset + end });
    value += text;
  };
  let p = bodyStart;
  while (p < bodyEnd) {
    const ch = literal[p];
    if (formatted && (ch === '{' || ch === '}')) {
      if (literal[p + 1] === ch) {
        push(ch, p, p + 2);
        p += 2;
        continue;
      }
      return { value: null, charRanges: [] };
    }
    if (ch !== '\\' || raw) {
      push(ch, p, p + 1);
      p++;
      continue;
    }
    // Bytes literals have no \u, \U or \N escapes.
    const end = bytes && 'uUN'.includes(literal[p + 1]) ? p + 2 : escapeEnd(literal, p, bodyEnd);
    const decoded = bytes && 'uUN'.includes(literal[p + 1]) ? literal.slice(p, end) : escapeValue(literal.slice(p, end));
    // A character named by `\N{...}` that einsight cannot name: the value is unknown, not guessed.
    if (decoded === null) return { value: null, charRanges: [] };
    push(decoded, p, end);
    p = end;
  }
  return { value, charRanges };
}

/** Concatenates decoded parts, as Python does for adjacent literals. */
export function concatDecoded(parts: DecodedString[]): DecodedString {
  const notRead = parts.find((part) => part.notRead)?.notRead;
  if (notRead) return { value: null, charRanges: [], notRead };
  if (parts.some((part) => part.value === null)) return { value: null, charRanges: [] };
  return { value: parts.map((p) => p.value).join(''), charRanges: parts.flatMap((p) => p.charRanges) };
}

function escapeEnd(literal: string, p: number, bodyEnd: number): number {
  const kind = literal[p + 1];
  if (kind === undefined || p + 1 >= bodyEnd) return p + 1;
  if (kind === '\r' && literal[p + 2] === '\n') return p + 3;
  const hex = HEX_ESCAPE_LENGTH[kind];
  if (hex !== undefined) return Math.min(p + 2 + hex, bodyEnd);
  if (kind >= '0' && kind <= '7') {
    let end = p + 2;
    while (end < Math.min(p + 4, bodyEnd) && literal[end] >= '0' && literal[end] <= '7') end++;
    return end;
  }
  if (kind === 'N' && literal[p + 2] === '{') {
    const close = literal.indexOf('}', p + 3);
    return close >= 0 && close < bodyEnd ? close + 1 : p + 2;
  }
  return p + 2;
}

function escapeValue(escape: string): string | null {
  const kind = escape[1];
  if (kind === undefined) return '\\';
  if (kind === '\n' || kind === '\r') return '';
  if (kind in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[kind];
  if (kind in HEX_ESCAPE_LENGTH) {
    const code = parseInt(escape.slice(2), 16);
    return Number.isNaN(code) || code > 0x10ffff ? escape : String.fromCodePoint(code);
  }
  if (kind >= '0' && kind <= '7') return String.fromCodePoint(parseInt(escape.slice(1), 8));
  if (kind === 'N' && escape.length > 2) return namedAsciiCharacter(escape.slice(3, -1));
  return escape;
}

/** What may spell an equation, by Unicode name: letters and the equation's own punctuation. */
const ASCII_NAMES = new Map<string, string>([
  ['COMMA', ','],
  ['HYPHEN-MINUS', '-'],
  ['GREATER-THAN SIGN', '>'],
  ['FULL STOP', '.'],
  ['SPACE', ' '],
]);

/**
 * `\N{LATIN SMALL LETTER J}` is `j` (Python looks names up ignoring case). Any other name is
 * no ASCII letter: it gets a private-use stand-in of its own, so that labels it spells are
 * told apart and numpy's and torch's rule (ASCII letters only) can name it. Null once the
 * stand-ins run out: the equation is then unknown.
 */
function namedAsciiCharacter(name: string): string | null {
  const upper = name.toUpperCase();
  const letter = /^LATIN (SMALL|CAPITAL) LETTER ([A-Z])$/.exec(upper);
  if (letter) return letter[1] === 'SMALL' ? letter[2].toLowerCase() : letter[2];
  const ascii = ASCII_NAMES.get(upper);
  if (ascii !== undefined) return ascii;
  return standInFor(upper);
}
