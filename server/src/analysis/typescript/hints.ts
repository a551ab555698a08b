/**
 * Hint comments in TypeScript and JavaScript: the same syntax as Python's (docs/shape-hints.md)
 * after `//` or inside a block comment:
 *
 *     // einsight: q[batch, heads, seq, 64] k[batch, heads, seq, 64]
 *     // einsight: batch=32
 *     // einsight: ignore[EIN001]
 *
 * A hint holds from the start of its line to the end of the enclosing function (or file).
 */
import ts from 'typescript';
import { HintIndex, parseHintComment, type HintComment } from '../python/hints';
import { memoized } from '../sorted-offsets';

const MARKER = /\beinsight\s*:/g;

/** Functions (of every form) are the scopes hints hold in; the file is the outermost. */
export function isScopeNode(node: ts.Node): boolean {
  return ts.isSourceFile(node) || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
}

export function scopeOf(node: ts.Node): ts.Node {
  let current = node.parent;
  while (current && !isScopeNode(current)) current = current.parent;
  return current ?? node.getSourceFile();
}

export function encloses(outer: ts.Node, inner: ts.Node): boolean {
  return outer === inner || ts.isSourceFile(outer) || (outer.pos <= inner.pos && inner.end <= outer.end);
}

/** Every einsight comment of the file, in source order, with the scope it holds in. */
export function collectHints(sourceFile: ts.SourceFile): HintIndex<ts.Node> {
  const index = new HintIndex<ts.Node>(encloses);
  const text = sourceFile.text;
  const offsets = new TextOffsets(text);
  // A node's start skips its leading trivia: thousands of comment lines before one statement
  // were skipped again for every marker in them (20,000 hint lines: 33 s).
  const starts = new Map<ts.Node, number>();
  const startOf = (node: ts.Node) => memoized(starts, node, () => node.getStart(sourceFile));
  let lastComment: ts.CommentRange | null = null;
  for (const match of text.matchAll(MARKER)) {
    // Two markers in one comment: the parser reads the whole comment once.
    if (lastComment && match.index < lastComment.end) continue;
    const found = commentAt(sourceFile, match.index, offsets, startOf);
    if (!found) continue;
    lastComment = found.comment;
    const lineStart = text.lastIndexOf('\n', found.comment.pos - 1) + 1;
    const hint: HintComment | null = parseHintComment(commentBody(text, found.comment), found.comment.pos + 2, lineStart);
    if (hint) index.add(hint, found.scope);
  }
  return index;
}

/**
 * The text between the comment's delimiters, offsets kept: `*` at the start of a block
 * comment's lines (`/** ... * einsight: ..`) becomes a space.
 */
function commentBody(text: string, comment: ts.CommentRange): string {
  if (comment.kind === ts.SyntaxKind.SingleLineCommentTrivia) return text.slice(comment.pos + 2, comment.end);
  const closed = text.startsWith('*/', comment.end - 2) && comment.end - 2 >= comment.pos + 2;
  return text.slice(comment.pos + 2, closed ? comment.end - 2 : comment.end).replace(/^([ \t]*)\*/gm, '$1 ');
}

/**
 * The comment holding `offset`, or null when it is in code or a string. The deepest node
 * around the offset tells: inside a token (a string, a template, an identifier) it is no
 * comment; between tokens it is trivia, which holds only whitespace and comments.
 */
function commentAt(
  sourceFile: ts.SourceFile,
  offset: number,
  offsets: TextOffsets,
  startOf: (node: ts.Node) => number,
): { comment: ts.CommentRange; scope: ts.Node } | null {
  const at = triviaAt(sourceFile, offset, startOf);
  if (!at) return null;
  // The comment starts in the same stretch of trivia: after the token before it; a line
  // comment on the marker's line, a block comment anywhere. Found without re-reading the
  // stretch, which may hold thousands of comment lines.
  const text = sourceFile.text;
  const lineStart = Math.max(at.triviaStart, offsets.lineStart(offset));
  const lineComment = text.slice(lineStart, offset).lastIndexOf('//');
  const blockComment = offsets.lastBlockCommentStart(offset);
  const starts = [lineComment >= 0 ? lineStart + lineComment : -1, blockComment >= at.triviaStart ? blockComment : -1].filter((s) => s >= 0);
  let best: ts.CommentRange | null = null;
  for (const start of starts) {
    // "Trailing" ranges start collecting at once, where "leading" ones wait for a line break.
    const comment = ts.getTrailingCommentRanges(text, start)?.[0];
    if (!comment || comment.pos !== start || comment.end <= offset) continue;
    if (!best || comment.pos < best.pos) best = comment;
  }
  return best ? { comment: best, scope: at.scope } : null;
}

/** Line starts and `/*` positions of a text, found once, looked up by binary search. */
class TextOffsets {
  private readonly lineStarts: number[] = [0];
  private readonly blockStarts: number[] = [];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    for (let i = text.indexOf('/*'); i >= 0; i = text.indexOf('/*', i + 1)) this.blockStarts.push(i);
  }

  /** Where the line holding `offset` starts. */
  lineStart(offset: number): number {
    return this.lineStarts[lastAtMost(this.lineStarts, offset)];
  }

  /** The last `/*` that ends before `offset`, or -1. */
  lastBlockCommentStart(offset: number): number {
    const at = lastAtMost(this.blockStarts, offset - 2);
    return at < 0 ? -1 : this.blockStarts[at];
  }
}

/** Index of the last item of the sorted `items` that is at most `value`; -1 when none is. */
function lastAtMost(items: readonly number[], value: number): number {
  let low = 0;
  let high = items.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (items[mid] <= value) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/**
 * Where the trivia around `offset` starts, and the scope it is in, when `offset` lies between
 * tokens; null inside a token. The trivia start is a lower bound: a token (`,`) may end later.
 */
function triviaAt(sourceFile: ts.SourceFile, offset: number, startOf: (node: ts.Node) => number): { scope: ts.Node; triviaStart: number } | null {
  let node: ts.Node = sourceFile;
  let scope: ts.Node = sourceFile;
  for (;;) {
    let previousEnd = node === sourceFile ? 0 : startOf(node);
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => {
      if (c.end <= offset) previousEnd = c.end;
      return c.pos <= offset && offset < c.end ? c : undefined;
    });
    if (!child) return { scope, triviaStart: previousEnd };
    if (offset < startOf(child)) return { scope, triviaStart: child.pos };
    if (isTextToken(child)) return null;
    if (isScopeNode(child)) scope = child;
    node = child;
  }
}

/** Tokens with text of their own, which could spell `einsight:` outside any comment. */
function isTextToken(node: ts.Node): boolean {
  const kind = node.kind;
  return (
    (kind >= ts.SyntaxKind.FirstLiteralToken && kind <= ts.SyntaxKind.LastTemplateToken) ||
    kind === ts.SyntaxKind.Identifier ||
    kind === ts.SyntaxKind.PrivateIdentifier ||
    kind === ts.SyntaxKind.JsxTextAllWhiteSpaces
  );
}
