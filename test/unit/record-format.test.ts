/** `.einsight/observed.json`: read strictly (a bad entry is skipped with a reason), written back exactly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyObserved, parseObserved, serializeObserved, type ObservedSite } from 'einsight-server/analysis/observed/format';
import { mergeSites, relocate } from 'einsight-server/analysis/observed/merge';
import { recordOf } from '../support/observations';

const CODE = ['import numpy as np', '', 'def f(a, b):', '    return np.einsum("ij,jk->ik", a, b)', ''].join('\n');
const CALL = 'np.einsum("ij,jk->ik", a, b)';

describe('observed.json', () => {
  it('round-trips: what is written reads back the same', () => {
    const file = emptyObserved('einsight test');
    file.runs.push({ command: ['python', 'x.py'], started: '2026-01-01T00:00:00.000Z', durationMs: 5, exitCode: null, processes: 2, calls: 3 });
    file.files['src/x.py'] = [{ ...recordOf(CODE, CALL, [[[[2, 3], [3, 4]], 3]]), otherShapes: { calls: 1, timeNs: 9 }, nested: true }];
    const parsed = parseObserved(serializeObserved(file));
    assert.ok('ok' in parsed);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual({ ...parsed.ok, files: { ...parsed.ok.files } }, { ...file, files: { ...file.files } });
  });

  it('refuses another version or what is not an object of files; skips a malformed site and says why', () => {
    assert.deepEqual(parseObserved('{"version": 2, "files": {}}'), { error: 'format version 2 is not 1, the one this einsight reads' });
    assert.deepEqual(parseObserved('[1]'), { error: 'expected a JSON object' });
    assert.match((parseObserved('{"version": 1') as { error: string }).error, /^not JSON: /);
    const good = recordOf(CODE, CALL, [[[[2, 3], [3, 4]], 1]]);
    const text = JSON.stringify({
      version: 1,
      files: {
        'a.py': [good, { ...good, line: 0 }, { ...good, shapes: [{ equation: 'ij', operands: [{ shape: [-1] }], calls: 1, timeNs: 1 }] }],
        'b.py': 'nothing',
      },
    });
    const parsed = parseObserved(text);
    assert.ok('ok' in parsed);
    assert.deepEqual(parsed.ok.files['a.py'], [good]);
    assert.deepEqual(parsed.problems, [
      "a.py: site 2: 'line' must be a line number",
      "a.py: site 3: a shape: an operand's 'shape' must be a list of sizes or null",
      'b.py: expected a list of sites',
    ]);
    // A path named like a property of every object is still just a path.
    const proto = parseObserved('{"version": 1, "files": {"__proto__": []}}');
    assert.ok('ok' in proto && Object.getPrototypeOf(proto.ok.files) === null);
  });

  it('merges recordings of one call: counts and shapes add up', () => {
    const one = recordOf(CODE, CALL, [[[[2, 3], [3, 4]], 1]]);
    const two = recordOf(CODE, CALL, [
      [[[2, 3], [3, 4]], 2],
      [[[5, 3], [3, 4]], 1],
    ]);
    const [merged] = mergeSites([one, two]);
    assert.deepEqual([merged.calls, merged.shapes.map((s) => [s.operands[0].shape, s.calls])], [4, [[[2, 3], 3], [[5, 3], 1]]]);
  });

  it('moves a recording with its call, and drops it when the call is gone or cannot be told apart', () => {
    const site = recordOf(CODE, CALL, [[[[2, 3], [3, 4]], 1]]);
    const moved: ObservedSite[] = relocate([site], `# new first line\n${CODE}`);
    assert.deepEqual(moved.map((s) => [s.line, s.column, s.endLine, s.endColumn]), [[5, 12, 5, 40]]);
    assert.deepEqual(relocate([site], CODE.replace(CALL, 'np.einsum("ij,jk->ki", a, b)')), []);
    assert.deepEqual(relocate([site], null), []);
    // Two copies of the call and nothing around either like the original: no guess.
    const twice = `x = 1\n${CALL}\ny = 2\n${CALL}\n`;
    assert.deepEqual(relocate([site], twice), []);
  });
});
