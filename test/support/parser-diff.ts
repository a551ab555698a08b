/**
 * Compares the descent parser's tree (analysis/python/descent/) with the copy of tree-sitter's,
 * node for node: what both must agree on for every text the descent parser accepts.
 */
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { NO_CHILDREN, type PyNode } from 'einsight-server/analysis/python/syntax';
import { parseFast } from 'einsight-server/analysis/python/descent/statements';
import { tooDeepIndentation } from 'einsight-server/analysis/python/indentation';
import { tooLarge } from 'einsight-server/analysis/source-size';
import { TooDeepError } from 'einsight-server/analysis/too-deep';

/** The first difference between two trees, as a path and the values; null when identical. */
export function treeDifference(expected: PyNode, actual: PyNode, text: string, path = ''): string | null {
  const here = `${path}/${expected.type}@${expected.start}`;
  for (const key of ['type', 'named', 'field', 'start', 'end', 'missing', 'recordIndex'] as const) {
    if (expected[key] !== actual[key]) return `${here}: ${key} ${JSON.stringify(expected[key])} != ${JSON.stringify(actual[key])} in ${JSON.stringify(text.slice(expected.start, expected.end).slice(0, 80))}`;
  }
  if ((expected.children === NO_CHILDREN) !== (actual.children === NO_CHILDREN)) return `${here}: one of the leaves has its own empty child list`;
  if (expected.children.length !== actual.children.length) {
    const types = (node: PyNode) => node.children.map((c) => c.type).join(' ');
    return `${here}: children [${types(expected)}] != [${types(actual)}]`;
  }
  for (let i = 0; i < expected.children.length; i++) {
    const child = actual.children[i];
    if (child.parent !== actual) return `${here}: child ${i} has another parent`;
    const difference = treeDifference(expected.children[i], child, text, here);
    if (difference) return difference;
  }
  return null;
}

export interface Comparison {
  /** Why the descent parser declined, or null if it built a tree. */
  declined: string | null;
  /** The first difference from tree-sitter's tree, when it built one. */
  difference: string | null;
  /** Whether tree-sitter found a syntax error (the descent parser must then decline). */
  treeSitterErrors: boolean;
  /** Whether `PythonParser` refuses the text (too large, or nested too deep to analyse). */
  refused: boolean;
}

/** Parses `text` with both parsers (`treeSitter` made with `{ descent: false }`) and compares. */
export function compareParsers(treeSitter: PythonParser, text: string): Comparison {
  let expected;
  try {
    expected = treeSitter.parse(text);
  } catch (error) {
    if (!(error instanceof TooDeepError)) throw error;
    // A text too large or indented too deep is refused before either parser runs; a tree too
    // deep for tree-sitter's copy to analyse, the descent parser must decline.
    if (tooLarge(text) || tooDeepIndentation(text)) return { declined: 'refused', difference: null, treeSitterErrors: false, refused: true };
    const fast = parseFast(text);
    const declined = 'declined' in fast ? fast.declined : null;
    return { declined, difference: declined === null ? 'accepted a tree too deep to analyse' : null, treeSitterErrors: false, refused: true };
  }
  const fast = parseFast(text);
  const treeSitterErrors = expected.syntaxErrors.length > 0;
  if ('declined' in fast) return { declined: fast.declined, difference: null, treeSitterErrors, refused: false };
  const module: PyNode = { ...expected.module, children: fast.nodes };
  for (const node of fast.nodes) node.parent = module;
  const difference = treeSitterErrors ? 'accepted a text with syntax errors' : treeDifference(expected.module, module, text);
  return { declined: null, difference, treeSitterErrors, refused: false };
}

export function treeSitterOnly(): Promise<PythonParser> {
  return PythonParser.create(undefined, { descent: false });
}
