import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EquationError, parseEquation, parseSublists, type SublistItem } from 'einsight-server/core/equation';

/** Asserts that `fn` throws an EquationError with exactly this message and [start, end) range. */
function throwsAt(fn: () => unknown, message: string, start: number, end: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EquationError, `expected an EquationError, got ${String(e)}`);
    assert.equal(e.name, 'EquationError');
    assert.equal(e.message, message);
    assert.deepEqual(e.range, { start, end });
    return true;
  });
}

const parse = (text: string, style?: 'letters' | 'named') => () => parseEquation(text, { style });

describe('parseEquation errors: structure', () => {
  it('reads an empty equation as one scalar operand, as numpy does (np.einsum("", 5) is 5)', () => {
    assert.deepEqual(parse('')().inputs.map((t) => t.labels), [[]]);
    assert.deepEqual(parse('   ')().output.labels, []);
  });

  it("rejects a second '->' at that arrow", () => {
    throwsAt(parse('ij->j->i'), "an equation can have only one '->'", 5, 7);
  });

  it("rejects ',' in the output", () => {
    throwsAt(parse('ij->i,j'), "the output after '->' is a single term and cannot contain ','", 5, 6);
  });

  it("rejects a lone '-' or '>'", () => {
    throwsAt(parse('ij-k'), "'-' must be followed by '>' (write '->')", 2, 3);
    throwsAt(parse('ij- >i'), "'-' must be followed by '>' (write '->')", 2, 3);
    throwsAt(parse('ij>k'), "'>' must follow '-' (write '->')", 2, 3);
    throwsAt(parse('ij->>i'), "'>' must follow '-' (write '->')", 4, 5);
  });
});

describe('parseEquation errors: characters', () => {
  it('rejects a digit in letters style at that character', () => {
    throwsAt(parse('i1,j'), "invalid character '1': einsum labels are single letters", 1, 2);
  });

  it('rejects punctuation other than , - > .', () => {
    throwsAt(parse('ij;jk'), "invalid character ';': einsum labels are single letters", 2, 3);
    throwsAt(parse('i_j'), "invalid character '_': einsum labels are single letters", 1, 2);
  });

  it('rejects parentheses in named style (einops grouping is not einsum)', () => {
    throwsAt(parse('b (i j) -> b'), "invalid character '(': labels are names made of letters, digits and '_'", 2, 3);
  });

  it('rejects a named label that starts with a digit, over the whole token', () => {
    throwsAt(parse('b 2x -> b'), "invalid label '2x': a label must start with a letter or '_'", 2, 4);
  });

  it('reports the leftmost problem first', () => {
    throwsAt(parse('i1->k'), "invalid character '1': einsum labels are single letters", 1, 2);
    throwsAt(parse('ij->k->l1'), "an equation can have only one '->'", 5, 7);
  });
});

describe('parseEquation errors: ellipsis', () => {
  it("rejects '..' and '....' over the whole run of dots", () => {
    throwsAt(parse('i..j'), "'..' is not an ellipsis: write exactly three dots '...'", 1, 3);
    throwsAt(parse('....i->i'), "'....' is not an ellipsis: write exactly three dots '...'", 0, 4);
    throwsAt(parse('. . .i'), "'.' is not an ellipsis: write exactly three dots '...'", 0, 1);
  });

  it('rejects a second ellipsis in one term at the second one', () => {
    throwsAt(parse('...i...->i'), "a term can contain '...' only once", 4, 7);
    throwsAt(parse('... b ... -> b'), "a term can contain '...' only once", 6, 9);
  });

  it("rejects '...' in the output when no input has one", () => {
    throwsAt(parse('ij->...i'), "the output has '...' but no input has one", 4, 7);
  });
});

describe('parseEquation errors: explicit output', () => {
  it('rejects an output label missing from the inputs at that label', () => {
    throwsAt(parse('ij,jk->ix'), "output label 'x' does not appear in any input", 8, 9);
    throwsAt(parse('b i -> b c'), "output label 'c' does not appear in any input", 9, 10);
  });

  it('rejects a repeated output label at the repeat', () => {
    throwsAt(parse('ij->iji'), "output label 'i' appears more than once", 6, 7);
    throwsAt(parse('b i -> i b i'), "output label 'i' appears more than once", 11, 12);
  });

  it('treats case as significant when matching output labels', () => {
    throwsAt(parse('ij->I'), "output label 'I' does not appear in any input", 4, 5);
  });
});

describe('parseSublists errors', () => {
  const invalid = (item: unknown) =>
    `sublist item ${item} (operand 1, position 1) is not a label: use an integer from 0 to 51 or '...'`;

  it('rejects out-of-range and non-integer items over their term', () => {
    for (const item of [-1, 52, 1.5, Number.NaN]) {
      throwsAt(() => parseSublists([[0, 1], [1, item]], [0]), invalid(item), 3, 4);
    }
  });

  it('rejects strings other than "..."', () => {
    const items = [[0], [1, 'x']] as unknown as SublistItem[][];
    throwsAt(
      () => parseSublists(items),
      `sublist item "x" (operand 1, position 1) is not a label: use an integer from 0 to 51 or '...'`,
      2,
      3,
    );
  });

  it('rejects an invalid item in the output list over the output term', () => {
    throwsAt(
      () => parseSublists([[0, 1], [1, 2]], [0, 99]),
      "sublist item 99 (the output, position 1) is not a label: use an integer from 0 to 51 or '...'",
      7,
      8,
    );
  });

  it('rejects a call without operands', () => {
    throwsAt(() => parseSublists([]), 'einsum needs at least one operand', 0, 0);
  });

  it('reports equation errors with ranges into the letter text', () => {
    throwsAt(() => parseSublists([[0, 1]], [2]), "output label 'C' does not appear in any input", 4, 5);
    throwsAt(() => parseSublists([['...', 0, '...']]), "a term can contain '...' only once", 4, 7);
  });
});
