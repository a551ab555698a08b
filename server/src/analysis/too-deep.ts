/**
 * Source nested deeper than a recursive parser or walker can follow — brackets thousands deep,
 * or operator chains thousands long (`a + a + … + a`) — overflows the JavaScript stack. The
 * TypeScript compiler's own parser does so past about 1,500 levels, and einsight's walkers
 * recurse the same way. The front ends then report the file as not analysed, at its deepest
 * nesting, rather than throw; nothing else in them depends on depth.
 */
import type { FileAnalysis, SourceRange } from './model';

/** Thrown before parsing text a parser is known to mishandle: nested past some depth, or too large (source-size.ts). */
export class TooDeepError extends Error {
  constructor(
    readonly reason: string,
    readonly range: SourceRange,
  ) {
    super(reason);
    this.name = 'TooDeepError';
  }
}

/** The stack overflowed, or a parser refused the text as too deep. */
export function isTooDeep(error: unknown): boolean {
  return error instanceof TooDeepError || (error instanceof RangeError && /call stack/i.test(error.message));
}

/** The analysis of a file too deeply nested to analyse: nothing found, and why. */
export function tooDeepAnalysis(language: FileAnalysis['language'], text: string, error: unknown): FileAnalysis {
  let notAnalysed: FileAnalysis['notAnalysed'];
  if (error instanceof TooDeepError) notAnalysed = { reason: `not analysed: ${error.reason}`, range: error.range };
  else {
    const { range, depth } = deepestPoint(text);
    const where = depth > 1 ? `brackets nest ${depth} deep here` : 'the longest line is here';
    notAnalysed = { reason: `not analysed: the code nests too deeply to analyse (${where})`, range };
  }
  return { language, sites: [], chains: [], findings: [], syntaxErrors: [], notAnalysed };
}

/**
 * Where the brackets nest deepest (strings and comments are not told apart: this only points
 * the user at the spot); without deep brackets, an operator chain is most likely on the longest line.
 */
function deepestPoint(text: string): { range: SourceRange; depth: number } {
  let depth = 0;
  let deepest = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        at = i;
      }
    } else if ((c === 0x29 || c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  if (deepest >= 100) return { range: { start: at, end: at + 1 }, depth: deepest };
  let longest = { start: 0, end: 0 };
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (end - start > longest.end - longest.start) longest = { start, end };
    start = end + 1;
  }
  return { range: longest, depth: 0 };
}
