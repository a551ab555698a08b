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
  let lastComment = -1;
  for (const match of text.matchAll(MARKER)) {
    const found = commentAt(sourceFile, match.index);
    // Two markers in one comment: the parser reads the whole comment once.
    if (!found || found.comment.pos === lastComment) continue;
    lastComment = found.comment.pos;
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
function commentAt(sourceFile: ts.SourceFile, offset: number): { comment: ts.CommentRange; scope: ts.Node } | null {
  const at = triviaAt(sourceFile, offset);
  if (!at) return null;
  // The comment starts in the same stretch of trivia: after the token before it.
  const text = sourceFile.text;
  const before = text.slice(at.triviaStart, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const starts = [before.lastIndexOf('//'), before.lastIndexOf('/*')].filter((s) => s >= 0 && (before[s + 1] === '*' || s >= lineStart));
  let best: ts.CommentRange | null = null;
  for (const start of starts) {
    // "Trailing" ranges start collecting at once, where "leading" ones wait for a line break.
    const comment = ts.getTrailingCommentRanges(text, at.triviaStart + start)?.[0];
    if (!comment || comment.pos !== at.triviaStart + start || comment.end <= offset) continue;
    if (!best || comment.pos < best.pos) best = comment;
  }
  return best ? { comment: best, scope: at.scope } : null;
}

/**
 * Where the trivia around `offset` starts, and the scope it is in, when `offset` lies between
 * tokens; null inside a token. The trivia start is a lower bound: a token (`,`) may end later.
 */
function triviaAt(sourceFile: ts.SourceFile, offset: number): { scope: ts.Node; triviaStart: number } | null {
  let node: ts.Node = sourceFile;
  let scope: ts.Node = sourceFile;
  for (;;) {
    let previousEnd = node === sourceFile ? 0 : node.getStart(sourceFile);
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => {
      if (c.end <= offset) previousEnd = c.end;
      return c.pos <= offset && offset < c.end ? c : undefined;
    });
    if (!child) return { scope, triviaStart: previousEnd };
    if (offset < child.getStart(sourceFile)) return { scope, triviaStart: child.pos };
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
