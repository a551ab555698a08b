/**
 * A guard for a defect in tree-sitter-python 0.25's external scanner: serializing its stack of
 * indentation levels, it checks `size < 1024` before writing each level's two bytes, so with
 * an odd number of open string delimiters and about 380 or more levels it writes one byte past
 * its 1,024-byte buffer. That byte corrupts the WebAssembly heap every parser in the process
 * shares: later parses lose code silently or fail with "memory access out of bounds".
 *
 * The stack only ever holds strictly increasing indentation widths (a space counts 1, a tab 8,
 * a form feed or carriage return starts again at 0), each some line's; so a text with fewer
 * distinct widths than the limit, all below 2^16 (the stack stores 16 bits), cannot reach it.
 */
import type { SourceRange } from '../model';

/** Well under the 384 levels the overflow needs at the worst (255 open delimiters). */
const MAX_DISTINCT_WIDTHS = 256;

/**
 * Where the text could drive tree-sitter-python's indentation stack into the overflow (the
 * indentation of the line that reaches the limit); null when it cannot.
 */
export function tooDeepIndentation(text: string): SourceRange | null {
  const widths = new Set<number>();
  for (let lineStart = 0; lineStart < text.length; ) {
    let width = 0;
    let i = lineStart;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x20) width++;
      else if (c === 0x09) width += 8;
      else if (c === 0x0c || c === 0x0d) width = 0;
      else break;
    }
    if (width > 0) {
      widths.add(width);
      if (width >= 0x10000 || widths.size >= MAX_DISTINCT_WIDTHS) return { start: lineStart, end: i };
    }
    const newline = text.indexOf('\n', i);
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  return null;
}
