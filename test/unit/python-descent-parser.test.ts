/**
 * The descent parser (analysis/python/descent/) against tree-sitter: for every text it accepts,
 * the same tree node for node (types, fields, offsets, comments, child lists); every text with
 * a syntax error declined; and `PythonParser` giving the same trees and errors through edits
 * that move between the two parsers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { seededRandom } from 'einsight-server/core/random';
import { parseFast } from 'einsight-server/analysis/python/descent/statements';
import { PythonParser } from 'einsight-server/analysis/python/parser';
import { generatedModule } from '../bench/pricing';
import { parsePythonFixture } from '../support/python-fixtures';
import { compareParsers, treeDifference, treeSitterOnly } from '../support/parser-diff';
import { pythonFilesUnder } from '../support/parser-diff-files';

const ROOT = path.resolve(__dirname, '../../..');

/** Snippets the descent parser must accept, each a hard spot of tree-sitter-python's tree. */
const ACCEPTED = [
  '',
  '\n',
  'x',
  'x = 1',
  '\ufeffx = 1\n',
  'x = 1\r\ny = 2\r\n',
  'if a:\r\n    b\r\n# c\r\nd\r\n',
  'x = 1  # trailing\n',
  '# only a comment',
  '# first\n\n# second\nx = 1\n# last',
  'def f():\n    # leading\n    x\n    # at the block\n  # between\n# outside\ny\n',
  'def f():\n    if a:\n        b\n    # after the inner block\n    c\n',
  'def f():\n    if a:\n        b\n        # deep\n# shallow\n    c\n',
  'def f():\n    x = 1\n\n# at the margin\n    for k in y:\n        z\n    return m\n',
  'class A:\n    def f(self):\n        pass\n    # end of class\n\n\nx = 1\n',
  'if a:\n    b\n# before else\nelse:\n    c\n',
  'try:\n    a\nexcept A as e:\n    b\nexcept (B, C):\n    c\nexcept D:\n    pass\nelse:\n    d\nfinally:\n    e\n',
  'if a: b  # c\n',
  'if a: b; c;\n',
  'a = 1; b = 2\n',
  'a = 1;\n',
  'x = [\n    1,  # one\n    # alone\n    2,\n]\n',
  'f(a,  # c\n  b)\n',
  'x = 1 + \\\n    2\n',
  'f(a, \\\n  b)\n',
  'if a and \\\n   b:\n    pass\n',
  '\tx = 1\n',
  'if a:\n\tb\n\tc\n',
  'if a:\n        b\n\tc\n',
  'x = 1\f\ny = 2\n',
  '\fx = 1\n',
  'x = 1\n  # indented comment\ny = 2\n',
  'def f(a, /, b: int, *, c=1, **k) -> Dict[str, int]:\n    pass\n',
  'def f(*args: int, **kwargs: str): pass\n',
  'async def f():\n    await g()\n    async for a in b: pass\n    async with c as d: pass\n',
  'lambda: 0\nlambda x, *a, y=1, **k: x\nf(lambda x: x + 1)\n',
  'x: int\ny: List[int] = []\nz: Optional[List[int]] = None\nw: a.b[c] = 1\nv: int | None = 1\nu: List[int] | None = 1\n',
  'x: Callable[[int], str]\nt: Tuple[int, ...]\ns: "str"\nr: type[int]\n',
  'a, b = 1, 2\n(a, b) = c\n[a, *b] = c\na, (b, c) = d\n*a, b = c\na, = b\na = b = c\na = b, c = d\n',
  'a.b, c[0] = 1, 2\na += 1\na.b -= 2\na[0] **= 3\nx //= 2\nx @= y\nx >>= 1\nx |= y\n',
  'for a, b in x:\n    pass\nelse:\n    pass\nfor (i, j) in y: pass\nfor [i, j] in y: pass\nfor x in 1, 2: pass\nfor x in a,: pass\n',
  'while a:\n    break\nelse:\n    continue\n',
  'with a, b as c, d() as (e, f):\n    pass\n',
  'import a\nimport a.b.c\nimport a.b as c, d\nfrom . import a\nfrom .. import (a, b,)\nfrom ..a.b import c as d\nfrom ... import x\nfrom a import *\nfrom __future__ import annotations, division\n',
  'global a, b\nnonlocal c\ndel a, b\ndel a[0]\nassert a, "m"\nraise\nraise E\nraise E from e\nreturn\nreturn a, b\nreturn a,\npass\n',
  '@dec\ndef f(): pass\n@a.b(c)\n@d  # c\nclass C(B, metaclass=M):\n    x = 1\n@e\nasync def g(): pass\n',
  'class A: pass\nclass B(): pass\nclass C(A, B,): pass\n',
  'a if b else c\na if b else c if d else e\nlambda: a if b else c\n',
  'not a\nnot not a\nnot a == b\na and b or c and not d\na or b or c\na and b and c\n',
  'a < b <= c == d != e > f >= g\na in b\na not in b\na is b\na is not b\na <> b\n',
  'a | b & c ^ d\na << b >> c\na + b - c * d / e % f // g @ h\n-a ** -b\n~a\n+a\n- - a\na ** b ** c\nawait a ** b\n',
  'a.b.c\na[b][c]\na(b)(c)\na.b[c](d).e\na[1:2]\na[::2]\na[:]\na[1:]\na[:, 0]\na[..., None]\na[b, c,]\na[1:2, ::3, :]\n',
  'f()\nf(a)\nf(a, b=1, *c, **d)\nf(*a, *b)\nf(**a, **b)\nf(a for a in b)\nf(a,)\nf(x := 1)\n',
  '[]\n[1]\n[1, 2,]\n()\n(1,)\n(1, 2)\n(1)\n((1))\n{}\n{1}\n{1, 2}\n{a: b}\n{a: b, **c}\n{**a}\n[*a, *b]\n(*a, b)\n{*a, b}\n',
  '[a for a in b]\n[a for a in b if c if d]\n[a for a in b for c in d]\n{a: b for a, b in c}\n{a for a in b}\n(a for a in b)\n[a async for a in b]\n[a for a in b, c]\n',
  '[x for x in range(3) if x if not x]\n[lambda: x for x in y]\n',
  'if (n := len(a)) > 10: pass\nif m := f(): pass\n',
  'yield\nyield a\nyield a, b\nyield from a\nx = yield a\nx = yield\n(yield a)\n',
  '...\nx = ...\nNone\nTrue\nFalse\n',
  '1\n1.0\n1.\n.5\n1e10\n1E-5\n1j\n1.5j\n0x1F\n0o17\n0b101\n1_000\n1_000.000_1\n10L\n',
  '"a"\n\'a\'\n"""a\nb"""\n\'\'\'a\'\'\'\nr"a\\d"\nb"a"\nrb"a"\nBR"a"\nu"a"\nR"\\""\n"a\\"b"\n"a\\\\"\n"""a""" "b"\n',
  '"a" "b"\n("a"\n "b")\nx = ("a"  # c\n     "b")\n',
  'f"a{b}c"\nf"{a}{b}"\nf"{a!r}"\nf"{a:>10}"\nf"{a=}"\nf"{{a}}"\nf"{a + b * c}"\nf"{a[0]}"\nF"{a}" "b"\nrf"{a}\\d"\nf"""{a}\n{b}"""\nf"{a:}"\nf"{a!s:x}"\nf"{a == b}"\nf"{a != b}"\n',
  'f"{d[\'x\']}"\nf"{d[\'a:b\']} {d[\'}\']!r}"\nf"{\'a\' if x else \'\'}"\nf\'{a["b"]:>10}\'\nf"{r\'\\d\'}"\n',
  'print("x")\nprint(a, file=f)\nexec("x")\nmatch = 1\nmatch.x = 2\ntype = 3\ntype(x)\nprint.x = 1\n',
  'x = type(a)\ny = match(a)\nz = print\nexec_ = 1\ncase = 2\n',
  'λ = 1\nnaïve = λ\n変数 = 2\n',
  '"日本語"\n# коммент\nx = "🙂"\n',
  'x = [' + '['.repeat(30) + '1' + ']'.repeat(30) + ']\n',
  'def f():\n' + Array.from({ length: 25 }, (_, i) => `${'    '.repeat(i + 1)}if a:\n`).join('') + `${'    '.repeat(26)}pass\n`,
  'x = ' + Array.from({ length: 800 }, (_, i) => `a${i}`).join(' + ') + '\n',
  'x = a' + '.b'.repeat(800) + '\n',
];

