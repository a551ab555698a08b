/**
 * The Python parser's limits: text over the documented size is refused before parsing (near
 * 40 MB tree-sitter's WebAssembly aborted, and the module stayed dead: every later Python file
 * failed, in the CLI and in the server until a restart); and a crash of the module, injected
 * here, costs only the file being parsed: a fresh module parses the next one.
 */
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import treeSitter = require('web-tree-sitter');
import { PythonDocument, analyzePython } from 'einsight-server/analysis/python/analyze';
import { ParserCrashedError, pythonParserGeneration } from 'einsight-server/analysis/python/parser';
import { MAX_SOURCE_LENGTH } from 'einsight-server/analysis/source-size';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { runCli } from '../support/cli';

const root = fs.mkdtempSync(join(tmpdir(), 'einsight-parser-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const COSTLY = 'import numpy as np\nr = np.einsum("ij,jk,kl->il", np.ones((10, 100)), np.ones((100, 50)), np.ones((50, 5)))\n';
/**
 * The same code with a match statement, which the descent parser (descent/) leaves to tree-sitter:
 * the crash below is injected into tree-sitter's parse, which text the descent parser builds
 * never reaches.
 */
const COSTLY_FOR_TREE_SITTER = `${COSTLY}match r.ndim:\n    case 2:\n        pass\n`;
const REASON = 'not analysed: the file is too large to analyse (8 MiB of text; einsight reads up to 8 MiB)';

/** A wasm trap as web-tree-sitter throws it. */
function trap(): never {
  const error = new Error('memory access out of bounds');
  error.name = 'RuntimeError';
  throw error;
}

describe('the size limit', () => {
  const huge = COSTLY + '#'.repeat(MAX_SOURCE_LENGTH - COSTLY.length) + '\n';

  it('refuses Python and TypeScript over 8 MiB before parsing; the limit itself is read', async () => {
    assert.equal(huge.length, MAX_SOURCE_LENGTH + 1);
    const parse = mock.method(treeSitter.Parser.prototype, 'parse');
    try {
      assert.deepEqual((await analyzePython(huge)).notAnalysed, { reason: REASON, range: { start: 0, end: 0 } });
      assert.equal(parse.mock.callCount(), 0);
    } finally {
      parse.mock.restore();
    }
    assert.equal(analyzeTypeScript(huge, {}, 'js').notAnalysed?.reason, REASON);
    const document = await PythonDocument.open();
    try {
      assert.equal(document.analyze(huge, null).notAnalysed?.reason, REASON);
      assert.deepEqual(document.analyze(COSTLY, null).sites.map((s) => s.baseline?.flops), [750000n]);
    } finally {
      document.dispose();
    }
  });

  it('einsight check reports the file and analyses the others', async () => {
    fs.writeFileSync(join(root, 'a-huge.py'), huge);
    fs.writeFileSync(join(root, 'b-small.py'), COSTLY);
    const result = await runCli(['check', join(root, 'a-huge.py'), join(root, 'b-small.py')]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `${join(root, 'a-huge.py')}:1:1: ${REASON}\n`);
    assert.match(result.stdout, /b-small\.py:2:5 EIN001/);
  });
});

describe('a crash of the WebAssembly parser', () => {
  it('costs the file being parsed; a fresh module parses the next one', async () => {
    const before = pythonParserGeneration();
    const parse = mock.method(treeSitter.Parser.prototype, 'parse', trap);
    let crashed;
    try {
      crashed = await analyzePython(COSTLY_FOR_TREE_SITTER);
    } finally {
      parse.mock.restore();
    }
    assert.equal(crashed.notAnalysed?.reason, 'not analysed: the Python parser (tree-sitter) crashed: memory access out of bounds; the parser was restarted for the next files');
    assert.equal(pythonParserGeneration(), before + 1);
    // The mocked module is gone: every later parse runs on the fresh one.
    assert.deepEqual((await analyzePython(COSTLY_FOR_TREE_SITTER)).sites.map((s) => s.baseline?.flops), [750000n]);
  });

  it('an editor document throws it (the server rebuilds its analyzer), and a new document works', async () => {
    const document = await PythonDocument.open();
    const { Parser } = require('web-tree-sitter') as typeof treeSitter;
    const parse = mock.method(Parser.prototype, 'parse', trap);
    try {
      assert.throws(() => document.analyze(COSTLY_FOR_TREE_SITTER, null), ParserCrashedError);
    } finally {
      parse.mock.restore();
    }
    const fresh = await PythonDocument.open();
    try {
      assert.deepEqual(fresh.analyze(COSTLY_FOR_TREE_SITTER, null).sites.map((s) => s.baseline?.flops), [750000n]);
    } finally {
      fresh.dispose();
    }
  });

  it('einsight fix goes on with the next file, its rewrites on the fresh module', async () => {
    const first = join(root, 'c-first.py');
    const second = join(root, 'd-second.py');
    fs.writeFileSync(first, COSTLY_FOR_TREE_SITTER);
    fs.writeFileSync(second, COSTLY_FOR_TREE_SITTER);
    const { Parser } = require('web-tree-sitter') as typeof treeSitter;
    let calls = 0;
    const original = Parser.prototype.parse;
    const parse = mock.method(Parser.prototype, 'parse', function (this: unknown, ...args: Parameters<typeof original>) {
      // The first parse: the first file's, for its analysis or its rewrite.
      if (++calls === 1) trap();
      return original.apply(this as never, args);
    });
    let result;
    try {
      result = await runCli(['fix', '--write', first, second]);
    } finally {
      parse.mock.restore();
    }
    assert.equal(result.code, 1);
    assert.match(result.stderr, /c-first\.py.*the Python parser \(tree-sitter\) crashed: memory access out of bounds/);
    assert.doesNotMatch(result.stderr, /internal error/);
    assert.equal(fs.readFileSync(first, 'utf8'), COSTLY_FOR_TREE_SITTER);
    assert.notEqual(fs.readFileSync(second, 'utf8'), COSTLY_FOR_TREE_SITTER);
  });
});
