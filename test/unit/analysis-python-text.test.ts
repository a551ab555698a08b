import assert from 'node:assert/strict';
import { sourceSpelling } from 'einsight-server/analysis/labels';
import { describe, it } from 'node:test';
import { parseHintComment } from 'einsight-server/analysis/python/hints';
import { concatDecoded, decodeStringLiteral, stringLiteralValue } from 'einsight-server/analysis/python/strings';

describe('Python string literals', () => {
  it('decodes prefixes and escapes, mapping every character to its source span', () => {
    const decoded = decodeStringLiteral(String.raw`"a\x62\n\
c"`, 10);
    assert.equal(decoded.value, 'ab\nc');
    assert.deepEqual(decoded.charRanges, [
      { start: 11, end: 12 },
      { start: 12, end: 16 },
      { start: 16, end: 18 },
      { start: 20, end: 21 },
    ]);
    assert.equal(decodeStringLiteral(String.raw`r'i\j'`, 0).value, String.raw`i\j`);
    // Bytes literals know no \u escapes.
    assert.equal(decodeStringLiteral(String.raw`b"\101\u0042"`, 0).value, String.raw`A\u0042`);
    assert.equal(decodeStringLiteral(String.raw`"\101\u0042"`, 0).value, 'AB');
    assert.equal(decodeStringLiteral(`'''ij,\njk'''`, 0).value, 'ij,\njk');
    // A name einsight cannot spell in ASCII stands for a character of its own (see labels.ts).
    const named = decodeStringLiteral('"\\N{GREEK SMALL LETTER ALPHA}i"', 0).value!;
    assert.deepEqual([sourceSpelling(named[0]), named.slice(1)], ['\\N{GREEK SMALL LETTER ALPHA}', 'i']);
    assert.equal(decodeStringLiteral('"\\N{LATIN CAPITAL LETTER Q}i"', 0).value, 'Qi');
  });

  it('treats f-strings with replacement fields as computed', () => {
    assert.equal(decodeStringLiteral('f"{eq}->ik"', 0).value, null);
    assert.equal(decodeStringLiteral('f"ij{{k}}"', 0).value, 'ij{k}');
    assert.equal(concatDecoded([decodeStringLiteral('"ij,"', 0), decodeStringLiteral('F"{x}"', 6)]).value, null);
  });

  it('gives the same value without the character spans', () => {
    const literals = [
      String.raw`"a\x62\n\
c"`,
      String.raw`r'i\j'`,
      String.raw`b"\101\u0042"`,
      String.raw`"\101\u0042"`,
      `'''ij,\njk'''`,
      '"\\N{GREEK SMALL LETTER ALPHA}i"',
      'f"{eq}->ik"',
      'f"ij{{k}}"',
      'rb"a\\"',
      '"""Docstring: no escapes."""',
      '"unterminated',
      'u"plain"',
      `"${'i'.repeat(70_000)}"`,
    ];
    for (const literal of literals) assert.equal(stringLiteralValue(literal), decodeStringLiteral(literal, 0).value, literal.slice(0, 40));
  });

  it('concatenates adjacent literals', () => {
    const joined = concatDecoded([decodeStringLiteral('"ij,"', 0), decodeStringLiteral("'jk'", 6)]);
    assert.equal(joined.value, 'ij,jk');
    assert.deepEqual(joined.charRanges[3], { start: 7, end: 8 });
  });
});

describe('hint comment syntax', () => {
  it('reads shapes, sizes and ignore lists', () => {
    const hint = parseHintComment('# einsight: q[batch, heads 64, ?] self.w[d, _]; batch=32, d=1_024 ignore[EIN001 EIN005]', 100, 90)!;
    assert.deepEqual(
      hint.shapes.map((s) => [s.name, s.dims]),
      [
        ['q', ['batch', 'heads', 64, null]],
        ['self.w', ['d', null]],
      ],
    );
    assert.deepEqual(hint.dims.map((d) => [d.name, d.value]), [
      ['batch', 32],
      ['d', 1024],
    ]);
    assert.deepEqual(hint.ignore, ['EIN001', 'EIN005']);
    assert.deepEqual(hint.errors, []);
    assert.deepEqual(hint.shapes[0].range, { start: 112, end: 133 });
    assert.equal(hint.lineStart, 90);
  });

  it('is not a hint without the marker, and reports what it cannot read', () => {
    assert.equal(parseHintComment('# an ordinary comment', 0, 0), null);
    assert.deepEqual(parseHintComment('# einsight: ignore', 0, 0)!.ignore, []);
    const bad = parseHintComment('# einsight: x[1, 2.5] y=', 0, 0)!;
    assert.deepEqual(bad.errors, [{ message: "'2.5' is not a size: use an integer, a name, or '?'", range: { start: 17, end: 20 } }]);
    assert.deepEqual(parseHintComment('# einsight: y= x[2]', 0, 0)!.errors.map((e) => e.message), ["'y=' needs a non-negative integer size"]);
    assert.deepEqual(parseHintComment('# einsight: ignore[E1]', 0, 0)!.errors.map((e) => e.message), ["'E1' is not a rule code such as EIN001"]);
  });

  it('takes any Python identifier as a name (α, Δt, ünïcode) and a dtype after the brackets', () => {
    const hint = parseHintComment('# einsight: α[3, 4] float32 Δt[N] self.β[2 2] bfloat16 ünïcode[1]', 0, 0)!;
    assert.deepEqual(hint.errors, []);
    assert.deepEqual(
      hint.shapes.map((s) => [s.name, s.dims, s.dtype]),
      [
        ['α', [3, 4], 'float32'],
        ['Δt', ['N'], null],
        ['self.β', [2, 2], 'bfloat16'],
        ['ünïcode', [1], null],
      ],
    );
    // A word that is a dtype but starts the next item (a shape or a size) is that item.
    const next = parseHintComment('# einsight: x[2] bool[3] y[4] int32 int32=5', 0, 0)!;
    assert.deepEqual(next.shapes.map((s) => [s.name, s.dtype]), [['x', null], ['bool', null], ['y', 'int32']]);
    assert.deepEqual(next.dims.map((d) => [d.name, d.value]), [['int32', 5]]);
  });
});
