/**
 * The cursor the Python parser copies trees with: tree-sitter's trees read straight from the
 * WebAssembly module's memory (heap-cursor.ts, chosen in tree-cursor.ts). It must read every
 * tree exactly as web-tree-sitter's own TreeCursor does — fresh trees, trees re-parsed after
 * edits (which share subtrees with the old tree), trees full of errors — and be the one in use.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Tree } from 'web-tree-sitter';
import { loadPythonLanguage, type PythonGrammar } from 'einsight-server/analysis/python/parser';
import { cursorFactory, LibraryCursor, walkRecord } from 'einsight-server/analysis/python/tree-cursor';
import { PYTHON_FIXTURES, pythonSourcesUnder } from '../support/python-fixtures';

/** Python sources under the fixtures, and code with errors, missing tokens and aliased nodes. */
function sources(): string[] {
  return [
    ...pythonSourcesUnder(path.resolve(PYTHON_FIXTURES, '..')),
    'def f(:\n    return [1, 2\n',
    'x = "unterminated\ny = np.einsum("ij", a[0, \n',
    'é = "ñ" + f"{x!r:>{w}}"\n',
    'if a is not b and c not in d: pass\nwith f() as (g, h): print(lambda k: k)\n',
    'match p:\n    case [1, *rest] | (2, c) as d if d:\n        pass\n    case {"k": v, **kw}: pass\n',
    'class C(B, metaclass=M):\n    x: int = 1  # comment\n    def g(self, /, a, *args, b, **kw): return (yield a)\n',
  ];
}

function assertSameWalk(grammar: PythonGrammar, tree: Tree): void {
  const cursor = grammar.cursors(tree);
  assert.equal(cursor.constructor.name, 'HeapCursor');
  assert.equal(walkRecord(cursor), walkRecord(new LibraryCursor(tree)));
}

/** A one-line position, enough for tree-sitter to re-parse the edited range. */
function point(text: string, offset: number): { row: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { row: before.length - 1, column: before[before.length - 1].length };
}

describe('the heap tree cursor', () => {
  it('is the cursor the parser uses, and reads every fixture as TreeCursor does', async () => {
    const grammar = await loadPythonLanguage();
    const parser = new grammar.Parser();
    parser.setLanguage(grammar.language);
    const all = sources();
    assert.ok(all.length > 50, `${all.length} sources`);
    try {
      for (const source of all) {
        const tree = parser.parse(source)!;
        try {
          assertSameWalk(grammar, tree);
        } finally {
          tree.delete();
        }
      }
    } finally {
      parser.delete();
    }
  });

  it('reads trees re-parsed after edits (shared subtrees, errors) as TreeCursor does', async () => {
    const grammar = await loadPythonLanguage();
    const parser = new grammar.Parser();
    parser.setLanguage(grammar.language);
    const inserts = ['(', ')', '"', '\n', '    ', 'é', 'def ', ':', '#', 'f"{', '\\', ''];
    let seed = 13;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let withErrors = 0;
    try {
      for (const original of sources().slice(0, 40)) {
        let text = original;
        let tree = parser.parse(text)!;
        try {
          for (let step = 0; step < 4; step++) {
            const start = random(text.length + 1);
            const end = Math.min(text.length, start + random(4));
            const insert = inserts[random(inserts.length)];
            const next = text.slice(0, start) + insert + text.slice(end);
            tree.edit({
              startIndex: start,
              oldEndIndex: end,
              newEndIndex: start + insert.length,
              startPosition: point(text, start),
              oldEndPosition: point(text, end),
              newEndPosition: point(next, start + insert.length),
            });
            const edited = parser.parse(next, tree)!;
            tree.delete();
            tree = edited;
            text = next;
            if (tree.rootNode.hasError) withErrors++;
            assertSameWalk(grammar, tree);
          }
        } finally {
          tree.delete();
        }
      }
    } finally {
      parser.delete();
    }
    assert.ok(withErrors > 40, `${withErrors} edited trees with errors`);
  });

  it("reads trees made before and after the module's memory grew (its views are replaced)", async () => {
    const grammar = await loadPythonLanguage();
    const parser = new grammar.Parser();
    parser.setLanguage(grammar.language);
    const memoryOf = (tree: Tree) => (grammar.cursors(tree) as unknown as { u8: Uint8Array }).u8.length;
    const small = parser.parse('y = f(x)[0]  # é\n')!;
    const before = memoryOf(small);
    const block = 'def g(a, b):\n    """Doc."""\n    return np.einsum("ij,jk->ik", a, b) + [1, 2, 3][0]\n\n';
    const big = parser.parse(block.repeat(Math.ceil(1_500_000 / block.length)))!;
    try {
      assert.ok(memoryOf(big) > before, `memory ${before} -> ${memoryOf(big)} bytes`);
      assertSameWalk(grammar, big);
      assertSameWalk(grammar, small);
    } finally {
      big.delete();
      small.delete();
      parser.delete();
    }
  });

  it("falls back to TreeCursor where the module's memory is not there or reads otherwise", async () => {
    const grammar = await loadPythonLanguage();
    const parser = new grammar.Parser();
    parser.setLanguage(grammar.language);
    const tree = parser.parse('x = f(1)\n')!;
    try {
      const newParser = () => new grammar.Parser();
      // No memory views: not web-tree-sitter's module.
      assert.equal(cursorFactory({}, newParser, grammar.language)(tree).constructor.name, 'LibraryCursor');
      // Views of some other memory: the check walk reads something else.
      const other = { HEAPU8: new Uint8Array(1024), HEAPU16: new Uint16Array(512), HEAPU32: new Uint32Array(256) };
      const cursor = cursorFactory(other, newParser, grammar.language)(tree);
      assert.equal(cursor.constructor.name, 'LibraryCursor');
      assert.equal(walkRecord(cursor), walkRecord(new LibraryCursor(tree)));
    } finally {
      tree.delete();
      parser.delete();
    }
  });
});