/** Snippets the descent parser may decline (constructs it leaves to tree-sitter); if it accepts, the same tree. */
const EITHER = [
  'f"{a!r:>{10}}"\n',
  'f"{a[f\'{b}\']}"\n',
  'f"{a[\'\'\'b\'\'\']}"\n',
  'def f():\nreturn 1\n',
  'match x:\n    case 1:\n        pass\n',
  'type X = int\n',
  'print "x"\n',
  'print >>f, x\n',
  'exec "x" in d\n',
  'x = [*a.b, *c[0], *f(d)]\n',
  'x = [*f(a)]\n',
  'f(*a.b, *c[0])\n',
  'def f[T](x: T) -> T: pass\n',
  'with (a as b, c as d):\n    pass\n',
  'try:\n    pass\nexcept* E:\n    pass\n',
  'x = "a" \\\n    "b"\n',
  'x = 1 \\\n\ny = 2\n',
  '  x = 1\n  y = 2\n',
  'x: A[B] | C[D] | None\n',
  'def f() -> A[B] | C[D]: pass\n',
  't"{a}"\n',
  '(a) = 1\n',
  'if a:\n    b\n  c\n',
  'x = `a`\n',
  'try:\n    pass\n',
  'x = 1if y else 2\n',
];

/** Text tree-sitter parses with an error: the descent parser must decline every one. */
const BROKEN = [
  'x = (',
  'x = )',
  'def f(:\n    pass\n',
  'if a\n    b\n',
  'x = 1 +\n',
  'x = "abc\n',
  'x = """abc',
  'f(a b)',
  'a = = 1',
  'class\n',
  'import\n',
  'for x in: pass\n',
  'x = [1, 2\ny = 3\n',
  'lambda x y: 0\n',
  'x = 1 2\n',
  'f"{a"\n',
  'f"{}"\n',
  '@\ndef f(): pass\n',
  'else:\n    pass\n',
  'a.\n',
  'x = [1, 2 3]\n',
  '# a NUL \0 in a comment\nx = 1\n',
  'x = "a NUL \0 in a string"\n',
];

