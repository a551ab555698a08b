import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareWithTruth, recall } from '../support/shape-truth';

describe('shape analysis against the recorded run-time truth (test/fixtures/shapes-truth)', async () => {
  const report = await compareWithTruth();

  it('was recorded from the modules as they are', () => {
    assert.deepEqual(report.stale, [], 're-record with `npm run record:shapes` (needs numpy and torch)');
  });

  it('finds every einsum site that ran', () => {
    assert.deepEqual(report.missing, []);
  });

  it('states no wrong dimension and no false shape error', () => {
    assert.deepEqual(report.wrong, []);
    assert.deepEqual(report.falseErrors, []);
  });

  it('knows at least 80% of the dimensions that do not vary between runs', () => {
    assert.ok(recall(report.totals) >= 0.8, `recall ${(100 * recall(report.totals)).toFixed(1)}%`);
  });
});
