import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flopRatio as ratio, scientific } from 'einsight-server/core/counts';
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