describe('the descent parser', () => {
  let treeSitter: PythonParser;
  before(async () => {
    treeSitter = await treeSitterOnly();
  });

  const same = (text: string, mustAccept: boolean) => {
    const { declined, difference } = compareParsers(treeSitter, text);
    if (mustAccept) assert.equal(declined, null, `declined ${JSON.stringify(text.slice(0, 200))}`);
    assert.equal(difference, null, `for ${JSON.stringify(text.slice(0, 200))}`);
  };

  it('builds tree-sitter tree for every hard spot of the grammar it accepts', () => {
    for (const snippet of ACCEPTED) same(snippet, true);
    for (const snippet of ACCEPTED) same(snippet.replaceAll('\n', '\r\n'), false);
    for (const snippet of ACCEPTED) if (!snippet.endsWith('\n')) same(`${snippet}\n`, true);
    for (const snippet of EITHER) same(snippet, false);
  });

  it('declines every text tree-sitter finds a syntax error in', () => {
    for (const snippet of BROKEN) {
      const { declined, treeSitterErrors } = compareParsers(treeSitter, snippet);
      assert.ok(treeSitterErrors, `tree-sitter parses ${JSON.stringify(snippet)} without error: not a broken snippet`);
      assert.notEqual(declined, null, `accepted ${JSON.stringify(snippet)}`);
    }
  });

  it('builds the same tree for every Python file of the tests and examples, markers removed', () => {
    let accepted = 0;
    const declinedValid: string[] = [];
    const files = [...pythonFilesUnder(path.join(ROOT, 'test')), ...pythonFilesUnder(path.join(ROOT, 'examples'))];
    assert.ok(files.length > 100);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      let texts = [source];
      try {
        texts = [source, parsePythonFixture(source).text];
      } catch {
        // Not a fixture with well-formed markers: the file as it is.
      }
      for (const text of texts) {
        const { declined, difference, treeSitterErrors } = compareParsers(treeSitter, text);
        assert.equal(difference, null, file);
        if (!declined) accepted++;
        else if (!treeSitterErrors) declinedValid.push(`${path.relative(ROOT, file)}: ${declined}`);
      }
    }
    assert.ok(accepted > files.length, `${accepted} texts accepted`);
    // The few files without syntax errors left to tree-sitter, for the constructs it declines.
    assert.ok(declinedValid.length <= 12, declinedValid.join('\n'));
  });

  it('builds the same tree for the generated benchmark module', () => {
    const { text } = generatedModule(1.3e6);
    const { declined, difference } = compareParsers(treeSitter, text);
    assert.equal(declined, null);
    assert.equal(difference, null);
  });

  it('keeps long number literals as one leaf, as the copy does', () => {
    const numbers = `x = [${Array.from({ length: 20_000 }, (_, i) => i % 7).join(', ')}]\ny = (${'1.5, '.repeat(20_000)})\n`;
    same(numbers, true);
    assert.equal(parseFast(numbers).hasOwnProperty('nodes'), true);
  });

  it('leaves trees taller than the copy follows to tree-sitter, which refuses them as today', async () => {
    const deep = `x = ${'-'.repeat(5000)}1\n`;
    assert.ok('declined' in parseFast(deep));
    const tall = `x = ${Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' + ')}\n`;
    assert.ok('declined' in parseFast(tall));
    const parser = await PythonParser.create();
    try {
      assert.throws(() => parser.parse(deep), /nests more than 2,500 levels deep/);
      assert.throws(() => parser.parse(tall), /nests more than 2,500 levels deep/);
    } finally {
      parser.dispose();
    }
  });
});

