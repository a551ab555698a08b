import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Polynomial, sizeProductPolynomial } from 'einsight-server/core/symbolic';
import type { LabelSize } from 'einsight-server/core/contraction';

const c = Polynomial.constant;
const s = Polynomial.symbol;

/** 2·B·N^3 + 4·N^2, the running example. */
function example(): Polynomial {
  const n = s('N');
  return s('B').mul(n).mul(n).mul(n).scale(2).add(n.mul(n).scale(4));
}

describe('Polynomial: construction and printing', () => {
  it('prints constants plainly and zero as 0', () => {
    assert.equal(c(12).toString(), '12');
    assert.equal(c(5n).toString(), '5');
    assert.equal(c(0).toString(), '0');
    assert.equal(c(-7).toString(), '-7');
  });

  it('prints a symbol by its name', () => {
    assert.equal(s('N').toString(), 'N');
    assert.equal(s('batch').toString(), 'batch');
  });

  it('sorts terms by descending degree and omits coefficient 1', () => {
    assert.equal(example().toString(), '2·B·N^3 + 4·N^2');
    assert.equal(c(3).add(s('N')).add(s('N').mul(s('N'))).toString(), 'N^2 + N + 3');
  });

  it('orders terms of equal degree by symbol name, higher powers of a symbol first', () => {
    const p = s('M').mul(s('N')).add(s('B').mul(s('N'))).add(s('B').mul(s('B')));
    assert.equal(p.toString(), 'B^2 + B·N + M·N');
  });

  it('writes symbols of a monomial in name order whatever the multiplication order', () => {
    assert.equal(s('N').mul(s('B')).toString(), 'B·N');
  });

  it('prints negative coefficients with a minus sign', () => {
    assert.equal(s('N').add(c(-1)).toString(), 'N - 1');
    assert.equal(s('N').scale(-1).toString(), '-N');
    assert.equal(s('N').scale(-2).add(c(3)).toString(), '-2·N + 3');
  });
});

describe('Polynomial: arithmetic', () => {
  it('merges like terms when adding', () => {
    assert.equal(s('N').add(s('N')).toString(), '2·N');
    assert.equal(s('N').mul(s('B')).add(s('B').mul(s('N'))).toString(), '2·B·N');
  });

  it('drops terms that cancel to zero', () => {
    assert.equal(s('N').add(s('N').scale(-1)).toString(), '0');
    assert.equal(s('N').add(c(1)).add(s('N').scale(-1)).toString(), '1');
  });

  it('multiplies out products of sums', () => {
    const sum = s('B').add(s('N'));
    assert.equal(sum.mul(sum).toString(), 'B^2 + 2·B·N + N^2');
    assert.equal(sum.mul(c(0)).toString(), '0');
  });

  it('scales by numbers and bigints, and to zero', () => {
    assert.equal(example().scale(3).toString(), '6·B·N^3 + 12·N^2');
    assert.equal(example().scale(3n).toString(), '6·B·N^3 + 12·N^2');
    assert.equal(example().scale(0).toString(), '0');
  });

  it('stays exact beyond 2^53', () => {
    assert.equal(c(2 ** 40).mul(c(2 ** 40)).add(c(1)).toString(), '1208925819614629174706177');
    assert.equal(s('N').scale(2n ** 70n).toString(), '1180591620717411303424·N');
  });
});

describe('Polynomial: inspection', () => {
  it('tells constants from polynomials with symbols', () => {
    assert.equal(c(4).isConstant(), true);
    assert.equal(c(0).isConstant(), true);
    assert.equal(s('N').add(s('N').scale(-1)).isConstant(), true);
    assert.equal(example().isConstant(), false);
  });

  it('evaluates with given values and a fallback for the others', () => {
    assert.equal(example().evaluate({ B: 2, N: 3 }, 100), 2 * 2 * 27 + 4 * 9);
    assert.equal(example().evaluate({ N: 2 }, 3), 2 * 3 * 8 + 4 * 4);
    assert.equal(c(7).evaluate({}, 5), 7);
  });

  it('ignores inherited object keys when evaluating', () => {
    assert.equal(s('constructor').evaluate({}, 5), 5);
  });

  it('reports the total degree', () => {
    assert.equal(example().degree(), 4);
    assert.equal(s('N').degree(), 1);
    assert.equal(c(9).degree(), 0);
    assert.equal(c(0).degree(), 0);
  });

  it('keeps every term of the highest degree as the leading part', () => {
    assert.equal(example().leading().toString(), '2·B·N^3');
    const tie = s('B').mul(s('N')).scale(3).add(s('M').mul(s('N'))).add(s('N'));
    assert.equal(tie.leading().toString(), '3·B·N + M·N');
    assert.equal(c(5).leading().toString(), '5');
  });
});

describe('Polynomial: scalingString', () => {
  it('writes the leading term without its coefficient', () => {
    assert.equal(example().scalingString(), 'O(B·N^3)');
    assert.equal(s('N').scale(1000).add(c(7)).scalingString(), 'O(N)');
  });

  it('lists every leading term on a tie', () => {
    const tie = s('M').mul(s('N')).scale(3).add(s('B').mul(s('N')));
    assert.equal(tie.scalingString(), 'O(B·N + M·N)');
  });

  it('writes O(1) for constants, zero included', () => {
    assert.equal(c(123).scalingString(), 'O(1)');
    assert.equal(c(0).scalingString(), 'O(1)');
  });
});

describe('sizeProductPolynomial', () => {
  const sizes: LabelSize[] = [
    { value: 3, symbol: null },
    { value: 64, symbol: 'N' },
    { value: 4, symbol: null },
    { value: 64, symbol: 'B' },
  ];

  it('multiplies concrete sizes into the coefficient and symbols into the monomial', () => {
    assert.equal(sizeProductPolynomial(sizes, [0, 1, 2, 3]).toString(), '12·B·N');
  });

  it('gives a constant when every size is concrete', () => {
    const p = sizeProductPolynomial(sizes, new Set([0, 2]));
    assert.equal(p.isConstant(), true);
    assert.equal(p.toString(), '12');
  });

  it('raises a symbol to the power of its repeats', () => {
    assert.equal(sizeProductPolynomial(sizes, [1, 1, 1]).toString(), 'N^3');
  });

  it('gives 1 for no labels and 0 for a size-0 label', () => {
    assert.equal(sizeProductPolynomial(sizes, []).toString(), '1');
    assert.equal(sizeProductPolynomial([{ value: 0, symbol: null }, ...sizes], [0, 2]).toString(), '0');
  });
});
