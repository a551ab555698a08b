/**
 * The cursor the Python parser copies trees with: web-tree-sitter's module functions called
 * directly, with the cursor left in the transfer buffer (tree-cursor.ts). It must read every
 * tree exactly as web-tree-sitter's own TreeCursor does, and be the one in use.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadPythonLanguage } from 'einsight-server/analysis/python/parser';
import { LibraryCursor, walkRecord } from 'einsight-server/analysis/python/tree-cursor';
import { PYTHON_FIXTURES } from '../support/python-fixtures';

/** Python sources under the fixtures, and code with errors and missing tokens. */
function sources(): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.py')) found.push(readFileSync(file, 'utf8'));
    }
  };
  visit(path.resolve(PYTHON_FIXTURES, '..'));
  return [...found, 'def f(:\n    return [1, 2\n', 'x = "unterminated\ny = np.einsum("ij", a[0, \n', 'é = "ñ" + f"{x!r:>{w}}"\n'];
}

describe('the direct tree cursor', () => {
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
          const cursor = grammar.cursors(tree);
          assert.equal(cursor.constructor.name, 'DirectCursor');
          assert.equal(walkRecord(cursor), walkRecord(new LibraryCursor(tree)));
        } finally {
          tree.delete();
        }
      }
    } finally {
      parser.delete();
    }
  });
});
