/**
 * Megabyte-long lines (what `npm run fuzz` inserts into real files). An equation literal of a
 * megabyte was decoded character by character, each keeping its source span: 1.6 s of a
 * 1.7 s analysis, against 30 ms for the parse. Past the longest equation einsight parses it
 * is now left undecoded, its cost unknown, and the hover says why. The other long lines (a list of 350,000 numbers, `a + a + …`) cost
 * what the parser costs: einsight's own passes over them stay a small multiple of the parse
 * alone, compared here by processor time so that the machine's load does not count. Copying a
 * megabyte list of numbers out of tree-sitter cost 300 ms more than parsing it: such a literal
 * is now one leaf.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';
import treeSitter = require('web-tree-sitter');
import type { FileAnalysis } from 'einsight-server/analysis/model';
import { analyzePython } from 'einsight-server/analysis/python/analyze';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { NUMBERS_LITERAL } from 'einsight-server/analysis/python/numbers-literal';
import { walk, type PyNode } from 'einsight-server/analysis/python/syntax';
import { MAX_EQUATION_LENGTH } from 'einsight-server/analysis/source-size';
import { analyzeTypeScript } from 'einsight-server/analysis/typescript/analyze';
import { siteMarkdown } from 'einsight-server/features/hover';
import { UnitSnapshot } from 'einsight-server/workspace/snapshot';

const PYTHON_HEAD = 'import numpy as np\ny = np.ones((2,) * 3)\n';
const TYPESCRIPT_HEAD = "import * as tf from '@tensorflow/tfjs';\nconst y = tf.ones([2, 2, 2]);\n";

function pythonEinsum(labels: string): string {
  return `${PYTHON_HEAD}x = np.einsum("${labels}->", y)\n`;
}

function typescriptEinsum(labels: string): string {
  return `${TYPESCRIPT_HEAD}const x = tf.einsum('${labels}->', y);\n`;
}

function onlySite(analysis: FileAnalysis) {
  assert.equal(analysis.notAnalysed, undefined);
  assert.equal(analysis.sites.length, 1);
  return analysis.sites[0];
}

function hoverOf(analysis: FileAnalysis, language: string): string {
  return siteMarkdown(analysis.sites[0], analysis, new UnitSnapshot('file:///x', language, 1, '', []), 'file:///x');
}

describe('an equation literal longer than einsight reads', () => {
  const length = 1 << 20;
  const reason = (quoted: number) =>
    `The equation is not read: it is ${quoted.toLocaleString('en-US')} characters long, and einsight reads equations of up to 100,000, so its cost is unknown.`;

  it('Python: the site is found, its equation left unread with the reason, and the hover says it', async () => {
    const text = pythonEinsum('a'.repeat(length));
    const analysis = await analyzePython(text);
    const site = onlySite(analysis);
    const literal = { start: text.indexOf('"'), end: text.lastIndexOf('"') + 1 };
    assert.equal(site.equation.text, null);
    assert.equal(site.equation.dynamic, true);
    assert.equal(site.equation.notRead, reason(literal.end - literal.start));
    assert.deepEqual(site.equation.range, literal);
    assert.equal(site.contraction, null);
    assert.match(hoverOf(analysis, 'python'), /The equation is not read: it is 1,048,580 characters long/);
  });

  it('Python: implicit concatenation counts the whole literal', async () => {
    const half = 'a'.repeat(MAX_EQUATION_LENGTH / 2);
    const site = onlySite(await analyzePython(`${PYTHON_HEAD}x = np.einsum("${half}" "${half}->", y)\n`));
    assert.equal(site.equation.notRead, reason(MAX_EQUATION_LENGTH + 7));
  });

  it('TypeScript: the same, for a literal and for a `+` of literals', () => {
    const text = typescriptEinsum('a'.repeat(length));
    const analysis = analyzeTypeScript(text, {}, 'ts');
    const site = onlySite(analysis);
    assert.equal(site.equation.text, null);
    assert.equal(site.equation.notRead, reason(length + 4));
    assert.deepEqual(site.equation.range, { start: text.indexOf("'aaa"), end: text.lastIndexOf("'") + 1 });
    assert.match(hoverOf(analysis, 'typescript'), /The equation is not read: it is 1,048,580 characters long/);
    const half = 'a'.repeat(MAX_EQUATION_LENGTH / 2);
    const joined = onlySite(analyzeTypeScript(`${TYPESCRIPT_HEAD}const x = tf.einsum('${half}' + '${half}->', y);\n`, {}, 'ts'));
    assert.equal(joined.equation.notRead, reason(MAX_EQUATION_LENGTH + 9));
  });

  it('an equation at the limit is still read, every character placed', async () => {
    // 'a' repeated: one operand of many dimensions, read (and refused as the library would refuse it).
    const labels = 'a'.repeat(MAX_EQUATION_LENGTH - 6);
    const python = onlySite(await analyzePython(pythonEinsum(labels)));
    assert.equal(python.equation.notRead, undefined);
    assert.equal(python.equation.text, `${labels}->`);
    assert.equal(python.equation.charRanges?.length, labels.length + 2);
    const typescript = onlySite(analyzeTypeScript(typescriptEinsum(labels), {}, 'ts'));
    assert.equal(typescript.equation.notRead, undefined);
    assert.equal(typescript.equation.charRanges?.length, labels.length + 2);
  });
});

describe('a long collection literal of numbers only', () => {
  const numbers = (count: number) => Array.from({ length: count }, (_, i) => ['1', '-2.5e-3', '0x1F', '1_000', '3j', '(4, 5)', '[.5]'][i % 7]).join(', ');
  const nodes = (module: PyNode) => {
    let count = 0;
    walk(module, () => {
      count++;
    });
    return count;
  };

  it('is copied as one leaf, whatever its length', async () => {
    const parser = await PythonParser.create();
    const text = `x = [${numbers(20_000)}]\ny = (${numbers(20_000)},)\n`;
    const { module, syntaxErrors } = parser.parse(text);
    assert.deepEqual(syntaxErrors, []);
    const literals: PyNode[] = [];
    walk(module, (node) => {
      if (node.type === NUMBERS_LITERAL) literals.push(node);
    });
    assert.deepEqual(
      literals.map((n) => text.slice(n.start, n.start + 5)),
      ['[1, -', '(1, -'],
    );
    assert.ok(nodes(module) < 20, `${nodes(module)} nodes`);
    // A short one is copied element by element, as the shapes read them.
    assert.ok(nodes(parser.parse(`x = [${numbers(200)}]\n`).module) > 200);
    parser.dispose();
  });

  it('is copied whole when a name, a string or a syntax error is inside', async () => {
    const parser = await PythonParser.create();
    for (const odd of ['a', 'e', 'f(1)', "'s'", '1 if 2 else 3', '1 2']) {
      const parsed = parser.parse(`x = [${numbers(10_000)}, ${odd}, ${numbers(10_000)}]\n`);
      assert.ok(nodes(parsed.module) > 10_000, odd);
      assert.equal(parsed.syntaxErrors.length > 0, odd === '1 2', odd);
    }
    parser.dispose();
  });

  it("as a subscript's index (error recovery's reading of a list after an unclosed string) it is one unknown index", async () => {
    const parser = await PythonParser.create();
    const text = `y = a[${numbers(20_000)}]\n`;
    const { module } = parser.parse(text);
    const subscript = module.children[0].children[0].children.find((n) => n.type === 'subscript')!;
    assert.deepEqual(
      subscript.children.map((n) => [n.type, n.field, text.slice(n.start, Math.min(n.end, n.start + 5))]),
      [['identifier', 'value', 'a'], [NUMBERS_LITERAL, 'subscript', '1, -2']],
    );
    assert.equal(text[subscript.children[1].end], ']');
    for (const odd of ['b', '1 1', '1,,2', '(,)', '1e', '0x1e-5', '+']) {
      assert.ok(nodes(parser.parse(`y = a[${numbers(10_000)}, ${odd}, ${numbers(10_000)}]\n`).module) > 10_000, odd);
    }
    parser.dispose();
  });

  it('its shape is unknown, not claimed', async () => {
    const analysis = await analyzePython(`import numpy as np\nv = np.array([${numbers(30_000)}])\nr = np.einsum('i,i->', v, np.ones(3))\n`);
    assert.equal(analysis.sites.length, 1);
    // Its 30,000 elements would clash with the 3 of np.ones(3); unread, the size is left to the other operand.
    assert.deepEqual(analysis.sites[0].diagnostics, []);
    assert.deepEqual(analysis.sites[0].operands[0].shape, null);
    const short = await analyzePython(`import numpy as np\nv = np.array([1, 2])\nr = np.einsum('i,i->', v, np.ones(3))\n`);
    assert.deepEqual(short.sites[0].diagnostics.map((d) => d.code), ['EIN003']);
  });
});

/** The least processor time, in ms, of three runs of `run`. */
async function leastCpuMs(run: () => unknown): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

