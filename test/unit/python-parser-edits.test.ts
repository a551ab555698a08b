/**
 * The Python parser's shortcuts on a re-parse: unchanged top-level statements without errors are
 * taken from the last copy (found by type and text), and only the statements
 * tree-sitter found an error in are searched for syntax errors. Edit after edit, the result must
 * be what a fresh parser gives for the same text, and the errors what a search of the whole
 * module finds. (A statement with an error was taken from the last copy too, until this test
 * showed that tree-sitter can recover from the same text differently after an edit elsewhere.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PythonParser, type ParsedPython } from 'einsight-server/analysis/python/parser';
import { walk, type PyNode } from 'einsight-server/analysis/python/syntax';
import { seededRandom } from 'einsight-server/core/random';
import { PYTHON_FIXTURES, pythonSourcesUnder } from '../support/python-fixtures';

/** The copy as data: every field but the parent link. */
function shape(node: PyNode): unknown {
  return [node.type, node.named, node.field, node.start, node.end, node.missing, node.children.map(shape)];
}

/** Syntax errors as a search of the whole module finds them. */
function searchedErrors(parsed: ParsedPython): { start: number; end: number }[] {
  const errors: { start: number; end: number }[] = [];
  walk(parsed.module, (node) => {
    if (node.type === 'ERROR' || node.missing) {
      errors.push({ start: node.start, end: node.end });
      return false;
    }
  });
  return errors;
}

const INSERTS = ['(', ')', '"', '\n', '    ', 'é', 'def ', ':', 'x = 1\n', '\n\nimport os\n', '[', ''];

describe('re-parsing after edits', () => {
  it('gives the fresh parse of the same text, and the syntax errors a whole-module search finds', async () => {
    const random = seededRandom(29);
    const incremental = await PythonParser.create();
    const fresh = await PythonParser.create();
    let withErrors = 0;
    let reused = 0;
    try {
      for (const source of [
        ...pythonSourcesUnder(PYTHON_FIXTURES),
        // Identical statements, statements of one length but other text, and a statement whose text stands as an error elsewhere.
        'x = 1\ny = 2\nx = 1\n\ndef f(a):\n    return a\n\ndef g(a):\n    return a\n\ndef f(a):\n    return a\nx = 1\n',
      ]) {
        let parsed = incremental.parse(source);
        let text = source;
        for (let step = 0; step < 6; step++) {
          const start = Math.floor(random() * (text.length + 1));
          const end = Math.min(text.length, start + Math.floor(random() * 4));
          const insert = INSERTS[Math.floor(random() * INSERTS.length)];
          const before = new Set(parsed.module.children);
          parsed = incremental.edit([{ start, end, text: insert }]);
          text = text.slice(0, start) + insert + text.slice(end);
          reused += parsed.module.children.filter((child) => before.has(child)).length;
          // A text of nothing in between: the fresh parser has no statements to take.
          fresh.parse('');
          const expected = fresh.parse(text);
          assert.equal(parsed.text, text);
          assert.deepEqual(shape(parsed.module), shape(expected.module));
          assert.deepEqual(parsed.syntaxErrors, expected.syntaxErrors);
          assert.deepEqual(parsed.syntaxErrors, searchedErrors(parsed));
          if (parsed.syntaxErrors.length > 0) withErrors++;
        }
      }
    } finally {
      incremental.dispose();
      fresh.dispose();
    }
    assert.ok(withErrors > 30, `${withErrors} edited texts with errors`);
    assert.ok(reused > 100, `${reused} statements taken from the last copy`);
  });
});
