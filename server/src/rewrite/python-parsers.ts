/**
 * The parsers the rewrites use, loaded once (the grammar is WebAssembly, so loading is async
 * while every rewrite after it is synchronous): one reads the source into the plain syntax
 * tree the analysis uses, one re-parses edited text to prove a fix leaves valid Python.
 */
import type { Edit, Parser, Tree } from 'web-tree-sitter';
import type { SourceRange } from '../analysis/model';
import { tooDeepIndentation } from '../analysis/python/indentation';
import { PythonParser, loadPythonLanguage, pythonParserGeneration, type GrammarLocation } from '../analysis/python/parser';
import { applyEdits, sortEdits, type FixEdit } from './edits';
import { PythonSource } from './python-source';

interface Parsers {
  checker: Parser;
  reader: PythonParser;
}

let parsers: Parsers | null = null;
let loading: Promise<void> | null = null;
let loadedGeneration = -1;

/**
 * Loads the Python grammar for the rewrites; await it before asking for fixes (again after the
 * parser crashed and was restarted: the parsers are then made anew).
 */
export function prepareRewrites(location?: GrammarLocation): Promise<void> {
  if (loadedGeneration !== pythonParserGeneration()) {
    loadedGeneration = pythonParserGeneration();
    parsers = null;
    latest = null;
    baseline = null;
    loading = null;
  }
  loading ??= (async () => {
    const { language, Parser } = await loadPythonLanguage(location);
    const checker = new Parser();
    checker.setLanguage(language);
    parsers = { checker, reader: await PythonParser.create(location) };
  })();
  return loading;
}

/** Whether `prepareRewrites` has finished (a hover does without withheld fixes until then). */
export function rewritesReady(): boolean {
  return parsers !== null;
}

function loaded(): Parsers {
  if (!parsers) throw new Error('einsight rewrites: await prepareRewrites() before asking for fixes');
  return parsers;
}

/**
 * Only the latest source tree is kept: the reader moves unchanged statements' nodes into its
 * next tree, so an older tree would silently change under a later parse.
 */
let latest: PythonSource | null = null;

export function pythonSource(text: string): PythonSource {
  if (latest?.text !== text) latest = new PythonSource(text, loaded().reader.parse(text).module);
  return latest;
}

/** The original text's tree, kept so each fix's text re-parses incrementally from it. */
interface Baseline {
  text: string;
  tree: Tree;
  errors: SourceRange[];
  lineStarts: number[];
}

let baseline: Baseline | null = null;

function baselineOf(text: string): Baseline {
  if (baseline?.text === text) return baseline;
  baseline?.tree.delete();
  const tree = loaded().checker.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  baseline = { text, tree, errors: tree.rootNode.hasError ? collectErrors(tree) : [], lineStarts };
  return baseline;
}

/** ERROR and missing nodes of `text`, as tree-sitter recovers from them. */
export function syntaxErrors(text: string): SourceRange[] {
  // Indentation the grammar's scanner would overflow on counts as an error, unparsed.
  const tooDeep = tooDeepIndentation(text);
  return tooDeep ? [tooDeep] : baselineOf(text).errors;
}

function collectErrors(tree: Tree): SourceRange[] {
  const errors: SourceRange[] = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      const isError = cursor.nodeType === 'ERROR' || cursor.nodeIsMissing;
      if (isError) errors.push({ start: cursor.startIndex, end: cursor.endIndex });
      if (!isError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return errors;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * The text after `edits` parses at least as well as `original`: no new syntax error, and none
 * in or at the edges of the inserted text (a file with errors elsewhere can still be fixed).
 * The edited text is parsed incrementally from the original's tree.
 */
export function parsesAfter(original: string, edits: readonly FixEdit[]): boolean {
  const applied = applyEdits(original, edits);
  if (tooDeepIndentation(original) || tooDeepIndentation(applied.text)) return false;
  const base = baselineOf(original);
  const tree = base.tree.copy();
  let after: Tree | null = null;
  try {
    // Last edit first, so every position is still one in the original text.
    for (const edit of sortEdits(edits).reverse()) tree.edit(treeEdit(base, edit));
    after = loaded().checker.parse(applied.text, tree);
    if (!after) throw new Error('tree-sitter returned no tree');
    if (!after.rootNode.hasError) return true;
    const errors = collectErrors(after);
    if (errors.length > base.errors.length) return false;
    return !errors.some((e) => applied.regions.some((r) => e.start <= r.end && r.start <= e.end));
  } finally {
    after?.delete();
    tree.delete();
  }
}

function treeEdit(base: Baseline, edit: FixEdit): Edit {
  const { start, end } = edit.range;
  const startPosition = pointAt(base, start);
  const lines = edit.newText.split('\n');
  const newEndPosition =
    lines.length === 1
      ? { row: startPosition.row, column: startPosition.column + edit.newText.length }
      : { row: startPosition.row + lines.length - 1, column: lines[lines.length - 1].length };
  return {
    startIndex: start,
    oldEndIndex: end,
    newEndIndex: start + edit.newText.length,
    startPosition,
    oldEndPosition: pointAt(base, end),
    newEndPosition,
  };
}

/** Row and UTF-16 column, as web-tree-sitter counts them for JavaScript strings. */
function pointAt(base: Baseline, offset: number): { row: number; column: number } {
  let low = 0;
  let high = base.lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (base.lineStarts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { row: low, column: offset - base.lineStarts[low] };
}