describe('PythonParser with both parsers', () => {
  it('gives the same trees and errors through edits from valid to broken and back', async () => {
    const both = await PythonParser.create();
    const reference = await treeSitterOnly();
    try {
      const steps: { start: number; end: number; text: string }[] = [
        { start: 0, end: 0, text: '# edited\n' },
        { start: 10, end: 10, text: 'x = (\n' },
        { start: 10, end: 16, text: '' },
        { start: 0, end: 0, text: 'import os\n' },
        { start: 5, end: 5, text: 'def f(:\n' },
      ];
      let result = both.parse('import numpy as np\nx = np.ones((2, 3))\n');
      assert.equal(treeDifference(reference.parse(result.text).module, result.module, result.text), null);
      for (const step of steps) {
        result = both.edit([step]);
        const expected = reference.parse(result.text);
        assert.equal(treeDifference(expected.module, result.module, result.text), null, JSON.stringify(result.text));
        assert.deepEqual(result.syntaxErrors, expected.syntaxErrors, JSON.stringify(result.text));
      }
      // Back to valid text after the broken one: tree-sitter's incremental parse, unchanged.
      result = both.edit([{ start: 0, end: result.text.length, text: 'y = 1\n' }]);
      assert.equal(treeDifference(reference.parse(result.text).module, result.module, result.text), null);
      assert.deepEqual(result.syntaxErrors, []);
    } finally {
      both.dispose();
      reference.dispose();
    }
  });

  it('re-parses only the statements an edit touches; the others keep their nodes, moved', async () => {
    const parser = await PythonParser.create();
    const reference = await treeSitterOnly();
    try {
      const text = 'def f():\n    return 1\n\n\ndef g():\n    return 2\n# last\n';
      const [f, g] = parser.parse(text).module.children;
      // In f: g is moved, not copied again.
      let result = parser.edit([{ start: 20, end: 21, text: '10' }]);
      assert.notEqual(result.module.children[0], f);
      assert.equal(result.module.children[1], g);
      assert.equal(g.start, text.indexOf('def g') + 1);
      assert.equal(g.parent, result.module);
      assert.equal(treeDifference(reference.parse(result.text).module, result.module, result.text), null);
      // In g: f's new node stays as it is.
      const f2 = result.module.children[0];
      result = parser.edit([{ start: result.text.length - 10, end: result.text.length - 9, text: '3' }]);
      assert.equal(result.module.children[0], f2);
      assert.equal(treeDifference(reference.parse(result.text).module, result.module, result.text), null);
      // An edit of the whole text, and a new full parse, take over statements whose text did not change.
      const g2 = result.module.children[1];
      const whole = parser.edit([{ start: 0, end: result.text.length, text: `x = 1\n${result.text}` }]);
      assert.deepEqual([whole.module.children[1], whole.module.children[2]], [f2, g2]);
      assert.equal(f2.start, 6);
      assert.equal(treeDifference(reference.parse(whole.text).module, whole.module, whole.text), null);
      const again = parser.parse(`y = 2\n${whole.text}`);
      assert.equal(again.module.children[2], f2);
    } finally {
      parser.dispose();
      reference.dispose();
    }
  });

  it('gives tree-sitter tree and errors after every edit of random edit sequences', async () => {
    const random = seededRandom(15);
    const pieces = ['\n', ' ', '    ', 'x', '(', ')', ':', '#', '"', "'", ',', 'if a:\n    ', '\n# c\n', 'def h():\n    pass\n', '\\\n', '"""', '=', '.', '[', ']', '0'];
    const sources = [
      'import numpy as np\n\n\ndef f(a, b):\n    # comment\n    c = np.einsum("ij,jk->ik", a, b)  # trailing\n    return c\n\n\nclass A:\n    x = 1\n\n    def g(self):\n        return [i for i in range(3)]\n\n# end\n',
      generatedModule(4000).text,
    ];
    const reference = await treeSitterOnly();
    try {
      for (const source of sources) {
        const parser = await PythonParser.create();
        let result = parser.parse(source);
        for (let step = 0; step < 150; step++) {
          const at = Math.floor(random() * (result.text.length + 1));
          const remove = random() < 0.4 ? Math.floor(random() * 4) : 0;
          const insert = random() < 0.7 ? pieces[Math.floor(random() * pieces.length)] : '';
          result = parser.edit([{ start: at, end: Math.min(at + remove, result.text.length), text: insert }]);
          const expected = reference.parse(result.text);
          assert.equal(treeDifference(expected.module, result.module, result.text), null, `step ${step}: ${JSON.stringify(result.text)}`);
          assert.deepEqual(result.syntaxErrors, expected.syntaxErrors, `step ${step}`);
        }
        parser.dispose();
      }
    } finally {
      reference.dispose();
    }
  });
});
