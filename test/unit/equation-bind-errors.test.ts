import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EquationError, bindShapes, parseEquation, type BindOptions } from 'einsight-server/core/equation';
import type { Dim } from 'einsight-server/core/contraction';

/** Asserts that binding throws an EquationError with exactly this message and [start, end) range. */
function bindThrowsAt(
  text: string,
  shapes: (Dim[] | null)[] | null,
  options: BindOptions,
  message: string,
  start: number,
  end: number,
): void {
  const eq = parseEquation(text);
  assert.throws(
    () => bindShapes(eq, shapes, options),
    (e: unknown) => {
      assert.ok(e instanceof EquationError, `expected an EquationError, got ${String(e)}`);
      assert.equal(e.message, message);
      assert.deepEqual(e.range, { start, end });
      return true;
    },
  );
}

describe('bindShapes errors: operand count', () => {
  it('points at the terms left without an operand', () => {
    bindThrowsAt('ij,jk,kl', [[2, 3], [3, 4]], {}, 'the equation has 3 input terms but 2 operands were given', 6, 8);
    bindThrowsAt('ij,jk', [[2, 3]], {}, 'the equation has 2 input terms but 1 operand was given', 3, 5);
  });

  it('points at the whole input side when there are extra operands', () => {
    bindThrowsAt('ij, jk -> ik', null, { operandCount: 3 }, 'the equation has 2 input terms but 3 operands were given', 0, 6);
    bindThrowsAt('ij', [[2, 3], [3]], {}, 'the equation has 1 input term but 2 operands were given', 0, 2);
  });

  it('checks options.operandCount rather than the length of shapes', () => {
    bindThrowsAt('ij,jk', [[2, 3], [3, 4]], { operandCount: 1 }, 'the equation has 2 input terms but 1 operand was given', 3, 5);
  });
});

describe('bindShapes errors: rank', () => {
  it('rejects a shape whose length differs from the label count, over that term', () => {
    bindThrowsAt(
      'ij,jk,ijk',
      [[2, 3], [3, 4], [2, 3]],
      {},
      "operand 2 ('ijk') has 3 labels but its shape has 2 dimensions",
      6,
      9,
    );
    bindThrowsAt('i', [[2, 3]], {}, "operand 0 ('i') has 1 label but its shape has 2 dimensions", 0, 1);
  });

  it('rejects a shape shorter than the labels beside an ellipsis', () => {
    bindThrowsAt(
      'ij,...ijk',
      [[2, 3], [2]],
      {},
      "operand 1 ('...ijk') has 3 labels besides '...' but its shape has only 1 dimension",
      3,
      9,
    );
  });
});

describe('bindShapes errors: sizes', () => {
  it('rejects one label with two sizes at the conflicting occurrence', () => {
    bindThrowsAt('ij,jk', [[2, 3], [4, 5]], {}, "label 'j' has size 3 in operand 0 but size 4 in operand 1", 3, 4);
  });

  it('names the operand the current size came from after broadcasting', () => {
    bindThrowsAt('i,i,i', [[1], [3], [4]], {}, "label 'i' has size 3 in operand 1 but size 4 in operand 2", 4, 5);
  });

  it('reports conflicting ellipsis dimensions at the ellipsis', () => {
    bindThrowsAt(
      '...i,...i',
      [[2, 3], [4, 3]],
      {},
      "ellipsis dimension '…0' has size 2 in operand 0 but size 4 in operand 1",
      5,
      8,
    );
  });

  it('rejects a diagonal over different sizes, size 1 included', () => {
    const diagonal = (a: number, b: number) =>
      `label 'i' repeats in operand 0 with sizes ${a} and ${b}; a diagonal needs equal sizes`;
    bindThrowsAt('ii->i', [[2, 3]], {}, diagonal(2, 3), 1, 2);
    bindThrowsAt('iji', [[1, 2, 3]], {}, diagonal(1, 3), 2, 3);
  });

  it('compares a diagonal across an unknown size in between', () => {
    const message = "label 'i' repeats in operand 1 with sizes 2 and 3; a diagonal needs equal sizes";
    bindThrowsAt('i,iii', [[2], [null, 2, 3]], {}, message, 4, 5);
  });

  it('rejects negative and non-integer sizes at that label', () => {
    bindThrowsAt('ij', [[2, -1]], {}, "operand 0 has size -1 for label 'j'; sizes must be non-negative integers", 1, 2);
    bindThrowsAt('i,i', [[2], [2.5]], {}, "operand 1 has size 2.5 for label 'i'; sizes must be non-negative integers", 2, 3);
  });

  it('rejects an invalid value in options.dims where it is used', () => {
    bindThrowsAt(
      'ij',
      [['B', 'N']],
      { dims: { N: -3 } },
      "dimension 'N' is set to -3; sizes must be non-negative integers",
      1,
      2,
    );
  });
});