/** Half-megabyte lines of the shapes the fuzz found slow. */
const LONG_LINES = {
  list: (assign: string) => `${assign}[${'1, '.repeat(1 << 17)}1]`,
  sum: (assign: string) => assign + Array.from({ length: 1 << 16 }, () => '1').join(' + '),
  string: (assign: string) => `${assign}'${'ab c'.repeat(1 << 17)}'`,
};

/**
 * Einsight's analysis may cost this many times the parser's own parse of the same text: a
 * generous bound (about 1.3x measured) that a pass quadratic in a line's length, or one
 * costing per character what the parser costs per token, would break.
 */
const AT_MOST_TIMES_THE_PARSE = 4;

describe('long lines cost about what parsing them costs', () => {
  it('Python, against tree-sitter alone', async () => {
    await analyzePython('x = 1\n');
    await treeSitter.Parser.init();
    const language = await treeSitter.Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new treeSitter.Parser();
    parser.setLanguage(language);
    for (const [shape, line] of Object.entries(LONG_LINES)) {
      const text = `${PYTHON_HEAD}${line('x = ')}\n`;
      const parse = await leastCpuMs(() => parser.parse(text)?.delete());
      const analysis = await leastCpuMs(() => analyzePython(text));
      assert.ok(analysis <= AT_MOST_TIMES_THE_PARSE * Math.max(parse, 5), `${shape}: analysis ${analysis.toFixed(0)} ms, parse ${parse.toFixed(0)} ms`);
    }
    parser.delete();
  });

  it('TypeScript, against the compiler parsing alone', async () => {
    for (const [shape, line] of Object.entries(LONG_LINES)) {
      const text = `${TYPESCRIPT_HEAD}${line('const x = ')};\n`;
      const parse = await leastCpuMs(() => ts.createSourceFile('/x.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
      const analysis = await leastCpuMs(() => analyzeTypeScript(text, {}, 'ts'));
      assert.ok(analysis <= AT_MOST_TIMES_THE_PARSE * Math.max(parse, 5), `${shape}: analysis ${analysis.toFixed(0)} ms, parse ${parse.toFixed(0)} ms`);
    }
  });
});
