import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flopRatio as ratio, formatCount, formatSpeedup, scientific } from 'einsight-server/core/counts';
import { toJson } from 'einsight-server/cli/format';

describe('scientific', () => {
  it("prints like Python's {:.3e}, rounding from the digits", () => {
    assert.equal(scientific(480000n), '4.800e+05');
    assert.equal(scientific(1n), '1.000e+00');
    assert.equal(scientific(99995n), '1.000e+05');
    assert.equal(scientific(12344n), '1.234e+04');
    assert.equal(scientific(10n ** 400n + 5n * 10n ** 396n), '1.001e+400');
  });

  it('prints zero as 0.000e+00 (found by the fuzzer: sizes of 0 give 0 FLOPs)', () => {
    assert.equal(scientific(0n), '0.000e+00');
  });
});

describe('the one number format (Problems, hover, titles, measure, CLI)', () => {
  it('writes counts with separators below a million, three significant digits above', () => {
    assert.equal(formatCount(0n), '0');
    assert.equal(formatCount(786_432n), '786,432');
    assert.equal(formatCount(999_999n), '999,999');
    assert.equal(formatCount(1_000_000n), '1.00e6');
    assert.equal(formatCount(1_605_000_000n), '1.61e9');
    assert.equal(formatCount(1_604_999_999n), '1.60e9');
    assert.equal(formatCount(9_995_000_000n), '1.00e10');
    assert.equal(formatCount(2n ** 70n), '1.18e21');
    assert.equal(formatCount(10n ** 400n), '1.00e400');
  });

  it('writes speedups to three significant digits with ×', () => {
    assert.equal(formatSpeedup(1.04), '1.04×');
    assert.equal(formatSpeedup(2.5), '2.50×');
    assert.equal(formatSpeedup(9.999), '10.0×');
    assert.equal(formatSpeedup(51.94), '51.9×');
    assert.equal(formatSpeedup(99.96), '100×');
    assert.equal(formatSpeedup(12_499.6), '12,500×');
    assert.equal(formatSpeedup(3.2e9), '3.20e9×');
    assert.equal(formatSpeedup(0.5), '0.500×');
    assert.equal(formatSpeedup(Number.MAX_VALUE), 'many times');
  });
});

describe('ratio and JSON', () => {
  it('stays finite for counts beyond doubles and for zero counts', () => {
    assert.equal(ratio(0n, 0n), 1);
    assert.equal(ratio(10n ** 400n, 10n ** 398n), 100);
    assert.ok(Number.isFinite(ratio(10n ** 400n, 1n)));
  });

  it('writes BigInt values as exact integer literals', () => {
    assert.equal(toJson({ flops: 2n ** 70n, list: [1n] }), '{"flops":1180591620717411303424,"list":[1]}');
  });
});
